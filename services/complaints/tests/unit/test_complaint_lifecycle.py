"""The Complaint aggregate: the closed loop on real dates, history, events, anonymity, merge."""

import dataclasses
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from complaints.domain import events as ev
from complaints.domain.complaint import Complaint
from complaints.domain.errors import Forbidden, InvalidTransition, RuleViolation
from complaints.domain.model import (
    Action,
    Actor,
    Role,
    Satisfaction,
    Status,
)
from qingshan_core.workdays import SHANGHAI, WorkCalendar

pytestmark = pytest.mark.unit

MakeCase = Callable[..., Complaint]
CaseIn = Callable[..., Complaint]
UNIT_A, UNIT_B = "town-dongcheng", "town-xicheng"


def status_of(case: Complaint) -> Status:
    """Read the status through a call, so mypy does not keep an earlier narrowing."""
    return case.status


def at(y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=SHANGHAI)


def eod(y: int, m: int, d: int) -> datetime:
    return datetime(y, m, d, 23, 59, 59, tzinfo=SHANGHAI)


def kinds(case: Complaint) -> list[str]:
    return [type(e).__name__ for e in case.events]


def test_closed_loop_across_national_day_2024(
    make_case: MakeCase,
    cal: WorkCalendar,
    integration: Actor,
    operator: Actor,
    handler: Actor,
) -> None:
    case = make_case(actor=integration, received_at=at(2024, 9, 30), external_id="GD20240930000123")
    assert case.status is Status.RECEIVED
    assert (case.policy_id, case.policy_version) == ("hotline-normal", 1)
    assert case.deadlines.reply is not None
    assert case.deadlines.reply.due == eod(2024, 10, 12)  # Sat make-up day is day 5

    case.assign(operator, UNIT_A, at(2024, 9, 30, 11), cal)
    assert case.deadlines.accept is not None
    assert case.deadlines.accept.due == eod(2024, 10, 8)
    assert case.deadlines.return_by == eod(2024, 10, 9)

    case.accept(handler, at(2024, 10, 8, 9))
    case.reply(handler, "经现场核查，已责令企业整改", at(2024, 10, 12, 16))
    case.close(integration, at(2024, 10, 14, 9), substantiated=True)
    case.follow_up(integration, Satisfaction.SATISFIED, at(2024, 10, 15, 9))

    assert status_of(case) is Status.FOLLOWED_UP
    assert case.reward_eligible
    assert not case.is_open
    assert kinds(case) == [
        "ComplaintReceived",
        "ComplaintAssigned",
        "ComplaintAccepted",
        "ComplaintReplied",
        "ComplaintClosed",
        "ComplaintFollowedUp",
    ]
    replied = case.events[3]
    assert isinstance(replied, ev.ComplaintReplied) and replied.on_time is True
    received = case.events[0]
    assert isinstance(received, ev.ComplaintReceived)
    assert received.external_id == "GD20240930000123"
    assert (received.policy_id, received.policy_version) == ("hotline-normal", 1)

    # The history says who did what, when, from which state to which.
    rows = [(h.action, h.role, h.from_status, h.to_status) for h in case.history]
    assert rows == [
        (Action.RECEIVE, Role.INTEGRATION, None, Status.RECEIVED),
        (Action.ASSIGN, Role.OPERATOR, Status.RECEIVED, Status.ASSIGNED),
        (Action.ACCEPT, Role.UNIT_HANDLER, Status.ASSIGNED, Status.ACCEPTED),
        (Action.REPLY, Role.UNIT_HANDLER, Status.ACCEPTED, Status.REPLIED),
        (Action.CLOSE, Role.INTEGRATION, Status.REPLIED, Status.CLOSED),
        (Action.FOLLOW_UP, Role.INTEGRATION, Status.CLOSED, Status.FOLLOWED_UP),
    ]
    assert case.history[1].actor_id == "op-7"
    assert case.history[1].details["unit_id"] == UNIT_A
    assert case.history[3].details["on_time"] == "True"

    # 满意 ends the case: nobody can do anything any more.
    for actor in (integration, operator, handler, Actor("s", Role.SUPERVISOR)):
        assert case.allowed_actions(actor) == []
    with pytest.raises(InvalidTransition) as refused:
        case.reopen(Actor("s", Role.SUPERVISOR), "再次投诉", at(2024, 10, 16), cal)
    assert refused.value.current_state is Status.FOLLOWED_UP


def test_late_reply_is_recorded_as_late(case_in: CaseIn, handler: Actor) -> None:
    case = case_in(Status.ACCEPTED)
    assert case.deadlines.reply is not None
    case.reply(handler, "已处理", case.deadlines.reply.due + timedelta(seconds=1))
    replied = case.events[-1]
    assert isinstance(replied, ev.ComplaintReplied) and replied.on_time is False


def test_events_and_history_never_carry_the_reporters_identity(
    case_in: CaseIn, cal: WorkCalendar, supervisor: Actor
) -> None:
    case = case_in(Status.FOLLOWED_UP)
    case.reopen(supervisor, "不满意", case.received_at + timedelta(hours=8), cal, UNIT_B)
    text = repr(case.events) + repr([dataclasses.asdict(e) for e in case.events])
    text += repr(case.history) + repr(case)
    for secret in ("张三", "13812345678", "夜间工地噪声扰民", "QS-TEST"):
        assert secret not in text


def test_anonymous_case_has_no_reply_duty_no_follow_up_no_reward(
    case_in: CaseIn, supervisor: Actor, operator: Actor, handler: Actor
) -> None:
    case = case_in(Status.ACCEPTED, anonymous=True)
    assert case.deadlines.reply is None
    assert not case.reply_duty
    assert Action.CLOSE in case.allowed_actions(supervisor)
    case.close(supervisor, case.received_at + timedelta(hours=5), substantiated=True)
    assert case.status is Status.CLOSED
    assert not case.reward_eligible
    assert case.facts().reply_by is None
    with pytest.raises(RuleViolation) as refused:
        case.follow_up(operator, Satisfaction.SATISFIED, case.received_at + timedelta(hours=6))
    assert refused.value.code == "anonymous_no_follow_up"


