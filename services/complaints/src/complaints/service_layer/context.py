"""What every use case needs, assembled once in bootstrap."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from complaints.adapters.audit import PiiAudit
from complaints.adapters.config_store import CalendarStore, PolicyStore
from complaints.adapters.keys import KeyIndex
from complaints.adapters.places import PlaceIndex
from complaints.adapters.platform_mapping import PlatformConfig
from complaints.adapters.platform_queue import PlatformQueue
from complaints.adapters.units import UnitRepository
from complaints.domain.monitor import DEFAULT_RULE, WarningRule
from complaints.service_layer.ports import ComplaintRepository
from qingshan_core.batching import SequenceBatcher
from qingshan_core.outbox import OutboxCollection
from qingshan_core.pii import Keyring
from qingshan_core.workdays import SHANGHAI, WorkCalendar

# Crockford base32 without I, L, O, U: read out over the phone without confusion.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def local_now() -> datetime:
    """Now in Asia/Shanghai, to the second (the store keeps milliseconds; alerts key on it)."""
    return datetime.now(SHANGHAI).replace(microsecond=0)


def new_tracking_code() -> str:
    """An unguessable public code (60 random bits), e.g. K7QH-2MZD-9XWR."""
    chars = "".join(secrets.choice(_ALPHABET) for _ in range(12))
    return f"{chars[:4]}-{chars[4:8]}-{chars[8:]}"


@dataclass(frozen=True)
class IntakeRules:
    """Duplicate and hotspot detection settings."""

    duplicate_window: timedelta = timedelta(hours=72)
    hotspot_window: timedelta = timedelta(hours=24)
    hotspot_threshold: int = 3
    address_prefixes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Retention:
    """How long after a case ended its parts are kept (docs/retention.md), and when one
    person's identity reveals in a day are unusual."""

    identity: timedelta = timedelta(days=180)
    content: timedelta = timedelta(days=1095)
    reveal_audit: timedelta = timedelta(days=1095)
    reveal_daily_threshold: int = 20


@dataclass
class Context:
    """Repositories, stores and settings shared by the complaints use cases."""

    repo: ComplaintRepository
    keys: KeyIndex
    places: PlaceIndex
    ops: OutboxCollection
    audit: PiiAudit  # who revealed or erased a reporter's data (append-only)
    notes: Any  # AsyncCollection of internal notes (内部备注)
    counters: SequenceBatcher  # daily case-number sequences
    policies: PolicyStore
    calendars: CalendarStore
    keyring: Keyring
    units: UnitRepository
    intake: IntakeRules = field(default_factory=IntakeRules)
    warning_rule: WarningRule = DEFAULT_RULE
    rate_target: float = 1.0
    retention: Retention = field(default_factory=Retention)
    id_prefix: str = "TS"
    clock: Callable[[], datetime] = local_now
    # Ops alert keys known to be raised already (the store holds the truth; this only spares
    # every intake a failing insert while the calendar stays stale).
    raised: set[str] = field(default_factory=set)
    # The city platforms: their configuration, and the steps waiting to go back to them.
    platforms: dict[str, PlatformConfig] = field(default_factory=dict)
    platform_queue: PlatformQueue | None = None

    @property
    def calendar(self) -> WorkCalendar:
        return self.calendars.calendar
