"""The closed loop with the city platforms, in the pure domain: the platform's commands on its
orders and which of the district's steps go back, in order."""

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from complaints.domain import events as ev
from complaints.domain.complaint import Complaint
from complaints.domain.errors import Forbidden, InvalidTransition, RuleViolation
from complaints.domain.model import Actor, Role, Satisfaction, Status
from complaints.domain.platform import Step, UrgeLevel
from complaints.domain.rates import CaseFacts, Period, escalation_counts
from qingshan_core.workdays import SHANGHAI, WorkCalendar

pytestmark = pytest.mark.unit

MakeCase = Callable[..., Complaint]
MONDAY = datetime(2024, 9, 2, 9, 0, tzinfo=SHANGHAI)
CITY = Actor("city-12345", Role.INTEGRATION)
UNIT_A, UNIT_B = "town-dongcheng", "town-xicheng"


def order(make_case: MakeCase, **over: object) -> Complaint:
    return make_case(external_id="GD2024090200001", **over)


def test_urge_and_supervise_raise_the_level_count_and_tell_the_unit(
    make_case: MakeCase, cal: WorkCalendar, operator: Actor
) -> None:
    case = order(make_case)
    case.assign(operator, UNIT_A, MONDAY + timedelta(hours=1), cal)
    assert case.escalation_level is None
    case.urge(CITY, UrgeLevel.URGE, "请尽快办理", MONDAY + timedelta(hours=2))
    case.urge(CITY, UrgeLevel.URGE, "", MONDAY + timedelta(hours=3))
    assert case.escalation_level is UrgeLevel.URGE
    case.urge(CITY, UrgeLevel.SUPERVISE, "市中心督办", MONDAY + timedelta(hours=4))
    assert (case.urge_count, case.supervise_count) == (2, 1)
    assert case.escalation_level is UrgeLevel.SUPERVISE
    last = case.events[-1]
    assert isinstance(last, ev.ComplaintUrged)
    assert (last.level, last.unit_id, last.urge_count, last.supervise_count) == (
        "supervise",
        UNIT_A,
        2,
        1,
    )
    assert case.status is Status.ASSIGNED  # a push changes nobody's work, only its urgency
    facts = case.facts()
    assert (facts.urges, facts.supervisions) == (2, 1)


def test_only_the_platform_pushes_and_only_while_the_answer_is_owed(
    make_case: MakeCase, case_in: Callable[..., Complaint], supervisor: Actor, handler: Actor
) -> None:
    case = order(make_case)
    with pytest.raises(Forbidden):
        case.urge(supervisor, UrgeLevel.URGE, "", MONDAY)
    replied = case_in(Status.REPLIED)
    replied.external_id = "GD-REPLIED"
    with pytest.raises(InvalidTransition) as refused:
        replied.urge(CITY, UrgeLevel.URGE, "", MONDAY + timedelta(hours=5))
    assert refused.value.current_state is Status.REPLIED
    own = make_case()  # the bureau's own case, no platform order number
    with pytest.raises(RuleViolation) as not_ours:
        own.urge(CITY, UrgeLevel.URGE, "", MONDAY)
    assert not_ours.value.code == "not_a_platform_order"


def test_withdraw_ends_the_case_and_leaves_the_rates(
    make_case: MakeCase, cal: WorkCalendar, operator: Actor
) -> None:
    case = order(make_case)
    case.assign(operator, UNIT_A, MONDAY + timedelta(hours=1), cal)
    with pytest.raises(RuleViolation):
        case.withdraw(CITY, "  ", MONDAY + timedelta(hours=2))
    case.withdraw(CITY, "市民撤回诉求", MONDAY + timedelta(hours=2))
    assert case.status is Status.WITHDRAWN and not case.is_open
    assert isinstance(case.events[-1], ev.ComplaintWithdrawn)
    assert not case.facts().counted
    with pytest.raises(InvalidTransition):
        case.withdraw(CITY, "再次撤单", MONDAY + timedelta(hours=3))


