"""交办率 and 按时回复率, exactly as DOMAIN.md defines them, in exact arithmetic.

- 交办率 = cases assigned within the assign limit ÷ cases received in the period.
- 按时回复率 = cases replied by their reply deadline ÷ cases whose reply deadline fell in the
  period; not yet due are left out, overdue unreplied count as misses.

Cases whose outcome is still open at ``as_of`` (unassigned but still inside the assign limit;
unreplied but not yet due) are left out of both sides and reported as ``pending``, so a running
month is not flagged below target for cases that still have time. Once every case of the period
is past its deadline this is exactly DOMAIN.md's figure. A case replied early whose deadline is
still ahead is decided (on time) and counts. Merged duplicates are not cases of their own and
never count, nor do orders the platform withdrew (撤单); anonymous cases have no reply deadline
and so are outside 按时回复率. The platform's 催办 and 督办 are counted beside the rates, by the
cases received in the period.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_DOWN, Decimal
from fractions import Fraction


@dataclass(frozen=True)
class CaseFacts:
    """What the rates need from one case (built from an aggregate or a read model)."""

    complaint_id: str
    unit_id: str | None
    received_at: datetime
    assign_by: datetime
    first_assigned_at: datetime | None
    reply_by: datetime | None  # None: no reply duty (anonymous)
    first_replied_at: datetime | None
    merged: bool = False
    withdrawn: bool = False  # 撤单 by the platform: not a case of the district's any more
    urges: int = 0  # 催办 received from the platform
    supervisions: int = 0  # 督办 received from the platform

    @property
    def counted(self) -> bool:
        """Whether the case counts in the rates at all."""
        return not (self.merged or self.withdrawn)


@dataclass(frozen=True)
class Period:
    """A half-open reporting period [start, end)."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("a period needs time-zone-aware bounds")
        if self.end <= self.start:
            raise ValueError("a period must end after it starts")

    def __contains__(self, moment: datetime) -> bool:
        return self.start <= moment < self.end


@dataclass(frozen=True)
class Rate:
    """numerator / denominator, exact; ``rate`` is None when nothing was due (not 100%)."""

    numerator: int
    denominator: int
    pending: int = 0

    @property
    def rate(self) -> Fraction | None:
        """The exact rate, or None for an empty denominator."""
        return Fraction(self.numerator, self.denominator) if self.denominator else None

    @property
    def percent(self) -> Decimal | None:
        """Percentage with 2 decimals, rounded DOWN so a single miss never shows as 100.00."""
        if self.rate is None:
            return None
        exact = Decimal(self.numerator * 100) / Decimal(self.denominator)
        return exact.quantize(Decimal("0.01"), rounding=ROUND_DOWN)

    def below(self, target: Fraction = Fraction(1)) -> bool:
        """Whether the rate misses ``target``; an empty period misses nothing."""
        return self.rate is not None and self.rate < target


def _happened(moment: datetime | None, as_of: datetime) -> bool:
    # Facts recorded after as_of are ignored, so a rate can be recomputed for a past moment.
    return moment is not None and moment <= as_of


def assignment_rate(
    cases: Iterable[CaseFacts], period: Period, as_of: datetime, unit_id: str | None = None
) -> Rate:
    """交办率 of the cases received in ``period`` (optionally of one unit) as of ``as_of``."""
    hits = misses = pending = 0
    for case in cases:
        if not case.counted or case.received_at not in period or case.received_at > as_of:
            continue
        if unit_id is not None and case.unit_id != unit_id:
            continue
        if _happened(case.first_assigned_at, as_of):
            assert case.first_assigned_at is not None
            if case.first_assigned_at <= case.assign_by:
                hits += 1
            else:
                misses += 1
        elif as_of <= case.assign_by:
            pending += 1
        else:
            misses += 1
    return Rate(hits, hits + misses, pending)


def on_time_reply_rate(
    cases: Iterable[CaseFacts], period: Period, as_of: datetime, unit_id: str | None = None
) -> Rate:
    """按时回复率 of the cases whose reply deadline falls in ``period``, as of ``as_of``."""
    hits = misses = pending = 0
    for case in cases:
        if not case.counted or case.reply_by is None or case.reply_by not in period:
            continue
        if unit_id is not None and case.unit_id != unit_id:
            continue
        if _happened(case.first_replied_at, as_of):
            assert case.first_replied_at is not None
            if case.first_replied_at <= case.reply_by:
                hits += 1
            else:
                misses += 1
        elif as_of <= case.reply_by:
            pending += 1
        else:
            misses += 1
    return Rate(hits, hits + misses, pending)


@dataclass(frozen=True)
class Escalations:
    """The platform's 催办 and 督办 of the cases received in a period: how many cases were
    urged at all, and how many 催办 and 督办 there were."""

    cases: int
    urged_cases: int
    urges: int
    supervisions: int


def escalation_counts(
    cases: Iterable[CaseFacts], period: Period, unit_id: str | None = None
) -> Escalations:
    """催办/督办 counts of the cases received in ``period`` (optionally of one unit)."""
    total = urged = urges = supervisions = 0
    for case in cases:
        if not case.counted or case.received_at not in period:
            continue
        if unit_id is not None and case.unit_id != unit_id:
            continue
        total += 1
        urged += bool(case.urges or case.supervisions)
        urges += case.urges
        supervisions += case.supervisions
    return Escalations(total, urged, urges, supervisions)
