"""Progress dispatch (调度): reporting periods, reports, and the pure check for what is overdue.

A sub-item reports for every period in which it spent at least one day in 实施 (including the
period it finished in: that is the final report). A period's report is due `grace_days` after
the period ends (monthly by default, due by the 10th of the next month). A milestone is a
stage planned by a date; it slipped if the date passed before the stage was reached.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from projects.domain.errors import InvalidValue
from projects.domain.money import check_wan
from projects.domain.stages import Stage


class Frequency(StrEnum):
    """How often progress is reported."""

    MONTHLY = "monthly"
    QUARTERLY = "quarterly"


_MONTH_KEY = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_QUARTER_KEY = re.compile(r"^(\d{4})-Q([1-4])$")


@dataclass(frozen=True, order=True)
class Period:
    """A reporting period: month 1–12 or quarter 1–4 of a year."""

    frequency: Frequency
    year: int
    index: int

    @property
    def key(self) -> str:
        """'2025-03' for a month, '2025-Q1' for a quarter."""
        if self.frequency is Frequency.MONTHLY:
            return f"{self.year}-{self.index:02d}"
        return f"{self.year}-Q{self.index}"

    @property
    def first_month(self) -> int:
        """The first calendar month of the period."""
        return self.index if self.frequency is Frequency.MONTHLY else 3 * self.index - 2

    @property
    def start(self) -> date:
        """First day of the period."""
        return date(self.year, self.first_month, 1)

    @property
    def end(self) -> date:
        """Last day of the period."""
        return self.next().start - timedelta(days=1)

    def next(self) -> Period:
        """The period after this one."""
        last = 12 if self.frequency is Frequency.MONTHLY else 4
        if self.index == last:
            return Period(self.frequency, self.year + 1, 1)
        return Period(self.frequency, self.year, self.index + 1)


def period_of(frequency: Frequency, day: date) -> Period:
    """The period of `frequency` containing `day`."""
    if frequency is Frequency.MONTHLY:
        return Period(frequency, day.year, day.month)
    return Period(frequency, day.year, (day.month - 1) // 3 + 1)


def parse_period(key: str) -> Period:
    """Parse '2025-03' or '2025-Q1'."""
    m = _MONTH_KEY.match(key.strip())
    if m:
        return Period(Frequency.MONTHLY, int(m.group(1)), int(m.group(2)))
    m = _QUARTER_KEY.match(key.strip())
    if m:
        return Period(Frequency.QUARTERLY, int(m.group(1)), int(m.group(2)))
    raise InvalidValue(f"报告期格式无法识别：{key!r}", f"unrecognised period key: {key!r}")


def periods_between(frequency: Frequency, first: date, last: date) -> list[Period]:
    """Every period overlapping the inclusive date range [first, last]."""
    out: list[Period] = []
    p = period_of(frequency, first)
    while p.start <= last:
        out.append(p)
        p = p.next()
    return out


@dataclass(frozen=True)
class ReportingSchedule:
    """How often an item in 实施 reports, and how long after a period the report is due."""

    frequency: Frequency = Frequency.MONTHLY
    grace_days: int = 10

    def __post_init__(self) -> None:
        if self.grace_days < 0:
            raise InvalidValue("宽限天数不能为负", "grace days must not be negative")

    def due(self, period: Period) -> date:
        """Last day on which the period's report is on time."""
        return period.end + timedelta(days=self.grace_days)


@dataclass(frozen=True)
class ProgressReport:
    """One period's report: percent complete, money invested so far (万元), problems."""

    period: str
    percent_complete: Decimal
    invested_to_date_wan: Decimal
    note: str
    by: str
    at: datetime
    late: bool


def check_report_values(percent: Decimal, invested_wan: Decimal) -> None:
    """Percent within 0–100 and a non-negative amount."""
    if not percent.is_finite() or not Decimal(0) <= percent <= Decimal(100):
        raise InvalidValue(
            f"完成百分比须在0–100之间：{percent}", f"percent complete must be 0-100: {percent}"
        )
    check_wan(invested_wan, what="累计完成投资")


@dataclass(frozen=True)
class MissedReport:
    """A period whose report is past due."""

    period: Period
    due: date


@dataclass(frozen=True)
class SlippedMilestone:
    """A planned stage not reached by its date."""

    stage: Stage
    due: date
    reached_on: date | None


@dataclass(frozen=True)
class DispatchIssues:
    """What a dispatch check found."""

    missed_reports: tuple[MissedReport, ...]
    slipped_milestones: tuple[SlippedMilestone, ...]


def implementation_windows(
    stage_log: Sequence[tuple[Stage, date]], today: date
) -> list[tuple[date, date]]:
    """Date ranges spent in 实施, from a chronological log of (stage entered, date)."""
    windows: list[tuple[date, date]] = []
    for i, (stage, entered) in enumerate(stage_log):
        if stage is Stage.IMPLEMENTATION:
            left = stage_log[i + 1][1] if i + 1 < len(stage_log) else today
            windows.append((entered, min(left, today)))
    return windows


def find_dispatch_issues(
    *,
    schedule: ReportingSchedule,
    stage_log: Sequence[tuple[Stage, date]],
    milestones: Mapping[Stage, date],
    reported_periods: Collection[str],
    today: date,
) -> DispatchIssues:
    """Reports overdue and milestones slipped as of `today`; pure and deterministic.

    `stage_log` starts with the stage the item was recorded at (a stage already passed when the
    item was recorded counts as reached on time: its real date is unknown).
    """
    required: set[Period] = set()
    for first, last in implementation_windows(stage_log, today):
        required.update(periods_between(schedule.frequency, first, last))
    missed = tuple(
        MissedReport(p, schedule.due(p))
        for p in sorted(required)
        if today > schedule.due(p) and p.key not in reported_periods
    )
    slipped: list[SlippedMilestone] = []
    initial = stage_log[0][0] if stage_log else Stage.RESERVE
    for stage, due in sorted(milestones.items(), key=lambda kv: kv[0].rank):
        if initial.rank >= stage.rank:
            continue
        reached = next((d for s, d in stage_log if s is stage), None)
        if (reached is None and today > due) or (reached is not None and reached > due):
            slipped.append(SlippedMilestone(stage, due, reached))
    return DispatchIssues(missed, tuple(slipped))
