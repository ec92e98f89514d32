"""Everything a use case needs, assembled once by bootstrap (and by unit tests with fakes)."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from notify.domain.catalog import EventCatalog
from notify.domain.delivery import Delivery
from notify.domain.model import SHANGHAI, QuietHours
from notify.domain.resilience import RateLimit, RetryPolicy
from notify.service_layer.ports import (
    Clock,
    DeadLetters,
    DeliveryRepo,
    DirectoryRepo,
    EventStore,
    GapStore,
    OpsAlerts,
    Renderer,
    ResilienceStore,
    RuleRepo,
    SenderMap,
    TemplateRepo,
)


@dataclass(frozen=True, slots=True)
class Policies:
    """Tunable behaviour (from settings)."""

    retry: RetryPolicy = field(default_factory=RetryPolicy)
    breaker_threshold: int = 5
    breaker_cooldown_seconds: float = 60.0
    rate_limits: Mapping[str, RateLimit] = field(default_factory=dict)
    quiet_hours: QuietHours = field(default_factory=QuietHours)
    tz: str = SHANGHAI
    digest_daily_at: time = time(8, 0)
    lease: timedelta = timedelta(seconds=60)
    batch: int = 50
    concurrency: int = 8
    webhook_require_https: bool = False
    webhook_allowed_hosts: tuple[str, ...] = ()
    webhook_refuse_private: bool = False

    def local_text(self, at: datetime) -> str:
        return at.astimezone(ZoneInfo(self.tz)).strftime("%Y-%m-%d %H:%M")


def _noop(ready: Sequence[Delivery] = ()) -> None:
    return None


@dataclass(slots=True)
class NotifyContext:
    clock: Clock
    catalog: EventCatalog
    renderer: Renderer
    directory: DirectoryRepo
    rules: RuleRepo
    templates: TemplateRepo
    deliveries: DeliveryRepo
    events: EventStore
    resilience: ResilienceStore
    senders: SenderMap
    dead_letters: DeadLetters
    ops: OpsAlerts
    gaps: GapStore
    policies: Policies = field(default_factory=Policies)
    source: str = "/qingshan/notify"
    rand: Callable[[], float] = random.random
    # Called after new deliveries were stored; `ready` are the ones due now, which the
    # dispatcher may send at once (the stored documents stay the truth: polling finds them too).
    wake: Callable[[Sequence[Delivery]], None] = _noop
