"""The unit registry in Mongo: one document per unit (`_id` is the unit id), its pending
events in the same document (outbox), so a change and its UnitRegistered / UnitChanged /
UnitRetired event land together."""

from __future__ import annotations

from typing import Any

from pymongo.errors import DuplicateKeyError

from complaints.domain.errors import RuleViolation
from complaints.domain.units import (
    HandlingUnit,
    UnitChanged,
    UnitEvent,
    UnitExists,
    UnitKind,
    UnitRegistered,
    UnitRetired,
)
from qingshan.complaints.v1 import events_pb2 as pb
from qingshan_core.events import Envelope, timestamp
from qingshan_core.outbox import VERSION, OutboxCollection

UNITS = "units"
Doc = dict[str, Any]


def unit_doc(u: HandlingUnit) -> Doc:
    return {
        "name": u.name,
        "kind": u.kind.value,
        "head": u.head,
        "contacts": list(u.contacts),
        "active": u.active,
        "unit_version": u.version,
        "created_at": u.created_at,
        "updated_at": u.updated_at,
        "retired_at": u.retired_at,
    }


def unit_from(d: Doc) -> HandlingUnit:
    return HandlingUnit(
        id=d["_id"],
        name=d["name"],
        kind=UnitKind(d["kind"]),
        head=d.get("head"),
        contacts=tuple(d.get("contacts") or ()),
        active=bool(d.get("active", True)),
        version=int(d.get("unit_version", 1)),
        created_at=d.get("created_at"),
        updated_at=d.get("updated_at"),
        retired_at=d.get("retired_at"),
    )


def unit_pb(u: HandlingUnit) -> pb.HandlingUnit:
    return pb.HandlingUnit(
        id=u.id,
        name=u.name,
        kind=u.kind.value,
        head=u.head or "",
        contacts=list(u.contacts),
        active=u.active,
        version=u.version,
    )


def event_pb(e: UnitEvent) -> pb.UnitRegistered | pb.UnitChanged | pb.UnitRetired:
    unit, at = unit_pb(e.unit), timestamp(e.at)
    if isinstance(e, UnitRegistered):
        return pb.UnitRegistered(unit=unit, occurred_at=at, changed_by=e.by)
    if isinstance(e, UnitChanged):
        return pb.UnitChanged(unit=unit, occurred_at=at, changed_by=e.by, fields=list(e.fields))
    assert isinstance(e, UnitRetired)
    return pb.UnitRetired(unit=unit, occurred_at=at, changed_by=e.by)


class UnitRepository:
    """Reads and writes units; every write carries the unit's new event."""

    def __init__(self, outbox: OutboxCollection) -> None:
        self.outbox = outbox
        self.coll = outbox.collection

    def _envelopes(self, u: HandlingUnit, trace_id: str | None) -> list[Envelope]:
        return [
            Envelope.wrap(
                event_pb(e),
                source=self.outbox.source,
                subject=u.id,
                trace_id=trace_id,
                # One event per unit version: a retried write cannot publish a second one.
                event_id=f"unit/{u.id}/v{e.unit.version}",
            )
            for e in u.events
        ]

    async def get(self, unit_id: str) -> tuple[HandlingUnit, int] | None:
        """The unit and its document version, or None."""
        d = await self.coll.find_one({"_id": unit_id}, {"_outbox": 0})
        return None if d is None else (unit_from(d), int(d[VERSION]))

    async def find(self, unit_id: str) -> HandlingUnit | None:
        got = await self.get(unit_id)
        return got[0] if got else None

    async def list(self, active: bool | None = None) -> list[HandlingUnit]:
        q: Doc = {} if active is None else {"active": active}
        return [unit_from(d) async for d in self.coll.find(q, {"_outbox": 0}).sort("_id", 1)]

    async def add(self, u: HandlingUnit, trace_id: str | None = None) -> None:
        """Insert a new unit with its UnitRegistered event; UnitExists when the id is taken."""
        try:
            await self.outbox.insert({"_id": u.id, **unit_doc(u)}, self._envelopes(u, trace_id))
        except DuplicateKeyError as exc:
            stored = await self.find(u.id)
            if stored is None:  # pragma: no cover - deleted in between; units are never deleted
                raise RuleViolation("unit_id_invalid", f"unit {u.id} cannot be stored") from exc
            raise UnitExists(stored) from exc

    async def save(self, u: HandlingUnit, version: int, trace_id: str | None = None) -> None:
        """Write a changed unit iff its document is still at `version` (ConcurrencyConflict
        otherwise); nothing to write when the change changed nothing."""
        if not u.events:
            return
        await self.outbox.update(u.id, version, unit_doc(u), self._envelopes(u, trace_id))
