"""交办率 and 按时回复率: the definitions of docs/rates.md, pending cases, empty periods, exact
arithmetic."""

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest

from complaints.domain.complaint import Complaint
from complaints.domain.model import Actor, Role, Satisfaction, Status
from complaints.domain.rates import (
    CaseFacts,
    Period,
    Rate,
    Reading,
    ReworkFacts,
    assignment_rate,
    joined,
    on_time_reply_rate,
    rework_reply_rate,
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
    # Merged into a-hit on 9-03 10:00: assigned with it at the merge, inside its own limit.
    joined(
        facts("f-merged", at(9, 3), eod(9, 4), unit=None),
        facts("a-hit", at(9, 2), eod(9, 3), assigned=at(9, 2, 11)),
        at(9, 3, 10),
    ),
    facts("g-august", at(8, 31, 23), eod(9, 2), assigned=at(9, 2)),
    facts("h-other-unit", at(9, 12), eod(9, 13), assigned=at(9, 12), unit="u2"),
]


def test_assignment_rate_per_domain_definition() -> None:
    rate = assignment_rate(ASSIGNMENTS, SEPTEMBER, as_of=at(10, 1, 12))
    # Hits: a, on-the-second, h, and the merged f (assigned with a). Misses: b (late), c
    # (overdue, never assigned). d is unassigned but still inside its limit on Oct 1: it was
    # received in the period, so it is in the denominator, and reported as pending.
    assert (rate.numerator, rate.denominator, rate.pending) == (4, 7, 1)
    assert rate.rate == Fraction(4, 7)
    assert rate.percent == Decimal("57.14")
    assert rate.below()


def test_so_far_reading_leaves_out_cases_still_in_time() -> None:
    rate = assignment_rate(ASSIGNMENTS, SEPTEMBER, as_of=at(10, 1, 12), reading=Reading.SO_FAR)
    assert (rate.numerator, rate.denominator, rate.pending) == (4, 6, 1)


def test_pending_case_becomes_a_miss_once_its_limit_passes() -> None:
    for reading in Reading:
        rate = assignment_rate(ASSIGNMENTS, SEPTEMBER, as_of=at(10, 9), reading=reading)
        assert (rate.numerator, rate.denominator, rate.pending) == (4, 7, 0)


def test_assignment_after_as_of_is_not_yet_known() -> None:
    case = [facts("x", at(9, 2), eod(9, 3), assigned=at(9, 3, 9))]
    early = assignment_rate(case, SEPTEMBER, as_of=at(9, 2, 12))
    assert (early.numerator, early.denominator, early.pending) == (0, 1, 1)
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
    # Merged into r2, which answered late (9-13): the answer reaches r8 then, after its 9-09.
    joined(
        facts("r8-merged", at(9, 2), eod(9, 3), None, eod(9, 9)),
        facts("r2-late", at(9, 5), eod(9, 6), at(9, 5), eod(9, 12), replied=at(9, 13)),
        at(9, 6),
    ),
]


def test_on_time_reply_rate_per_domain_definition() -> None:
    rate = on_time_reply_rate(REPLIES, SEPTEMBER, as_of=at(9, 30, 12))
    # Hits: r1 (replied at the very deadline second), r6 (early, decided).
    # Misses: r2 (late), r3 (overdue and unreplied), r8 (merged; answered with r2, late).
    # r5 is not due yet: pending. r4's deadline is in October; r7 has no reply duty.
    assert (rate.numerator, rate.denominator, rate.pending) == (2, 5, 1)
    assert rate.rate == Fraction(2, 5)


def test_reply_rate_after_the_period() -> None:
    rate = on_time_reply_rate(REPLIES, SEPTEMBER, as_of=at(10, 20))
    assert (rate.numerator, rate.denominator, rate.pending) == (2, 6, 0)
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


# --- issue 19: the brief's definitions, merges, returns and rework -----------------------------

MARCH = Period(datetime(2026, 3, 1, tzinfo=SHANGHAI), datetime(2026, 4, 1, tzinfo=SHANGHAI))


def m26(d: int, hh: int = 10, mm: int = 0) -> datetime:
    return datetime(2026, 3, d, hh, mm, tzinfo=SHANGHAI)


def march_set() -> list[CaseFacts]:
    """Eight cases received in March 2026 (no holidays; assign within 1 working day):
    five assigned on time, two late, and one received on the 31st, not yet assigned."""
    on_time = [
        facts(f"ok-{d}", m26(d), m26(d + 1, 23, 59), assigned=m26(d, 15)) for d in range(2, 7)
    ]
    late = [
        facts("late-1", m26(9), m26(10, 23, 59), assigned=m26(12)),
        facts("late-2", m26(16), m26(17, 23, 59), assigned=m26(20)),
    ]
    last = facts("last", m26(31, 10), datetime(2026, 4, 1, 23, 59, tzinfo=SHANGHAI), unit=None)
    return [*on_time, *late, last]


def test_march_set_gives_62_50_percent_during_and_after_the_period() -> None:
    during = assignment_rate(march_set(), MARCH, as_of=m26(31, 20))
    assert (during.numerator, during.denominator, during.pending) == (5, 8, 1)
    assert during.percent == Decimal("62.50")
    after = assignment_rate(march_set(), MARCH, as_of=datetime(2026, 4, 10, tzinfo=SHANGHAI))
    assert (after.numerator, after.denominator, after.pending) == (5, 8, 0)
    assert after.percent == Decimal("62.50")
    # The named "so far" reading is what the old code reported mid-period.
    so_far = assignment_rate(march_set(), MARCH, as_of=m26(31, 20), reading=Reading.SO_FAR)
    assert (so_far.numerator, so_far.denominator) == (5, 7) and so_far.percent == Decimal("71.42")


