"""A delivery: one message to one recipient on one channel, and its state machine.

Its id is derived from (event id, recipient, channel, escalation level), so planning the same
event twice finds the first delivery instead of making a second one.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from notify.domain.errors import InvalidTransition
from notify.domain.model import OPEN_STATUSES, AckState, Channel, Priority, Status
from notify.domain.resilience import RetryPolicy

MAX_HISTORY = 50
ERASED_TITLE = "（内容已依法删除）"
ERASED_BODY = "本消息引用的个人信息已依法删除。 / This message's personal data was erased."


def delivery_id(event_id: str, recipient_key: str, channel: Channel, level: int = 0) -> str:
    """Deterministic: the same (event, recipient, channel, level) always gives the same id."""
    raw = f"{event_id}\x1f{recipient_key}\x1f{channel.value}\x1f{level}"
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


def notice_key(event_id: str, rule_id: str, level: int) -> str:
    """All deliveries one rule made for one event at one escalation level."""
    return f"{event_id}/{rule_id}/{level}"


@dataclass(frozen=True, slots=True)
class Attempt:
    """One try (or a deferral, which is not counted) and what the channel answered."""

    number: int
    at: datetime
    outcome: str  # sent | failed | deferred
    detail: str = ""
    status_code: int = 0
    duration_ms: int = 0


@dataclass(frozen=True, slots=True)
class DeliveryFailed:
    """Domain event: the delivery gave up (→ notify.delivery.failed and the dead-letter topic)."""

    delivery_id: str
    at: datetime
    reason: str
    attempts: int


@dataclass(frozen=True, slots=True)
class NoticeEscalated:
    """Domain event: a notice nobody acknowledged in time went up the escalation chain."""

    notice_key: str
    at: datetime
    event_id: str
    event_type: str
    rule_id: str
    from_level: int
    to_level: int
    recipients: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DeliveryResent:
    """Domain event: an administrator resent a dead letter as a new delivery."""

    delivery_id: str
    at: datetime
    by: str
    resent_as: str


DomainEvent = DeliveryFailed | NoticeEscalated | DeliveryResent


def resend_id(dead_letter_id: str) -> str:
    """The one resend of a dead letter: the same dead letter always gives the same id."""
    return hashlib.sha256(f"{dead_letter_id}\x1fresend".encode()).hexdigest()[:32]


@dataclass(slots=True)
class Delivery:
    id: str
    event_id: str
    event_type: str
    rule_id: str
    recipient: str  # person:<id> | group:<id>
    recipient_id: str
    recipient_name: str
    channel: Channel
    address: str
    priority: Priority
    title: str
    body: str
    created_at: datetime
    status: Status
    next_attempt_at: datetime | None
    level: int = 0
    unit: str = ""
    trace_id: str = ""
    hold_reason: str = ""
    template_id: str = ""
    notes: str = ""
    digest_key: str = ""
    digest_id: str = ""
    digest_items: tuple[str, ...] = ()
    ack_within_minutes: int | None = None
    ack_state: AckState = AckState.NONE
    ack_deadline: datetime | None = None
    acknowledged_at: datetime | None = None
    acknowledged_by: str = ""
    attempt_count: int = 0
    history: list[Attempt] = field(default_factory=list)
    sent_at: datetime | None = None
    failed_at: datetime | None = None
    last_error: str = ""
    dead_lettered: bool = False
    # A dead letter an administrator resent: who, when, and the new delivery's id.
    resent_at: datetime | None = None
    resent_by: str = ""
    resent_as: str = ""
    # The cause's aggregate (the Kafka key, e.g. a complaint id): what an erasure finds it by.
    subject: str = ""
    erased_at: datetime | None = None
    version: int = 0
    events: list[DomainEvent] = field(default_factory=list)

    @property
    def notice(self) -> str:
        return notice_key(self.event_id, self.rule_id, self.level)

    @property
    def final(self) -> bool:
        return self.status in (Status.SENT, Status.FAILED, Status.DIGESTED)

    def due(self, now: datetime) -> bool:
        return (
            self.status in OPEN_STATUSES
            and self.next_attempt_at is not None
            and self.next_attempt_at <= now
        )

    def _log(self, attempt: Attempt) -> None:
        self.history = [*self.history, attempt][-MAX_HISTORY:]

    def claim(self, now: datetime, lease: timedelta) -> None:
        """Take the delivery for one send; if the sender dies, it is due again when the lease
        ends."""
        if not self.due(now):
            raise InvalidTransition(f"delivery {self.id} is {self.status.value}, not due")
        self.status = Status.SENDING
        self.next_attempt_at = now + lease

    def defer(self, now: datetime, until: datetime, reason: str) -> None:
        """Put a claimed delivery back without counting an attempt (rate limit, open breaker)."""
        self._require(Status.SENDING)
        self.status = Status.RETRYING if self.attempt_count else Status.PENDING
        self.next_attempt_at = until
        self._log(Attempt(self.attempt_count, now, "deferred", reason))

    def succeeded(self, now: datetime, detail: str, status_code: int = 0, ms: int = 0) -> None:
        self._require(Status.SENDING)
        self.attempt_count += 1
        self._log(Attempt(self.attempt_count, now, "sent", detail, status_code, ms))
        self.status = Status.SENT
        self.sent_at = now
        self.next_attempt_at = None
        self.last_error = ""
        if self.ack_within_minutes and self.channel is Channel.INBOX:
            self.ack_state = AckState.AWAITING
            self.ack_deadline = now + timedelta(minutes=self.ack_within_minutes)

    def failed(
        self,
        now: datetime,
        error: str,
        *,
        permanent: bool,
        policy: RetryPolicy,
        rand: float,
        status_code: int = 0,
        ms: int = 0,
    ) -> None:
        """Retry later with backoff, or give up (attempts spent or a permanent error)."""
        self._require(Status.SENDING)
        self.attempt_count += 1
        self._log(Attempt(self.attempt_count, now, "failed", error, status_code, ms))
        self.last_error = error
        if permanent or policy.exhausted(self.attempt_count):
            self.status = Status.FAILED
            self.failed_at = now
            self.next_attempt_at = None
            why = "permanent error / 永久性错误" if permanent else "attempts spent / 重试次数用尽"
            reason = f"{why}: {error}"
            self.events.append(DeliveryFailed(self.id, now, reason, self.attempt_count))
            return
        self.status = Status.RETRYING
        self.next_attempt_at = now + policy.delay(self.attempt_count, rand)

    def resend(self, now: datetime, by: str, address: str | None = None) -> Delivery:
        """A new delivery of this dead letter, due now, to `address` (the directory's current
        one; default the old); this one records who resent it and when, with DeliveryResent.
        Only a dead-lettered delivery not resent before may be resent."""
        if self.status is not Status.FAILED or not self.dead_lettered:
            raise InvalidTransition(f"delivery {self.id} is {self.status.value}, not a dead letter")
        if self.resent_at is not None:
            raise InvalidTransition(f"delivery {self.id} was resent as {self.resent_as}")
        new = Delivery(
            id=resend_id(self.id),
            event_id=self.event_id,
            event_type=self.event_type,
            rule_id=self.rule_id,
            recipient=self.recipient,
            recipient_id=self.recipient_id,
            recipient_name=self.recipient_name,
            channel=self.channel,
            address=address or self.address,
            priority=self.priority,
            title=self.title,
            body=self.body,
            created_at=now,
            status=Status.PENDING,
            next_attempt_at=now,
            level=self.level,
            unit=self.unit,
            trace_id=self.trace_id,
            template_id=self.template_id,
            notes=f"resend of {self.id} by {by} / 死信重发",
            ack_within_minutes=self.ack_within_minutes,
            subject=self.subject,
        )
        self.resent_at, self.resent_by, self.resent_as = now, by, new.id
        self.events.append(DeliveryResent(self.id, now, by, new.id))
        return new

    def erase(self, now: datetime) -> bool:
        """Personal data of the cause was erased (or this delivery outlived its retention): the
        rendered text that may quote it goes, the record of who was told when stays. False
        when erased before."""
        if self.erased_at is not None:
            return False
        self.title, self.body, self.erased_at = ERASED_TITLE, ERASED_BODY, now
        return True

    def fold_into(self, digest_delivery_id: str) -> None:
        self._require(Status.DIGEST)
        self.status = Status.DIGESTED
        self.digest_id = digest_delivery_id
        self.next_attempt_at = None

    def acknowledge(self, now: datetime, by: str) -> bool:
        """Mark read and acknowledged; False when it already was (idempotent)."""
        if self.channel is not Channel.INBOX or self.status is not Status.SENT:
            raise InvalidTransition("only a delivered inbox item can be acknowledged")
        if self.acknowledged_at is not None:
            return False
        self.acknowledged_at = now
        self.acknowledged_by = by
        if self.ack_state in (AckState.AWAITING, AckState.COVERED, AckState.NONE):
            self.ack_state = AckState.ACKNOWLEDGED
        return True

    def cover(self) -> None:
        """Another recipient of the same notice acknowledged: nothing left to escalate here."""
        if self.ack_state is AckState.AWAITING:
            self.ack_state = AckState.COVERED

    def mark_escalated(self, event: NoticeEscalated | None = None) -> None:
        """Nobody acknowledged in time; `event` is recorded on one delivery of the notice."""
        if self.ack_state is not AckState.AWAITING:
            raise InvalidTransition(f"delivery {self.id} is not awaiting acknowledgement")
        self.ack_state = AckState.ESCALATED
        if event is not None:
            self.events.append(event)

    def _require(self, status: Status) -> None:
        if self.status is not status:
            raise InvalidTransition(
                f"delivery {self.id} is {self.status.value}, expected {status.value}"
            )
