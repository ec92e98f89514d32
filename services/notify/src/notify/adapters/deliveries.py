"""Deliveries in the store, written through the outbox: a state change and the events it
causes (notify.delivery.failed, notify.notice.escalated) are one document write."""

from __future__ import annotations

from datetime import UTC, datetime

from google.protobuf.timestamp_pb2 import Timestamp
from pymongo.errors import DuplicateKeyError

from notify.adapters.documents import delivery_doc, delivery_from
from notify.domain.catalog import DIGEST
from notify.domain.delivery import Delivery, DeliveryFailed, DomainEvent, NoticeEscalated
from notify.domain.model import OPEN_STATUSES, AckState, Status
from notify.service_layer.ports import DeliveryQuery
from qingshan.notify.v1 import events_pb2
from qingshan_core.events import Envelope
from qingshan_core.mongo import Document, IndexSpec
from qingshan_core.outbox import ConcurrencyConflict, OutboxCollection

DELIVERIES = "deliveries"


def delivery_indexes() -> list[IndexSpec]:
    return [
        IndexSpec(DELIVERIES, [("status", 1), ("next_attempt_at", 1)]),
        IndexSpec(DELIVERIES, [("event_id", 1), ("created_at", -1)]),
        IndexSpec(DELIVERIES, [("recipient_id", 1), ("channel", 1), ("created_at", -1)]),
        IndexSpec(DELIVERIES, [("ack_state", 1), ("ack_deadline", 1)]),
        IndexSpec(DELIVERIES, [("notice", 1)]),
        IndexSpec(DELIVERIES, [("digest_key", 1)]),
        IndexSpec(DELIVERIES, [("status", 1), ("dead_lettered", 1)]),
    ]


def _ts(at: datetime) -> Timestamp:
    ts = Timestamp()
    ts.FromDatetime(at)
    return ts


def envelope_of(d: Delivery, e: DomainEvent, source: str) -> Envelope:
    """The protobuf event (qingshan.notify.v1) for one domain event of a delivery."""
    if isinstance(e, DeliveryFailed):
        msg = events_pb2.DeliveryFailed(
            delivery_id=d.id,
            occurred_at=_ts(e.at),
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
    assert isinstance(e, NoticeEscalated)
    esc = events_pb2.NoticeEscalated(
        notice_key=e.notice_key,
        occurred_at=_ts(e.at),
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

    async def add(self, delivery: Delivery) -> bool:
        doc = {"_id": delivery.id, **delivery_doc(delivery)}
        envs = [envelope_of(delivery, e, self.outbox.source) for e in delivery.events]
        try:
            await self.outbox.insert(doc, envs)
        except DuplicateKeyError:
            return False
        delivery.version = 1
        delivery.events.clear()
        return True

    async def get(self, delivery_id: str) -> Delivery | None:
        d = await self.coll.find_one({"_id": delivery_id})
        return delivery_from(d) if d else None

    async def save(self, delivery: Delivery) -> bool:
        envs = [envelope_of(delivery, e, self.outbox.source) for e in delivery.events]
        try:
            delivery.version = await self.outbox.update(
                delivery.id, delivery.version, delivery_doc(delivery), envs
            )
        except ConcurrencyConflict:
            return False
        delivery.events.clear()
        return True

    async def _find(self, q: Document, sort: str, limit: int, direction: int = 1) -> list[Delivery]:
        cur = self.coll.find(q, {"_outbox": 0}).sort(sort, direction).limit(limit)
        return [delivery_from(d) async for d in cur]

    async def due(self, now: datetime, limit: int) -> list[Delivery]:
        q = {"status": {"$in": [s.value for s in OPEN_STATUSES]}, "next_attempt_at": {"$lte": now}}
        return await self._find(q, "next_attempt_at", limit)

    async def next_due(self) -> datetime | None:
        q = {"status": {"$in": [s.value for s in OPEN_STATUSES]}}
        doc = await self.coll.find_one(q, {"next_attempt_at": 1}, sort=[("next_attempt_at", 1)])
        at: datetime | None = doc.get("next_attempt_at") if doc else None
        return at if at is None or at.tzinfo else at.replace(tzinfo=UTC)

    async def due_digests(self, now: datetime, limit: int) -> list[Delivery]:
        q = {"status": Status.DIGEST.value, "next_attempt_at": {"$lte": now}}
        return await self._find(q, "next_attempt_at", limit)

    async def digest_batches(self, digest_key: str) -> list[Delivery]:
        return await self._find(
            {"digest_key": digest_key, "event_type": DIGEST}, "created_at", 1000
        )

    async def ack_overdue(self, now: datetime, limit: int) -> list[Delivery]:
        q = {"ack_state": AckState.AWAITING.value, "ack_deadline": {"$lte": now}}
        return await self._find(q, "ack_deadline", limit)

    async def by_notice(self, notice: str) -> list[Delivery]:
        return await self._find({"notice": notice}, "created_at", 1000)

    async def undead_lettered(self, limit: int) -> list[Delivery]:
        q = {"status": Status.FAILED.value, "dead_lettered": False}
        return await self._find(q, "failed_at", limit)

    async def query(self, q: DeliveryQuery) -> list[Delivery]:
        f: Document = {}
        for key in ("event_id", "recipient", "recipient_id", "channel", "status"):
            v = getattr(q, key)
            if v:
                f[key] = v
        if q.unacknowledged:
            f["acknowledged_at"] = None
        return await self._find(f, "created_at", max(1, min(q.limit, 500)), -1)
