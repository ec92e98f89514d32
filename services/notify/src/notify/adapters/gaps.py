"""Recorded gaps (targets of a rule that reached nobody), one document per rule and target,
written through the outbox: the first notice of each Beijing day carries
notify.recipient.unreachable (RecipientUnreachable) in the same write."""

from __future__ import annotations

from datetime import datetime

from prometheus_client import Counter
from pymongo.errors import DuplicateKeyError

from notify.domain.model import Rule
from notify.domain.routing import Gap
from notify.service_layer.ports import GapRecord, IncomingEvent
from qingshan.notify.v1 import events_pb2
from qingshan_core.events import Envelope, timestamp
from qingshan_core.logging import get_logger
from qingshan_core.mongo import Document
from qingshan_core.outbox import VERSION, ConcurrencyConflict, OutboxCollection

GAPS = "recipient_gaps"
ATTEMPTS = 5
log = get_logger(__name__)
UNREACHABLE = Counter(
    "qingshan_notify_unreachable_notices_total",
    "Notices whose rule target reached nobody (a unit without its head, an empty group ...)",
    ["rule", "kind", "role"],
)


def gap_from(d: Document) -> GapRecord:
    return GapRecord(
        key=d["_id"],
        rule_id=d["rule_id"],
        rule_name=d.get("rule_name", ""),
        event_type=d.get("event_type", ""),
        kind=d["kind"],
        scope=d["scope"],
        role=d.get("role", ""),
        reason=d.get("reason", ""),
        first_seen=d["first_seen"],
        last_seen=d["last_seen"],
        notices=int(d.get("notices", 0)),
        last_event_id=d.get("last_event_id", ""),
        day=d.get("day", ""),
    )


class MongoGaps:
    def __init__(self, outbox: OutboxCollection) -> None:
        self.outbox = outbox
        self.coll = outbox.collection

    def _event(
        self,
        key: str,
        gap: Gap,
        rule: Rule,
        event: IncomingEvent,
        now: datetime,
        day: str,
        first_seen: datetime,
        notices: int,
    ) -> Envelope:
        msg = events_pb2.RecipientUnreachable(
            gap_key=key,
            occurred_at=timestamp(now),
            rule_id=rule.id,
            event_type=event.type,
            kind=gap.kind.value,
            scope=gap.scope,
            role=gap.role,
            reason=gap.reason[:500],
            event_id=event.id,
            day=day,
            first_seen=timestamp(first_seen),
            notices=notices,
        )
        return Envelope.wrap(
            msg,
            source=self.outbox.source,
            subject=key,
            trace_id=event.trace_id or None,
            event_id=f"{key}/{day}",  # once per gap and day, even if a write is retried
        )

    async def record(
        self, gap: Gap, rule: Rule, event: IncomingEvent, now: datetime, day: str
    ) -> bool:
        key = gap.key(rule.id)
        UNREACHABLE.labels(rule.id, gap.kind.value, gap.role).inc()
        published = await self._record(key, gap, rule, event, now, day)
        if published:
            log.warning(
                "notify.recipient_unreachable",
                gap=key,
                rule_id=rule.id,
                event_id=event.id,
                reason=gap.reason,
            )
        return published

    async def _record(
        self, key: str, gap: Gap, rule: Rule, event: IncomingEvent, now: datetime, day: str
    ) -> bool:
        for _ in range(ATTEMPTS):
            d = await self.coll.find_one({"_id": key}, {"_outbox": 0})
            if d is None:
                doc = {
                    "_id": key,
                    "rule_id": rule.id,
                    "rule_name": rule.name,
                    "event_type": event.type,
                    "kind": gap.kind.value,
                    "scope": gap.scope,
                    "role": gap.role,
                    "reason": gap.reason,
                    "first_seen": now,
                    "last_seen": now,
                    "notices": 1,
                    "last_event_id": event.id,
                    "day": day,
                }
                env = self._event(key, gap, rule, event, now, day, now, 1)
                try:
                    await self.outbox.insert(doc, [env])
                except DuplicateKeyError:
                    continue  # recorded meanwhile by another notice: count this one on it
                return True
            if d.get("last_event_id") == event.id:
                return False  # this event was counted already (redelivered)
            first_seen = d["first_seen"]
            notices = int(d.get("notices", 0)) + 1
            publish = d.get("day") != day
            fields = {
                "rule_name": rule.name,
                "event_type": event.type,
                "reason": gap.reason,
                "last_seen": now,
                "notices": notices,
                "last_event_id": event.id,
                "day": day,
            }
            envs = [self._event(key, gap, rule, event, now, day, first_seen, notices)]
            try:
                await self.outbox.update(key, int(d[VERSION]), fields, envs if publish else [])
            except ConcurrencyConflict:
                continue
            return publish
        return False  # pragma: no cover - five concurrent writers in a row; the count lags

    async def list(self) -> list[GapRecord]:
        return [gap_from(d) async for d in self.coll.find({}, {"_outbox": 0})]
