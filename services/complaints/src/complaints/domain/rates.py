"""交办率, 按时回复率 and 返工按时回复率, exactly as docs/rates.md defines them, exactly.

- 交办率 = cases assigned within the assign limit ÷ cases received in the period. Every case
  received in the period (up to ``as_of``) is in the denominator from the moment it arrives;
  one not (yet) assigned is not in the numerator. Cases still inside their limit are also
  reported as ``pending``: they may still turn into hits, never into more misses.
- 按时回复率 = cases replied by their reply deadline ÷ cases whose reply deadline fell in the
  period; not yet due are left out (``pending``), overdue unreplied count as misses, and a case
  replied early whose deadline is still ahead is decided (on time) and counts.
- 返工按时回复率: every rework round after 不满意 has its own reply deadline and counts like a
  case in 按时回复率 (by the round's deadline).

The assignment that counts is the one in force: a case returned (退单) and not reassigned is not
assigned, and a reassignment counts by its own time. A merged duplicate keeps its deadlines and
counts by them (see ``joined``). Orders the platform withdrew (撤单) are no longer the
district's cases and never count. Anonymous cases have no reply deadline: outside 按时回复率.
The platform's 催办 and 督办 are counted beside the rates, by the cases received in the period.

``Reading.SO_FAR`` is the named variant "cases already due": 交办率 leaves out the cases still
inside their limit (the old reading, used for the running month's early warning). For
按时回复率 both readings coincide, since the definition counts only due cases already.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import ROUND_DOWN, Decimal
from enum import StrEnum
from fractions import Fraction


class Reading(StrEnum):
    """Which reading of a rate: the brief's definition, or only what is decided so far."""

    DEFINED = "defined"  # docs/rates.md
    SO_FAR = "so_far"  # leave out cases still inside their limit


@dataclass(frozen=True)
class ReworkFacts:
    """One rework round after 不满意: its reply deadline and when it was answered."""

    reply_by: datetime | None  # None: no reply duty (anonymous)
    replied_at: datetime | None


@dataclass(frozen=True)
class CaseFacts:
    """What the rates need from one case (built from an aggregate or a read model)."""

    complaint_id: str
    unit_id: str | None
    received_at: datetime
    assign_by: datetime
    assigned_at: datetime | None  # the assignment in force (a return clears it)
    reply_by: datetime | None  # None: no reply duty (anonymous)
    first_replied_at: datetime | None
    merged: bool = False
    rework: tuple[ReworkFacts, ...] = ()
    withdrawn: bool = False  # 撤单 by the platform: not a case of the district's any more
    urges: int = 0  # 催办 received from the platform
    supervisions: int = 0  # 督办 received from the platform
    bureau_supervisions: int = 0  # 督办 issued by the bureau's own supervisors

    @property
    def counted(self) -> bool:
        """Whether the case counts in the rates at all (a merged duplicate does, by its own
        deadlines; a withdrawn order does not)."""
        return not self.withdrawn


def joined(case: CaseFacts, first: CaseFacts, merged_at: datetime) -> CaseFacts:
    """A merged duplicate's facts: its own deadlines, and the handling of the case it joined.

    The duplicate is assigned when it is both merged and the first case is assigned (unless it
    was assigned itself before), and replied when the first case's reply reaches it: at the
    merge if the first case had answered already, else at that answer.
    """

    def later(moment: datetime | None) -> datetime | None:
        return None if moment is None else max(moment, merged_at)

    return replace(
        case,
        unit_id=case.unit_id or first.unit_id,
        assigned_at=case.assigned_at or later(first.assigned_at),
        first_replied_at=case.first_replied_at or later(first.first_replied_at),
        merged=True,
    )


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


def _tally(
    obligations: Iterable[tuple[datetime | None, datetime | None]],
    as_of: datetime,
    reading: Reading,
) -> Rate:
    """(deadline, done_at) pairs → hits, denominator and the undecided (still in time)."""
    hits = misses = pending = 0
    for due, done in obligations:
        assert due is not None  # callers keep only obligations that have a deadline
        if _happened(done, as_of):
            assert done is not None
            hits, misses = (hits + 1, misses) if done <= due else (hits, misses + 1)
        elif as_of <= due:
            pending += 1
        else:
            misses += 1
    counted_pending = pending if reading is Reading.DEFINED else 0
    return Rate(hits, hits + misses + counted_pending, pending)


def _of_unit(case: CaseFacts, unit_id: str | None) -> bool:
    return case.counted and (unit_id is None or case.unit_id == unit_id)


def assignment_rate(
    cases: Iterable[CaseFacts],
    period: Period,
    as_of: datetime,
    unit_id: str | None = None,
    reading: Reading = Reading.DEFINED,
) -> Rate:
    """交办率 of the cases received in ``period`` (optionally of one unit) as of ``as_of``."""
    due = (
        (case.assign_by, case.assigned_at)
        for case in cases
        if case.received_at in period and case.received_at <= as_of and _of_unit(case, unit_id)
    )
    return _tally(due, as_of, reading)


def on_time_reply_rate(
    cases: Iterable[CaseFacts], period: Period, as_of: datetime, unit_id: str | None = None
) -> Rate:
    """按时回复率 of the cases whose reply deadline falls in ``period``, as of ``as_of``
    (not yet due is outside the definition itself, so there is one reading only)."""
    due = (
        (case.reply_by, case.first_replied_at)
        for case in cases
        if case.reply_by is not None and case.reply_by in period and _of_unit(case, unit_id)
    )
    return _tally(due, as_of, Reading.SO_FAR)


def rework_reply_rate(
    cases: Iterable[CaseFacts], period: Period, as_of: datetime, unit_id: str | None = None
) -> Rate:
    """返工按时回复率: rework rounds whose reply deadline falls in ``period``, as of ``as_of``."""
    due = (
        (r.reply_by, r.replied_at)
        for case in cases
        if _of_unit(case, unit_id)
        for r in case.rework
        if r.reply_by is not None and r.reply_by in period
    )
    return _tally(due, as_of, Reading.SO_FAR)


@dataclass(frozen=True)
class Escalations:
    """The platform's 催办 and 督办 of the cases received in a period: how many cases were
    urged at all, and how many 催办 and 督办 there were. The bureau's own 督办 is counted apart
    (``bureau_*``): the platform's pushes measure the district from outside, the bureau's its
    own oversight, and a case the bureau pressed is not "urged by the platform"."""

    cases: int
    urged_cases: int
    urges: int
    supervisions: int
    bureau_supervised_cases: int = 0
    bureau_supervisions: int = 0


def escalation_counts(
    cases: Iterable[CaseFacts], period: Period, unit_id: str | None = None
) -> Escalations:
    """催办/督办 counts of the cases received in ``period`` (optionally of one unit)."""
    total = urged = urges = supervisions = bureau_cases = bureau = 0
    for case in cases:
        if case.received_at not in period or not _of_unit(case, unit_id):
            continue
        total += 1
        urged += bool(case.urges or case.supervisions)
        urges += case.urges
        supervisions += case.supervisions
        bureau_cases += bool(case.bureau_supervisions)
        bureau += case.bureau_supervisions
    return Escalations(total, urged, urges, supervisions, bureau_cases, bureau)
