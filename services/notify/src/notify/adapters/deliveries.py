"""Deliveries in the store, written through the outbox: a state change and the events it
causes (notify.delivery.failed, notify.notice.escalated) are one document write.

The questions the dispatcher and the periodic jobs keep asking (what is due, which digests,
which acknowledgements are overdue, which failures still need dead-lettering) are answered from
the work index (adapters/work_index.py), never by a query on `deliveries`: FerretDB 1.x answers
only `_id` lookups from an index and scans the whole collection for anything else, and this
collection grows with every message ever sent. Each add/save updates the index after the
delivery write. The rarer lookups (by notice, digest batches, the admin listing) still query
the collection."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from pymongo.errors import DuplicateKeyError

from notify.adapters.documents import delivery_doc, delivery_from
from notify.adapters.work_index import (
    ACK,
    ATTEMPT,
    DEADLETTER,
    DIGEST_WAIT,
    WORK,
    WorkIndex,
    work_indexes,
)
from notify.domain.catalog import DIGEST
from notify.domain.delivery import (
    Delivery,
    DeliveryFailed,
    DeliveryResent,
    DomainEvent,
    NoticeEscalated,
)
from notify.service_layer.ports import DeliveryQuery
from qingshan.notify.v1 import events_pb2
from qingshan_core.events import Envelope, timestamp
from qingshan_core.mongo import Document, IndexSpec
from qingshan_core.outbox import ConcurrencyConflict, OutboxCollection

DELIVERIES = "deliveries"


def delivery_indexes() -> list[IndexSpec]:
    return [
        IndexSpec(DELIVERIES, [("event_id", 1), ("created_at", -1)]),
        IndexSpec(DELIVERIES, [("recipient_id", 1), ("channel", 1), ("created_at", -1)]),
        IndexSpec(DELIVERIES, [("notice", 1)]),
        IndexSpec(DELIVERIES, [("digest_key", 1)]),
        *work_indexes(),
    ]


def envelope_of(d: Delivery, e: DomainEvent, source: str) -> Envelope:
    """The protobuf event (qingshan.notify.v1) for one domain event of a delivery."""
    if isinstance(e, DeliveryFailed):
        msg = events_pb2.DeliveryFailed(
            delivery_id=d.id,
            occurred_at=timestamp(e.at),
            event_id=d.event_id,
            event_type=d.event_type,
            recipient=d.recipient,
            channel=d.channel.value,
            attempts=e.attempts,
            reason=e.reason[:2000],
            rule_id=d.rule_id,
            priority=d.priority.value,
            level=d.level,
        )
        return Envelope.wrap(
            msg,
            source=source,
            subject=d.id,
            trace_id=d.trace_id or None,
            event_id=f"{d.id}/failed",
        )
    if isinstance(e, DeliveryResent):
        resent = events_pb2.DeliveryResent(
            delivery_id=d.id,
            occurred_at=timestamp(e.at),
            resent_as=e.resent_as,
            resent_by=e.by,
            event_id=d.event_id,
            recipient=d.recipient,
            channel=d.channel.value,
        )
        return Envelope.wrap(
            resent,
            source=source,
            subject=d.id,
            trace_id=d.trace_id or None,
            event_id=f"{d.id}/resent",
        )
    assert isinstance(e, NoticeEscalated)
    esc = events_pb2.NoticeEscalated(
        notice_key=e.notice_key,
        occurred_at=timestamp(e.at),
        event_id=e.event_id,
        event_type=e.event_type,
        rule_id=e.rule_id,
        from_level=e.from_level,
        to_level=e.to_level,
        recipients=list(e.recipients),
    )
    return Envelope.wrap(
        esc,
        source=source,
        subject=e.notice_key,
        trace_id=d.trace_id or None,
        event_id=f"{e.notice_key}/escalated",
    )


class MongoDeliveries:
    def __init__(self, outbox: OutboxCollection) -> None:
        self.outbox = outbox
        self.coll = outbox.collection
        self.work = WorkIndex(self.coll.database[WORK], self.coll)

    async def add(self, delivery: Delivery) -> bool:
        fields = delivery_doc(delivery)
        envs = [envelope_of(delivery, e, self.outbox.source) for e in delivery.events]
        try:
            await self.outbox.insert({"_id": delivery.id, **fields}, envs)
        except DuplicateKeyError:
            return False
        delivery.version = 1
        delivery.events.clear()
        await self.work.record(delivery.id, fields, new=True)
        return True

    async def get(self, delivery_id: str) -> Delivery | None:
        d = await self.coll.find_one({"_id": delivery_id})
        return delivery_from(d) if d else None

    async def save(self, delivery: Delivery) -> bool:
        fields = delivery_doc(delivery)
        envs = [envelope_of(delivery, e, self.outbox.source) for e in delivery.events]
        try:
            delivery.version = await self.outbox.update(delivery.id, delivery.version, fields, envs)
        except ConcurrencyConflict:
            return False
        delivery.events.clear()
        await self.work.record(delivery.id, fields)
        return True

    async def _find(self, q: Document, sort: str, limit: int, direction: int = 1) -> list[Delivery]:
        cur = self.coll.find(q, {"_outbox": 0}).sort(sort, direction).limit(limit)
        return [delivery_from(d) async for d in cur]

    async def _work(self, kind: str, now: datetime | None, limit: int) -> list[Delivery]:
        return [delivery_from(d) for d in await self.work.due(kind, now, limit)]

    async def due(self, now: datetime, limit: int) -> list[Delivery]:
        return await self._work(ATTEMPT, now, limit)

    async def next_due(self) -> datetime | None:
        return await self.work.earliest(ATTEMPT)

    async def due_digests(self, now: datetime, limit: int) -> list[Delivery]:
        return await self._work(DIGEST_WAIT, now, limit)

    async def digest_batches(self, digest_key: str) -> list[Delivery]:
        return await self._find(
            {"digest_key": digest_key, "event_type": DIGEST}, "created_at", 1000
        )

    async def ack_overdue(self, now: datetime, limit: int) -> list[Delivery]:
        return await self._work(ACK, now, limit)

    async def by_notice(self, notice: str) -> list[Delivery]:
        return await self._find({"notice": notice}, "created_at", 1000)

    async def undead_lettered(self, limit: int) -> list[Delivery]:
        return await self._work(DEADLETTER, None, limit)

    async def about(self, subject: str, event_ids: Sequence[str]) -> list[Delivery]:
        """By subject, or by cause for deliveries stored before they kept it; then the digests
        that folded any of them in (a digest's body quotes its items)."""
        causes: list[Document] = [{"subject": subject}]
        if event_ids:
            causes.append({"event_id": {"$in": list(event_ids)}})
        found = {d.id: d for d in await self._find({"$or": causes}, "created_at", 10_000)}
        if found:
            digests = {"digest_items": {"$in": list(found)}}
            found |= {d.id: d for d in await self._find(digests, "created_at", 10_000)}
        return list(found.values())

    async def unerased_before(self, before: datetime, limit: int) -> list[Delivery]:
        q = {"created_at": {"$lt": before}, "erased_at": None}
        return await self._find(q, "created_at", limit)

    async def query(self, q: DeliveryQuery) -> list[Delivery]:
        f: Document = {}
        for key in ("event_id", "recipient", "recipient_id", "channel", "status"):
            v = getattr(q, key)
            if v:
                f[key] = v
        if q.unacknowledged:
            f["acknowledged_at"] = None
        return await self._find(f, "created_at", max(1, min(q.limit, 500)), -1)
