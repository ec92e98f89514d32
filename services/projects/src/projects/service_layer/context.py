"""What every use case is handed: the repositories, the clock and the dispatch schedule."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from projects.domain.progress import ReportingSchedule
from projects.service_layer.ports import ImportLog, IndicatorRepository, SubItemRepository


def utc_now() -> datetime:
    """Now, truncated to the millisecond the store keeps (so history never goes backwards)."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


@dataclass
class Context:
    """Dependencies of the projects use cases."""

    subitems: SubItemRepository
    imports: ImportLog
    indicators: IndicatorRepository
    clock: Callable[[], datetime] = utc_now
    schedule: ReportingSchedule = field(default_factory=ReportingSchedule)
    retries: int = 5
