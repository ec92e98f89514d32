"""交办率 and 按时回复率: the definitions of docs/rates.md, pending cases, empty periods, exact
arithmetic."""

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest

from complaints.domain.complaint import Complaint
from complaints.domain.model import Actor, Role, Satisfaction
from complaints.domain.rates import (
    CaseFacts,
    Period,
    Rate,
    assignment_rate,
    on_time_reply_rate,
)
from qingshan_core.workdays import SHANGHAI, WorkCalendar

pytestmark = pytest.mark.unit

MakeCase = Callable[..., Complaint]
SEPTEMBER = Period(datetime(2024, 9, 1, tzinfo=SHANGHAI), datetime(2024, 10, 1, tzinfo=SHANGHAI))


def at(m: int, d: int, hh: int = 10, mm: int = 0, ss: int = 0) -> datetime:
    return datetime(2024, m, d, hh, mm, ss, tzinfo=SHANGHAI)


def eod(m: int, d: int) -> datetime:
    return at(m, d, 23, 59, 59)


def facts(
    cid: str,
    received: datetime,
    assign_by: datetime,
    assigned: datetime | None = None,
    reply_by: datetime | None = None,
    replied: datetime | None = None,
    unit: str | None = "u1",
    merged: bool = False,
) -> CaseFacts:
    return CaseFacts(cid, unit, received, assign_by, assigned, reply_by, replied, merged)


ASSIGNMENTS = [
    facts("a-hit", at(9, 2), eod(9, 3), assigned=at(9, 2, 11)),
    facts("a-on-the-second", at(9, 4), eod(9, 5), assigned=eod(9, 5)),
    facts("b-late", at(9, 5), eod(9, 6), assigned=at(9, 9)),
    facts("c-never", at(9, 10), eod(9, 11), unit=None),
    facts("d-pending", at(9, 30, 20), eod(10, 8), unit=None),
    facts("e-october", at(10, 1, 9), eod(10, 8), assigned=at(10, 8)),
    facts("f-merged", at(9, 3), eod(9, 4), merged=True),
    facts("g-august", at(8, 31, 23), eod(9, 2), assigned=at(9, 2)),
    facts("h-other-unit", at(9, 12), eod(9, 13), assigned=at(9, 12), unit="u2"),
]


def test_assignment_rate_per_domain_definition() -> None:
    rate = assignment_rate(ASSIGNMENTS, SEPTEMBER, as_of=at(10, 1, 12))
    # Hits: a, on-the-second, h. Misses: b (late), c (overdue, never assigned).
    # d is unassigned but still inside its limit on Oct 1: pending, left out.
    assert (rate.numerator, rate.denominator, rate.pending) == (3, 5, 1)
    assert rate.rate == Fraction(3, 5)
    assert rate.percent == Decimal("60.00")
    assert rate.below()


def test_pending_case_becomes_a_miss_once_its_limit_passes() -> None:
    rate = assignment_rate(ASSIGNMENTS, SEPTEMBER, as_of=at(10, 9))
    assert (rate.numerator, rate.denominator, rate.pending) == (3, 6, 0)


def test_assignment_after_as_of_is_not_yet_known() -> None:
    case = [facts("x", at(9, 2), eod(9, 3), assigned=at(9, 3, 9))]
    assert assignment_rate(case, SEPTEMBER, as_of=at(9, 2, 12)).pending == 1
    assert assignment_rate(case, SEPTEMBER, as_of=at(9, 3, 12)).rate == 1
    # Received after as_of: not counted at all.
    assert assignment_rate(case, SEPTEMBER, as_of=at(9, 1)).denominator == 0


def test_rates_per_unit() -> None:
    rate = assignment_rate(ASSIGNMENTS, SEPTEMBER, as_of=at(10, 9), unit_id="u2")
    assert (rate.numerator, rate.denominator) == (1, 1)
    assert rate.percent == Decimal("100.00") and not rate.below()


def test_empty_period_has_no_rate_not_100_percent() -> None:
    empty = Period(at(7, 1), at(8, 1))
    for rate in (
        assignment_rate(ASSIGNMENTS, empty, at(10, 1)),
        on_time_reply_rate(ASSIGNMENTS, empty, at(10, 1)),
        assignment_rate([], SEPTEMBER, at(10, 1)),
    ):
        assert (rate.numerator, rate.denominator) == (0, 0)
        assert rate.rate is None and rate.percent is None
        assert not rate.below()


