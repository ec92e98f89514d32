"""Internal notes on a case (内部备注): kept apart from the reply, never shown to the public or
published; written by the staff who may see the case, read by the same."""

from __future__ import annotations

import uuid
from typing import Any

from complaints.domain.errors import RuleViolation
from complaints.domain.model import Actor
from complaints.service_layer.context import Context

MAX_NOTE = 2000


async def add_note(ctx: Context, complaint_id: str, actor: Actor, text: str) -> dict[str, Any]:
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
    return note


async def notes_of(ctx: Context, complaint_id: str, limit: int = 200) -> list[dict[str, Any]]:
    """A case's notes, oldest first."""
    cursor = ctx.notes.find({"complaint_id": complaint_id}).sort("at", 1).limit(limit)
    return [doc async for doc in cursor]