def test_redispatch_gives_another_unit_a_fresh_sign_off_clock(
    make_case: MakeCase, cal: WorkCalendar, operator: Actor, handler: Actor
) -> None:
    case = order(make_case)
    case.assign(operator, UNIT_A, MONDAY + timedelta(hours=1), cal)
    case.accept(handler, MONDAY + timedelta(hours=2))
    reply_due = case.deadlines.reply
    at = MONDAY + timedelta(days=1)
    case.redispatch(CITY, UNIT_B, "属西城街道辖区", at, cal)
    assert (case.status, case.unit_id) == (Status.ASSIGNED, UNIT_B)
    assert case.deadlines.accept is not None and case.deadlines.accept.start == at
    assert case.deadlines.reply == reply_due  # the complainant's clock keeps running
    moved = case.events[-1]
    assert isinstance(moved, ev.ComplaintRedispatched) and moved.from_unit_id == UNIT_A
    with pytest.raises(RuleViolation) as same:
        case.redispatch(CITY, UNIT_B, "", at, cal)
    assert same.value.code == "redispatch_same_unit"


def test_the_district_steps_go_back_in_history_order_and_the_platform_s_do_not(
    make_case: MakeCase, cal: WorkCalendar, operator: Actor, handler: Actor, supervisor: Actor
) -> None:
    case = order(make_case)
    t = iter(MONDAY + timedelta(hours=h) for h in range(1, 50))
    case.assign(operator, UNIT_A, next(t), cal)
    case.accept(handler, next(t))
    case.request_extension(handler, 3, "需等待监测报告", next(t))
    first = case.outbound_steps(0)
    assert [(s.seq, s.step) for s in first] == [(2, Step.ACCEPT), (3, Step.EXTEND)]
    assert first[1].extension is not None and first[1].extension.amount == 3
    assert first[1].reason == "需等待监测报告" and first[0].key == f"{case.id}:2:accept"
    case.approve_extension(CITY, next(t), cal)  # the city's own decision: not echoed
    case.reply(handler, "已责令停工整改", next(t))
    case.close(supervisor, next(t), substantiated=True)
    case.follow_up(CITY, Satisfaction.DISSATISFIED, next(t))
    case.reopen(supervisor, "群众不满意，重新核查", next(t), cal)
    steps = case.outbound_steps(4)
    assert [s.step for s in steps] == [Step.REPLY, Step.CLOSE, Step.REOPEN]
    reply, close, reopen = steps
    assert reply.reply_text == "已责令停工整改" and reply.unit_id == UNIT_A
    assert close.substantiated is True and reopen.reason == "群众不满意，重新核查"
    assert [s.seq for s in steps] == sorted(s.seq for s in steps)
    assert make_case().outbound_steps(0) == []  # the bureau's own cases stay home


def test_escalation_counts_per_period_and_unit() -> None:
    def facts(i: int, unit: str, urges: int, sup: int, **over: object) -> CaseFacts:
        base = {
            "complaint_id": f"c{i}",
            "unit_id": unit,
            "received_at": MONDAY,
            "assign_by": MONDAY + timedelta(days=1),
            "assigned_at": MONDAY,
            "reply_by": None,
            "first_replied_at": None,
            "urges": urges,
            "supervisions": sup,
        }
        return CaseFacts(**(base | over))  # type: ignore[arg-type]

    cases = [
        facts(1, UNIT_A, 2, 0),
        facts(2, UNIT_A, 0, 1),
        facts(3, UNIT_A, 0, 0),
        facts(4, UNIT_B, 5, 5),
        facts(5, UNIT_A, 3, 0, withdrawn=True),
        facts(6, UNIT_A, 1, 0, received_at=MONDAY - timedelta(days=40)),
    ]
    period = Period(MONDAY - timedelta(days=1), MONDAY + timedelta(days=1))
    a = escalation_counts(cases, period, UNIT_A)
    assert (a.cases, a.urged_cases, a.urges, a.supervisions) == (3, 2, 2, 1)
    every = escalation_counts(cases, period)
    assert (every.cases, every.urges, every.supervisions) == (4, 7, 6)
