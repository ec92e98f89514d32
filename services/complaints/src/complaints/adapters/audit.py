"""The personal-data audit (查阅留痕): who revealed or erased which reporter's data, when, why.

Append-only: this repository inserts and reads, nothing else — no update or delete path exists
in the code. Entries carry no identity (the case id, the staff member, the stated purpose).
The retention setting for the audit is a minimum (docs/retention.md): the service never removes
an entry; FerretDB 1.x has no TTL indexes, and archiving older entries is an operator's act."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from pymongo import DESCENDING
from pymongo.asynchronous.collection import AsyncCollection

from qingshan_core.mongo import IndexSpec

Doc = dict[str, Any]
AUDIT = "pii_audit"


class AuditKind(StrEnum):
    REVEAL = "reveal"  # the identity was decrypted for a permitted role
    ERASE = "erase"  # an administrator erased the identity on request


AUDIT_INDEXES = [
    IndexSpec(AUDIT, [("complaint_id", 1), ("at", -1)]),
    IndexSpec(AUDIT, [("actor_id", 1), ("at", -1)]),
]


@dataclass(frozen=True)
class AuditFilter:
    actor_id: str | None = None
    complaint_id: str | None = None
    kind: AuditKind | None = None
    since: datetime | None = None
    until: datetime | None = None

    def query(self) -> Doc:
        q: Doc = {}
        if self.actor_id:
            q["actor_id"] = self.actor_id
        if self.complaint_id:
            q["complaint_id"] = self.complaint_id
        if self.kind:
            q["kind"] = self.kind.value
        at: Doc = {}
        if self.since:
            at["$gte"] = self.since
        if self.until:
            at["$lt"] = self.until
        if at:
            q["at"] = at
        return q


class PiiAudit:
    """Insert-only repository of the audit."""

    def __init__(self, coll: AsyncCollection[Doc]) -> None:
        self._coll = coll

    async def record(
        self,
        kind: AuditKind,
        *,
        complaint_id: str,
        actor_id: str,
        role: str,
        purpose: str,
        at: datetime,
        trace_id: str | None,
    ) -> None:
        await self._coll.insert_one(
            {
                "kind": kind.value,
                "complaint_id": complaint_id,
                "actor_id": actor_id,
                "role": role,
                "purpose": purpose,
                "at": at,
                "trace_id": trace_id,
            }
        )

    async def page(self, f: AuditFilter, *, skip: int, limit: int) -> tuple[list[Doc], int]:
        """Newest first."""
        q = f.query()
        cursor = (
            self._coll.find(q)
            .sort([("at", DESCENDING), ("_id", DESCENDING)])
            .skip(skip)
            .limit(limit)
        )
        return await cursor.to_list(), await self._coll.count_documents(q)

    async def count(self, f: AuditFilter) -> int:
        return await self._coll.count_documents(f.query())
