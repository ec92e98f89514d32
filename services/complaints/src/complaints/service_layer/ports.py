"""What the complaints use cases need from storage, as protocols the Mongo adapters implement,
and the read model a stored case comes back as.

Store queries are Mongo filter documents built here in the service layer (listing, rates,
erasure) or inside the adapters; the entrypoints never build one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from google.protobuf.message import Message

from complaints.domain.complaint import Complaint
from qingshan_core.outbox import OutboxCollection

if TYPE_CHECKING:
    from complaints.adapters.schedule import AlertSchedule

Doc = dict[str, Any]


@dataclass
class Loaded:
    """A case as read for a command, with the version a save must match and the stored
    document it came from (what the save compares against)."""

    complaint: Complaint
    version: int
    doc: Doc


@dataclass(frozen=True)
class Case:
    """A stored case as the read side shows it: the aggregate (identity not decrypted) with
    the read-model fields the store keeps beside it."""

    complaint: Complaint
    masked_name: str | None = None
    masked_phone: str | None = None
    possible_duplicates: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()  # the work queues' 即将超期 / 已超期 / 已督办


class ComplaintRepository(Protocol):
    """Complaint aggregates, one document each, their events through the outbox."""

    outbox: OutboxCollection  # the cases' collection (erasure rewrites a document through it)
    schedule: AlertSchedule  # the minute schedule of alerts the sweeper reads

    async def add(
        self,
        c: Complaint,
        *,
        fields: Doc,
        extra_events: Sequence[Message] = (),
        trace_id: str | None = None,
    ) -> Doc:
        """Insert a new case with its events; returns the stored document."""
        ...

    async def save(
        self,
        loaded: Loaded,
        *,
        fields: Doc | None = None,
        extra_events: Sequence[Message] = (),
        trace_id: str | None = None,
    ) -> int:
        """Write state and new events iff still at the loaded version (ConcurrencyConflict)."""
        ...

    async def save_all(self, loaded: Sequence[Loaded]) -> set[str]:
        """`save` in bulk; the ids that changed since they were read (nothing written)."""
        ...

    async def get(self, complaint_id: str) -> Loaded | None: ...

    async def case(self, complaint_id: str) -> Case | None: ...

    async def due_now(self, ids: Sequence[str], now: datetime) -> list[Loaded]: ...

    async def find_one(self, query: Doc) -> Doc | None: ...

    async def by_tracking_code(self, code: str) -> Doc | None: ...

    async def due_for_alerts(self, now: datetime, limit: int = 200) -> list[str]: ...

    async def scheduled(self) -> list[tuple[str, datetime]]: ...

    async def search(
        self,
        query: Doc,
        *,
        skip: int = 0,
        limit: int = 50,
        projection: Doc | None = None,
        sort: Sequence[tuple[str, int]] = ...,
    ) -> tuple[list[Doc], int]: ...

    async def cases(
        self,
        query: Doc,
        *,
        skip: int = 0,
        limit: int = 50,
        sort: Sequence[tuple[str, int]] = ...,
    ) -> tuple[list[Case], int]:
        """`search` read as cases (without their history), with the total count."""
        ...

    async def stream(self, query: Doc, projection: Doc) -> list[Doc]: ...

    async def units_since(self, start: datetime) -> list[str | None]:
        """The units of the cases received since `start` (None: a case never assigned)."""
        ...