def test_merging_an_overdue_case_leaves_the_reply_rate_unchanged() -> None:
    """Both cases overdue since 10 March; the second is merged into the first on 20 March."""
    first = facts("first", m26(2), m26(3, 23, 59), m26(2, 11), m26(9, 23, 59))
    dup = facts("dup", m26(3), m26(4, 23, 59), m26(3, 11), m26(10, 23, 59))
    before = on_time_reply_rate([first, dup], MARCH, as_of=m26(20, 9))
    after = on_time_reply_rate([first, joined(dup, first, m26(20, 10))], MARCH, as_of=m26(25))
    assert (before.numerator, before.denominator) == (0, 2)
    assert (after.numerator, after.denominator) == (0, 2)
    # Once the first case answers, the merged one is answered too (late, by its own deadline).
    answered = facts("first", m26(2), m26(3, 23, 59), m26(2, 11), m26(9, 23, 59), m26(26))
    final = on_time_reply_rate([answered, joined(dup, answered, m26(20, 10))], MARCH, m26(31))
    assert (final.numerator, final.denominator) == (0, 2)


def test_a_merged_case_is_answered_on_time_when_its_first_case_answers_in_its_time() -> None:
    first = facts("first", m26(2), m26(3, 23, 59), m26(2, 11), m26(9, 23, 59), m26(5))
    dup = joined(facts("dup", m26(3), m26(4, 23, 59), None, m26(10, 23, 59)), first, m26(4))
    assert dup.first_replied_at == m26(5) and dup.assigned_at == m26(4) and dup.unit_id == "u1"
    assert on_time_reply_rate([first, dup], MARCH, m26(31)).rate == 1
    # Merged after the first answer: the answer reaches it at the merge.
    late_merge = joined(facts("dup2", m26(3), m26(4, 23, 59), None, m26(10, 23, 59)), first, m26(6))
    assert late_merge.first_replied_at == m26(6)


def test_a_returned_case_never_reassigned_counts_as_not_assigned(
    make_case: MakeCase, cal: WorkCalendar
) -> None:
    op = Actor("op", Role.OPERATOR)
    handler = Actor("h", Role.UNIT_HANDLER, unit_id="u1")
    case = make_case(received_at=at(9, 2, 9))
    case.assign(op, "u1", at(9, 2, 10), cal)
    case.return_case(handler, "非本单位职责", at(9, 2, 15))
    assert case.facts().assigned_at is None
    rate = assignment_rate([case.facts()], SEPTEMBER, as_of=at(9, 30))
    assert (rate.numerator, rate.denominator) == (0, 1)
    # Reassigned after the limit (end of 9-03): late, by the assignment that stuck.
    case.assign(op, "u2", at(9, 4, 9), cal)
    assert case.facts().assigned_at == at(9, 4, 9) and case.first_assigned_at == at(9, 2, 10)
    assert assignment_rate([case.facts()], SEPTEMBER, as_of=at(9, 30)).rate == 0


def test_rework_after_dissatisfaction_has_its_own_deadline_and_is_counted(
    case_in: Callable[..., Complaint], cal: WorkCalendar
) -> None:
    sup = Actor("s", Role.SUPERVISOR)
    handler = Actor("h-a", Role.UNIT_HANDLER, unit_id="town-dongcheng")
    case = case_in(Status.FOLLOWED_UP, satisfaction=Satisfaction.DISSATISFIED)
    reopened = at(9, 9, 10)
    case.reopen(sup, "群众不满意，重新办理", reopened, cal)
    assert len(case.rework) == 1
    due = case.rework[0].reply_due
    assert due is not None and due == case.deadlines.reply.due  # type: ignore[union-attr]
    assert case.facts().rework == (ReworkFacts(due, None),)
    pending = rework_reply_rate([case.facts()], SEPTEMBER, as_of=at(9, 10))
    assert (pending.numerator, pending.denominator, pending.pending) == (0, 0, 1)
    late = due + timedelta(hours=1)
    case.reply(handler, "已再次整改", late)
    assert case.rework[0].replied_at == late
    rate = rework_reply_rate([case.facts()], SEPTEMBER, as_of=at(9, 30))
    assert (rate.numerator, rate.denominator) == (0, 1)
    # The first round's 按时回复率 is untouched by the rework.
    assert on_time_reply_rate([case.facts()], SEPTEMBER, as_of=at(9, 30)).rate == 1


def test_an_extension_during_rework_moves_the_rounds_deadline(
    case_in: Callable[..., Complaint], cal: WorkCalendar
) -> None:
    sup = Actor("s", Role.SUPERVISOR)
    handler = Actor("h-a", Role.UNIT_HANDLER, unit_id="town-dongcheng")
    case = case_in(Status.FOLLOWED_UP, satisfaction=Satisfaction.DISSATISFIED)
    case.reopen(sup, "不满意", at(9, 9, 10), cal)
    old_due = case.rework[0].reply_due
    case.request_extension(handler, 2, "需要监测", at(9, 10, 10))
    case.approve_extension(sup, at(9, 10, 11), cal)
    assert case.rework[0].reply_due == case.deadlines.reply.due != old_due  # type: ignore[union-attr]
