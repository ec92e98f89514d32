"""What the use cases need from the outside world (implemented in adapters/)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from notify.domain.delivery import Delivery
from notify.domain.model import EscalationChain, Group, Recipient, RegistryUnit, Rule, Template
from notify.domain.resilience import CircuitBreaker
from notify.domain.routing import Attrs, Directory, Gap


class Clock(Protocol):
    def now(self) -> datetime: ...


@dataclass(frozen=True, slots=True)
class IncomingEvent:
    """An event as notify sees it: CloudEvents attributes, template data, routing attributes."""

    id: str
    type: str
    source: str
    subject: str
    time: datetime
    trace_id: str
    data: Mapping[str, Any]
    attrs: Attrs
    raw: bytes = b""


@dataclass(frozen=True, slots=True)
class SendResult:
    """What a channel answered. `permanent` failures are not retried (bad address, 4xx)."""

    ok: bool
    detail: str
    status_code: int = 0
    permanent: bool = False
    duration_ms: int = 0


class TemplateError(ValueError):
    """A template that does not compile or render."""


class OpsAlerts(Protocol):
    """The service's operational alerts (qingshan_core.ops), raised once per subject."""

    async def raise_once(
        self, kind: str, about: str, summary: str, detail: str = "", severity: str = "warning"
    ) -> bool: ...


class Renderer(Protocol):
    def render(self, source: str, context: Mapping[str, Any]) -> str:
        """Render one template text; TemplateError when it does not."""
        ...


class Sender(Protocol):
    async def send(self, delivery: Delivery, secret: str) -> SendResult: ...


class DirectoryRepo(Protocol):
    async def snapshot(self) -> Directory:
        """Everyone, as planning reads it (may be cached: it can lag a change made a moment ago
        through another replica)."""
        ...

    async def stored(self) -> Directory:
        """Everyone, as stored now."""
        ...

    async def get_recipient(self, recipient_id: str) -> Recipient | None: ...
    async def recipient_for_login(self, subject: str) -> Recipient | None: ...
    async def list_recipients(self) -> list[Recipient]: ...
    async def save_recipient(self, recipient: Recipient, create: bool) -> None: ...
    async def delete_recipient(self, recipient_id: str) -> bool: ...
    async def get_group(self, group_id: str) -> Group | None: ...
    async def list_groups(self) -> list[Group]: ...
    async def save_group(self, group: Group, create: bool) -> None: ...
    async def delete_group(self, group_id: str) -> bool: ...
    async def list_chains(self) -> list[EscalationChain]: ...
    async def save_chain(self, chain: EscalationChain) -> None: ...
    async def delete_chain(self, unit: str) -> bool: ...
    async def list_units(self) -> list[RegistryUnit]: ...
    async def apply_unit(self, unit: RegistryUnit) -> bool:
        """Keep a newer state of a registry unit; False when the stored one is as new."""
        ...


class RuleRepo(Protocol):
    async def for_event_type(self, event_type: str) -> list[Rule]: ...
    async def get(self, rule_id: str) -> Rule | None: ...
    async def list(self, event_type: str | None = None) -> list[Rule]: ...
    async def save(self, rule: Rule, create: bool) -> None: ...
    async def delete(self, rule_id: str) -> bool: ...


class TemplateRepo(Protocol):
    async def get(self, template_id: str) -> Template | None: ...
    async def for_event_type(self, event_type: str) -> list[Template]: ...
    async def list(self, event_type: str | None = None) -> list[Template]: ...
    async def save(self, template: Template, create: bool) -> None: ...
    async def delete(self, template_id: str) -> bool: ...


@dataclass(frozen=True, slots=True)
class DeliveryQuery:
    event_id: str | None = None
    recipient: str | None = None
    recipient_id: str | None = None
    channel: str | None = None
    status: str | None = None
    unacknowledged: bool = False
    limit: int = 100


class DeliveryRepo(Protocol):
    async def add(self, delivery: Delivery) -> bool:
        """Insert if absent; False when a delivery with this id already exists."""
        ...

    async def get(self, delivery_id: str) -> Delivery | None: ...
    async def save(self, delivery: Delivery) -> bool:
        """Write the changed state and pending events iff the version is unchanged; False on a
        concurrent change. Bumps `delivery.version` and clears `delivery.events` on success."""
        ...

    async def due(self, now: datetime, limit: int) -> list[Delivery]: ...
    async def next_due(self) -> datetime | None:
        """The earliest next-attempt time of any open delivery."""
        ...

    async def due_digests(self, now: datetime, limit: int) -> list[Delivery]: ...
    async def digest_batches(self, digest_key: str) -> list[Delivery]: ...
    async def ack_overdue(self, now: datetime, limit: int) -> list[Delivery]: ...
    async def by_notice(self, notice: str) -> list[Delivery]: ...
    async def undead_lettered(self, limit: int) -> list[Delivery]: ...
    async def query(self, q: DeliveryQuery) -> list[Delivery]: ...
    async def about(self, subject: str, event_ids: Sequence[str]) -> list[Delivery]:
        """Deliveries caused by events about `subject` (or with these event ids), and the
        digests that folded any of them in."""
        ...

    async def unerased_before(self, before: datetime, limit: int) -> list[Delivery]: ...


class EventStore(Protocol):
    async def put(self, event: IncomingEvent) -> None: ...
    async def get(self, event_id: str) -> IncomingEvent | None: ...
    async def forget_subject(self, subject: str) -> list[str]:
        """Drop the stored events about `subject` (their payloads); returns their ids."""
        ...


class ResilienceStore(Protocol):
    async def breaker(self, channel: str) -> tuple[CircuitBreaker, int]:
        """The channel's breaker and its version (0 when never saved)."""
        ...

    async def save_breaker(self, breaker: CircuitBreaker, version: int) -> bool: ...
    async def count_in_window(self, channel: str, window: int) -> int:
        """Add one to the channel's counter for `window` and return the new count."""
        ...


class DeadLetters(Protocol):
    async def publish(self, delivery: Delivery, event: IncomingEvent | None, reason: str) -> None:
        """Put a finally failed delivery on the dead-letter topic."""
        ...


@dataclass(frozen=True, slots=True)
class GapRecord:
    """A target of a rule that reached nobody: since when, how often, the latest reason."""

    key: str
    rule_id: str
    rule_name: str
    event_type: str
    kind: str
    scope: str
    role: str
    reason: str
    first_seen: datetime
    last_seen: datetime
    notices: int
    last_event_id: str
    day: str


class GapStore(Protocol):
    async def record(
        self, gap: Gap, rule: Rule, event: IncomingEvent, now: datetime, day: str
    ) -> bool:
        """Count one notice that went nowhere for `gap`; True when this was the gap's first
        today (`day`, local) and RecipientUnreachable went into the outbox with it. An event
        already counted (a redelivery) counts nothing."""
        ...

    async def list(self) -> list[GapRecord]: ...


@dataclass(frozen=True, slots=True)
class Outcome:
    """What planning did with one event (for logs and the direct-send answer)."""

    created: list[str] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)
    unreachable: list[str] = field(default_factory=list)
    gaps: list[str] = field(default_factory=list)  # keys of targets that reached nobody
    rules: list[str] = field(default_factory=list)
    ready: list[Delivery] = field(default_factory=list)


SenderMap = Mapping[str, Sender]
IdList = Sequence[str]
