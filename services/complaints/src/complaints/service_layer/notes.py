"""Internal notes on a case (内部备注): kept apart from the reply, never shown to the public or
published; written by the staff who may see the case, read by the same."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from complaints.domain.errors import RuleViolation
from complaints.domain.model import Actor
from complaints.service_layer.context import Context

MAX_NOTE = 2000


@dataclass(frozen=True)
class Note:
    """One internal note on a case."""

    id: str
    at: datetime
    author_id: str
    author_role: str
    author_unit: str | None
    text: str

    @classmethod
    def of(cls, doc: dict[str, Any]) -> Note:
        return cls(
            id=doc["_id"],
            at=doc["at"],
            author_id=doc["author_id"],
            author_role=doc["author_role"],
            author_unit=doc.get("author_unit"),
            text=doc["text"],
        )


async def add_note(ctx: Context, complaint_id: str, actor: Actor, text: str) -> Note:
    """Store one note (the case must exist; the caller checked it may see it)."""
    text = text.strip()
    if not text:
        raise RuleViolation("text_required", "a note needs text")
    if len(text) > MAX_NOTE:
        raise RuleViolation("note_too_long", f"a note has at most {MAX_NOTE} characters")
    note = {
        "_id": uuid.uuid4().hex,
        "complaint_id": complaint_id,
        "at": ctx.clock(),
        "author_id": actor.id,
        "author_role": actor.role.value,
        "author_unit": actor.unit_id,
        "text": text,
    }
    await ctx.notes.insert_one(note)
    return Note.of(note)


async def notes_of(ctx: Context, complaint_id: str, limit: int = 200) -> list[Note]:
    """A case's notes, oldest first."""
    cursor = ctx.notes.find({"complaint_id": complaint_id}).sort("at", 1).limit(limit)
    return [Note.of(doc) async for doc in cursor]