def test_anonymous_reply_is_allowed_but_has_no_on_time_flag(
    case_in: CaseIn, handler: Actor
) -> None:
    case = case_in(Status.ACCEPTED, anonymous=True)
    case.reply(handler, "已处理", case.received_at + timedelta(days=30))
    replied = case.events[-1]
    assert isinstance(replied, ev.ComplaintReplied) and replied.on_time is None


def test_named_case_must_be_replied_before_closing(case_in: CaseIn, supervisor: Actor) -> None:
    case = case_in(Status.ACCEPTED)
    assert Action.CLOSE not in case.allowed_actions(supervisor)
    with pytest.raises(InvalidTransition):
        case.close(supervisor, case.received_at + timedelta(hours=5))


@pytest.mark.parametrize(
    ("substantiated", "eligible"), [(True, True), (False, False), (None, False)]
)
def test_reward_only_for_a_named_report_that_proved_true(
    case_in: CaseIn, supervisor: Actor, substantiated: bool | None, eligible: bool
) -> None:
    case = case_in(Status.REPLIED)
    case.close(supervisor, case.received_at + timedelta(hours=5), substantiated=substantiated)
    assert case.reward_eligible is eligible


def test_dissatisfied_reopens_with_the_same_unit_for_rework(
    case_in: CaseIn, cal: WorkCalendar, supervisor: Actor, handler: Actor
) -> None:
    case = case_in(Status.FOLLOWED_UP)
    first_reply_by = case.facts().reply_by
    reopened_at = at(2024, 9, 30, 15)
    case.reopen(supervisor, "群众反映噪声仍在", reopened_at, cal)
    assert case.status is Status.ACCEPTED and case.unit_id == UNIT_A
    assert case.satisfaction is None and case.reopen_count == 1
    # A new round: reply clock restarts at the reopening, across National Day 2024.
    assert case.deadlines.reply is not None
    assert case.deadlines.reply.due == eod(2024, 10, 12)
    assert case.facts().reply_by == first_reply_by  # the rate keeps the first round
    reopened = case.events[-1]
    assert isinstance(reopened, ev.ComplaintReopened) and reopened.status is Status.ACCEPTED
    case.reply(handler, "已再次督促整改", at(2024, 10, 8, 9))
    assert status_of(case) is Status.REPLIED


def test_dissatisfied_reopens_to_another_unit_which_must_sign(
    case_in: CaseIn, cal: WorkCalendar, supervisor: Actor, handler: Actor, other_handler: Actor
) -> None:
    case = case_in(Status.FOLLOWED_UP)
    case.reopen(supervisor, "应由西城街道处理", at(2024, 9, 3, 9), cal, unit_id=UNIT_B)
    assert case.status is Status.ASSIGNED and case.unit_id == UNIT_B
    assert case.deadlines.accept is not None and case.deadlines.accept.due == eod(2024, 9, 4)
    with pytest.raises(Forbidden):
        case.accept(handler, at(2024, 9, 3, 10))
    case.accept(other_handler, at(2024, 9, 3, 10))
    assert status_of(case) is Status.ACCEPTED


@pytest.mark.parametrize("result", [Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED])
def test_satisfied_cases_cannot_reopen(
    case_in: CaseIn, cal: WorkCalendar, supervisor: Actor, result: Satisfaction
) -> None:
    case = case_in(Status.FOLLOWED_UP, satisfaction=result)
    with pytest.raises(InvalidTransition):
        case.reopen(supervisor, "再办", case.received_at + timedelta(days=1), cal)


def test_merge_duplicate_into_first_case(make_case: MakeCase, supervisor: Actor) -> None:
    first = make_case(received_at=at(2024, 9, 2, 9))
    dup = make_case(received_at=at(2024, 9, 2, 15))
    dup.merge_into(supervisor, first, at(2024, 9, 2, 16))
    assert dup.status is Status.MERGED and dup.merged_into == first.id
    assert not dup.is_open and dup.facts().merged
    merged = dup.events[-1]
    assert isinstance(merged, ev.ComplaintMerged) and merged.into_id == first.id
    assert dup.allowed_actions(supervisor) == []
    third = make_case(received_at=at(2024, 9, 2, 17))
    with pytest.raises(RuleViolation, match="merged into"):
        third.merge_into(supervisor, dup, at(2024, 9, 2, 18))


def test_merge_refuses_itself_and_a_later_case(make_case: MakeCase, supervisor: Actor) -> None:
    early = make_case(received_at=at(2024, 9, 2, 9))
    late = make_case(received_at=at(2024, 9, 2, 15))
    with pytest.raises(RuleViolation) as refused:
        early.merge_into(supervisor, late, at(2024, 9, 2, 16))
    assert refused.value.code == "merge_into_later_case"
    with pytest.raises(RuleViolation) as refused:
        early.merge_into(supervisor, early, at(2024, 9, 2, 16))
    assert refused.value.code == "merge_into_self"
    assert early.status is Status.RECEIVED


def test_merge_refuses_a_closed_first_case(case_in: CaseIn, make_case: MakeCase) -> None:
    closed = case_in(Status.CLOSED)
    repeat = make_case(received_at=closed.received_at + timedelta(days=1))
    with pytest.raises(RuleViolation) as refused:
        repeat.merge_into(Actor("s", Role.SUPERVISOR), closed, repeat.received_at)
    assert refused.value.code == "merge_target_closed"
