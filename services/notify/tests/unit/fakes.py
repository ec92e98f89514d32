"""In-memory stand-ins for the service layer's ports (pure tests only; the integration tests
use the real store, broker and servers)."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from notify.adapters.event_codec import build_catalog
from notify.adapters.templates import JinjaRenderer
from notify.domain.default_templates import default_templates
from notify.domain.delivery import Delivery, DomainEvent
from notify.domain.errors import Conflict, NotFound
from notify.domain.model import (
    OPEN_STATUSES,
    AckState,
    EscalationChain,
    Group,
    Recipient,
    RegistryUnit,
    Rule,
    Status,
    Template,
)
from notify.domain.resilience import CircuitBreaker
from notify.domain.routing import Directory, Gap
from notify.domain.unit_registry import effective_chains
from notify.service_layer.context import NotifyContext, Policies
from notify.service_layer.ports import DeliveryQuery, GapRecord, IncomingEvent, SendResult


@dataclass
class Clock:
    at: datetime

    def now(self) -> datetime:
        return self.at


def _save(store: dict[str, Any], key: str, value: Any, create: bool) -> None:
    if create and key in store:
        raise Conflict(key)
    if not create and key not in store:
        raise NotFound(key)
    store[key] = value


@dataclass
class FakeDirectory:
    recipients: dict[str, Recipient] = field(default_factory=dict)
    groups: dict[str, Group] = field(default_factory=dict)
    chains: dict[str, EscalationChain] = field(default_factory=dict)
    units: dict[str, RegistryUnit] = field(default_factory=dict)

    async def snapshot(self) -> Directory:
        chains = effective_chains(self.chains.values(), self.units.values())
        return Directory(dict(self.recipients), dict(self.groups), chains, dict(self.units))

    stored = snapshot

    async def get_recipient(self, rid: str) -> Recipient | None:
        return self.recipients.get(rid)

    async def recipient_for_login(self, subject: str) -> Recipient | None:
        return next((r for r in self.recipients.values() if r.login == subject), None)

    async def list_recipients(self) -> list[Recipient]:
        return list(self.recipients.values())

    async def save_recipient(self, r: Recipient, create: bool) -> None:
        _save(self.recipients, r.id, r, create)

    async def delete_recipient(self, rid: str) -> bool:
        return self.recipients.pop(rid, None) is not None

    async def get_group(self, gid: str) -> Group | None:
        return self.groups.get(gid)

    async def list_groups(self) -> list[Group]:
        return list(self.groups.values())

    async def save_group(self, g: Group, create: bool) -> None:
        _save(self.groups, g.id, g, create)

    async def delete_group(self, gid: str) -> bool:
        return self.groups.pop(gid, None) is not None

    async def list_chains(self) -> list[EscalationChain]:
        return list(self.chains.values())

    async def save_chain(self, c: EscalationChain) -> None:
        self.chains[c.unit] = c

    async def delete_chain(self, unit: str) -> bool:
        return self.chains.pop(unit, None) is not None

    async def list_units(self) -> list[RegistryUnit]:
        return list(self.units.values())

    async def apply_unit(self, unit: RegistryUnit) -> bool:
        old = self.units.get(unit.id)
        if old is not None and old.version >= unit.version:
            return False
        self.units[unit.id] = unit
        return True


@dataclass
class FakeRules:
    rules: dict[str, Rule] = field(default_factory=dict)

    async def for_event_type(self, t: str) -> list[Rule]:
        return [r for r in self.rules.values() if r.event_type == t and r.enabled]

    async def get(self, rid: str) -> Rule | None:
        return self.rules.get(rid)

    async def list(self, event_type: str | None = None) -> list[Rule]:
        return [r for r in self.rules.values() if event_type in (None, r.event_type)]

    async def save(self, rule: Rule, create: bool) -> None:
        _save(self.rules, rule.id, rule, create)

    async def delete(self, rid: str) -> bool:
        return self.rules.pop(rid, None) is not None


@dataclass
class FakeTemplates:
    items: dict[str, Template] = field(
        default_factory=lambda: {t.id: t for t in default_templates()}
    )

    async def get(self, tid: str) -> Template | None:
        return self.items.get(tid)

    async def for_event_type(self, t: str) -> list[Template]:
        return [x for x in self.items.values() if x.event_type == t]

    async def list(self, event_type: str | None = None) -> list[Template]:
        return [x for x in self.items.values() if event_type in (None, x.event_type)]

    async def save(self, t: Template, create: bool) -> None:
        _save(self.items, t.id, t, create)

    async def delete(self, tid: str) -> bool:
        return self.items.pop(tid, None) is not None


@dataclass
class FakeDeliveries:
    docs: dict[str, Delivery] = field(default_factory=dict)
    published: list[DomainEvent] = field(default_factory=list)

    async def add(self, d: Delivery) -> bool:
        if d.id in self.docs:
            return False
        self.published.extend(d.events)
        d.events.clear()
        d.version = 1
        self.docs[d.id] = copy.deepcopy(d)
        return True

    async def get(self, did: str) -> Delivery | None:
        d = self.docs.get(did)
        return copy.deepcopy(d) if d else None

    async def save(self, d: Delivery) -> bool:
        current = self.docs.get(d.id)
        if current is None or current.version != d.version:
            return False
        self.published.extend(d.events)
        d.events.clear()
        d.version += 1
        self.docs[d.id] = copy.deepcopy(d)
        return True

    def _all(self) -> list[Delivery]:
        return [copy.deepcopy(d) for d in self.docs.values()]

    async def due(self, now: datetime, limit: int) -> list[Delivery]:
        return [
            d
            for d in self._all()
            if d.status in OPEN_STATUSES and d.next_attempt_at and d.next_attempt_at <= now
        ][:limit]

    async def next_due(self) -> datetime | None:
        times = [
            d.next_attempt_at
            for d in self._all()
            if d.status in OPEN_STATUSES and d.next_attempt_at
        ]
        return min(times, default=None)

    async def due_digests(self, now: datetime, limit: int) -> list[Delivery]:
        return [
            d
            for d in self._all()
            if d.status is Status.DIGEST and d.next_attempt_at and d.next_attempt_at <= now
        ][:limit]

    async def digest_batches(self, key: str) -> list[Delivery]:
        return [d for d in self._all() if d.digest_key == key and d.event_type == "notify.digest"]

    async def ack_overdue(self, now: datetime, limit: int) -> list[Delivery]:
        return [
            d
            for d in self._all()
            if d.ack_state is AckState.AWAITING and d.ack_deadline and d.ack_deadline <= now
        ][:limit]

    async def by_notice(self, notice: str) -> list[Delivery]:
        return [d for d in self._all() if d.notice == notice]

    async def undead_lettered(self, limit: int) -> list[Delivery]:
        return [d for d in self._all() if d.status is Status.FAILED and not d.dead_lettered][:limit]

    async def query(self, q: DeliveryQuery) -> list[Delivery]:
        out = self._all()
        for key in ("event_id", "recipient", "recipient_id", "channel", "status"):
            want = getattr(q, key)
            if want:
                out = [d for d in out if str(getattr(d, key)) == want]
        return out[: q.limit]

    async def about(self, subject: str, event_ids: Sequence[str]) -> list[Delivery]:
        found = [d for d in self._all() if d.subject == subject or d.event_id in event_ids]
        ids = {d.id for d in found}
        return found + [
            d for d in self._all() if d.id not in ids and ids.intersection(d.digest_items)
        ]

    async def unerased_before(self, before: datetime, limit: int) -> list[Delivery]:
        return [d for d in self._all() if d.created_at < before and d.erased_at is None][:limit]


@dataclass
class FakeEvents:
    items: dict[str, IncomingEvent] = field(default_factory=dict)

    async def put(self, e: IncomingEvent) -> None:
        self.items.setdefault(e.id, e)

    async def get(self, eid: str) -> IncomingEvent | None:
        return self.items.get(eid)

    async def forget_subject(self, subject: str) -> list[str]:
        ids = [k for k, e in self.items.items() if e.subject == subject]
        for k in ids:
            del self.items[k]
        return ids


@dataclass
class FakeResilience:
    breakers: dict[str, tuple[CircuitBreaker, int]] = field(default_factory=dict)
    windows: dict[str, int] = field(default_factory=dict)

    async def breaker(self, ch: str) -> tuple[CircuitBreaker, int]:
        return self.breakers.get(ch, (CircuitBreaker(ch), 0))

    async def save_breaker(self, b: CircuitBreaker, version: int) -> bool:
        if self.breakers.get(b.channel, (None, 0))[1] != version:
            return False
        self.breakers[b.channel] = (b, version + 1)
        return True

    async def count_in_window(self, ch: str, window: int) -> int:
        key = f"{ch}:{window}"
        self.windows[key] = self.windows.get(key, 0) + 1
        return self.windows[key]


@dataclass
class FakeSender:
    answers: list[SendResult] = field(default_factory=list)
    sent: list[Delivery] = field(default_factory=list)

    async def send(self, d: Delivery, secret: str) -> SendResult:
        self.sent.append(d)
        return self.answers.pop(0) if self.answers else SendResult(True, "ok", 200)


@dataclass
class FakeGaps:
    """Gap records by key, plus the RecipientUnreachable events they would publish."""

    records: dict[str, GapRecord] = field(default_factory=dict)
    published: list[tuple[str, str]] = field(default_factory=list)  # (key, day)

    async def record(
        self, gap: Gap, rule: Rule, event: IncomingEvent, now: datetime, day: str
    ) -> bool:
        key = gap.key(rule.id)
        old = self.records.get(key)
        if old is not None and old.last_event_id == event.id:
            return False
        publish = old is None or old.day != day
        self.records[key] = GapRecord(
            key,
            rule.id,
            rule.name,
            event.type,
            gap.kind.value,
            gap.scope,
            gap.role,
            gap.reason,
            old.first_seen if old else now,
            now,
            (old.notices if old else 0) + 1,
            event.id,
            day,
        )
        if publish:
            self.published.append((key, day))
        return publish

    async def list(self) -> list[GapRecord]:
        return list(self.records.values())


@dataclass
class FakeDeadLetters:
    records: list[tuple[str, str]] = field(default_factory=list)

    async def publish(self, d: Delivery, event: IncomingEvent | None, reason: str) -> None:
        self.records.append((d.id, reason))


@dataclass
class FakeOps:
    """Records the ops alerts raised, once per subject like qingshan_core.ops."""

    alerts: dict[str, tuple[str, str]] = field(default_factory=dict)

    async def raise_once(
        self, kind: str, about: str, summary: str, detail: str = "", severity: str = "warning"
    ) -> bool:
        subject = f"{kind.replace('_', '-')}/{about}"
        if subject in self.alerts:
            return False
        self.alerts[subject] = (summary, detail)
        return True


def make_ctx(clock: Clock, senders: dict[str, FakeSender], **policy: Any) -> NotifyContext:
    return NotifyContext(
        clock=clock,
        catalog=build_catalog(),
        renderer=JinjaRenderer(),
        directory=FakeDirectory(),
        rules=FakeRules(),
        templates=FakeTemplates(),
        deliveries=FakeDeliveries(),
        events=FakeEvents(),
        resilience=FakeResilience(),
        senders=senders,
        dead_letters=FakeDeadLetters(),
        ops=FakeOps(),
        gaps=FakeGaps(),
        policies=replace(Policies(), **policy),
        rand=lambda: 0.5,
    )