REPLIES = [
    facts("r1-at-deadline", at(9, 2), eod(9, 3), at(9, 2), eod(9, 9), replied=eod(9, 9)),
    facts("r2-late", at(9, 5), eod(9, 6), at(9, 5), eod(9, 12), replied=at(9, 13)),
    facts("r3-overdue-unreplied", at(9, 12), eod(9, 13), at(9, 12), eod(9, 20)),
    facts("r4-due-in-october", at(9, 27), eod(9, 29), at(9, 27), eod(10, 8), replied=at(9, 28)),
    facts("r5-not-yet-due", at(9, 23), eod(9, 24), at(9, 23), eod(9, 30)),
    facts("r6-early", at(9, 20), eod(9, 23), at(9, 20), eod(9, 28), replied=at(9, 25)),
    facts("r7-anonymous", at(9, 2), eod(9, 3), at(9, 2), None),
    facts("r8-merged", at(9, 2), eod(9, 3), None, eod(9, 9), merged=True),
]


def test_on_time_reply_rate_per_domain_definition() -> None:
    rate = on_time_reply_rate(REPLIES, SEPTEMBER, as_of=at(9, 30, 12))
    # Hits: r1 (replied at the very deadline second), r6 (early, decided).
    # Misses: r2 (late), r3 (overdue and unreplied). r5 is not due yet: pending.
    # r4's deadline is in October; r7 has no reply duty; r8 is a merged duplicate.
    assert (rate.numerator, rate.denominator, rate.pending) == (2, 4, 1)
    assert rate.rate == Fraction(1, 2)


def test_reply_rate_after_the_period() -> None:
    rate = on_time_reply_rate(REPLIES, SEPTEMBER, as_of=at(10, 20))
    assert (rate.numerator, rate.denominator, rate.pending) == (2, 5, 0)
    october = Period(at(10, 1, 0), at(11, 1, 0))
    assert on_time_reply_rate(REPLIES, october, as_of=at(10, 20)).rate == 1


def test_one_second_late_is_late() -> None:
    late = [facts("x", at(9, 2), eod(9, 3), at(9, 2), eod(9, 9), eod(9, 9) + timedelta(seconds=1))]
    assert on_time_reply_rate(late, SEPTEMBER, as_of=at(9, 30)).rate == 0


def test_percent_rounds_down_so_a_miss_never_shows_as_100() -> None:
    assert Rate(99_999, 100_000).percent == Decimal("99.99")
    assert Rate(2, 3).percent == Decimal("66.66")
    assert Rate(1, 3).rate == Fraction(1, 3)
    assert Rate(99_999, 100_000).below()
    assert not Rate(9, 10).below(Fraction(9, 10))


def test_period_validation() -> None:
    with pytest.raises(ValueError):
        Period(at(9, 2), at(9, 1))
    with pytest.raises(ValueError):
        Period(datetime(2024, 9, 1), datetime(2024, 10, 1))
    assert at(9, 30, 23, 59, 59) in SEPTEMBER and at(10, 1, 0) not in SEPTEMBER


def test_facts_from_aggregates(
    make_case: MakeCase,
    cal: WorkCalendar,
    operator: Actor,
    handler: Actor,
    supervisor: Actor,
) -> None:
    on_time = make_case(received_at=at(9, 2, 9))
    on_time.assign(operator, "town-dongcheng", at(9, 2, 10), cal)
    on_time.accept(handler, at(9, 2, 11))
    on_time.reply(handler, "已处理", at(9, 6, 16))
    on_time.close(supervisor, at(9, 9))
    on_time.follow_up(operator, Satisfaction.DISSATISFIED, at(9, 10))
    # Reopened and re-replied late: the rate keeps the first round's on-time reply.
    on_time.reopen(supervisor, "不满意", at(9, 10, 10), cal)
    assert on_time.deadlines.reply is not None
    on_time.reply(handler, "已再次处理", on_time.deadlines.reply.due + timedelta(days=1))

    late_dispatch = make_case(received_at=at(9, 2, 9))
    late_dispatch.assign(Actor("s", Role.SUPERVISOR), "town-dongcheng", at(9, 4, 9), cal)
    unassigned = make_case(received_at=at(9, 3, 9))

    cases = [c.facts() for c in (on_time, late_dispatch, unassigned)]
    assign = assignment_rate(cases, SEPTEMBER, as_of=at(10, 1))
    assert (assign.numerator, assign.denominator) == (1, 3)
    reply = on_time_reply_rate(cases, SEPTEMBER, as_of=at(10, 1))
    # on_time: hit; late_dispatch (due Sep 9) and unassigned (due Sep 10): overdue misses.
    assert (reply.numerator, reply.denominator) == (1, 3)
