"""Role table, state table and 退单: allowed and refused, exhaustively."""

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from complaints.domain import events as ev
from complaints.domain.complaint import Complaint
from complaints.domain.errors import Forbidden, InvalidTransition, RuleViolation
from complaints.domain.model import Action, Actor, Role, Satisfaction, Status
from qingshan_core.workdays import SHANGHAI, WorkCalendar

pytestmark = pytest.mark.unit

MakeCase = Callable[..., Complaint]
CaseIn = Callable[..., Complaint]
UNIT_A = "town-dongcheng"
MONDAY = datetime(2024, 9, 2, 9, 0, tzinfo=SHANGHAI)
LATER = MONDAY + timedelta(hours=10)  # after every setup step, inside every window

# Written out independently of the implementation's tables, from the issue and docs/deadlines.md.
EXPECTED_ROLES: dict[Action, set[Role]] = {
    Action.ASSIGN: {Role.OPERATOR, Role.INTEGRATION, Role.SUPERVISOR, Role.ADMIN},
    Action.ACCEPT: {Role.UNIT_HANDLER},
    Action.RETURN: {Role.UNIT_HANDLER},
    Action.REQUEST_EXTENSION: {Role.UNIT_HANDLER},
    # Issue 17: the city centre decides the extensions of its work orders.
    Action.APPROVE_EXTENSION: {Role.INTEGRATION, Role.SUPERVISOR, Role.ADMIN},
    Action.REJECT_EXTENSION: {Role.INTEGRATION, Role.SUPERVISOR, Role.ADMIN},
    Action.REPLY: {Role.UNIT_HANDLER},
    Action.CLOSE: {Role.INTEGRATION, Role.SUPERVISOR, Role.ADMIN},
    Action.FOLLOW_UP: {Role.OPERATOR, Role.INTEGRATION, Role.SUPERVISOR, Role.ADMIN},
    Action.REOPEN: {Role.INTEGRATION, Role.SUPERVISOR, Role.ADMIN},
    Action.MERGE: {Role.OPERATOR, Role.SUPERVISOR, Role.ADMIN},  # 并单 at the hotline too
    Action.BUREAU_SUPERVISE: {Role.SUPERVISOR, Role.ADMIN},  # issue 15: the bureau's 督办
}
EXPECTED_FROM: dict[Status, set[Action]] = {
    Status.RECEIVED: {Action.ASSIGN, Action.MERGE},
    Status.RETURNED: {Action.ASSIGN, Action.MERGE},
    Status.ASSIGNED: {Action.ACCEPT, Action.RETURN, Action.MERGE, Action.BUREAU_SUPERVISE},
    Status.ACCEPTED: {
        Action.RETURN,
        Action.REQUEST_EXTENSION,
        Action.REPLY,
        Action.MERGE,
        Action.BUREAU_SUPERVISE,
    },
    Status.REPLIED: {Action.CLOSE},
    Status.CLOSED: {Action.FOLLOW_UP},
    Status.FOLLOWED_UP: {Action.REOPEN},  # after 不满意
    Status.MERGED: set(),
    Status.WITHDRAWN: set(),  # 撤单 by the platform: final
}
# The state an action needs, to test roles in isolation.
PRECONDITION: dict[Action, Status] = {
    Action.ASSIGN: Status.RECEIVED,
    Action.ACCEPT: Status.ASSIGNED,
    Action.RETURN: Status.ASSIGNED,
    Action.REQUEST_EXTENSION: Status.ACCEPTED,
    Action.APPROVE_EXTENSION: Status.ACCEPTED,
    Action.REJECT_EXTENSION: Status.ACCEPTED,
    Action.REPLY: Status.ACCEPTED,
    Action.CLOSE: Status.REPLIED,
    Action.FOLLOW_UP: Status.CLOSED,
    Action.REOPEN: Status.FOLLOWED_UP,
    Action.MERGE: Status.RECEIVED,
    Action.BUREAU_SUPERVISE: Status.ACCEPTED,
}


def status_of(case: Complaint) -> Status:
    """Read the status through a call, so mypy does not keep an earlier narrowing."""
    return case.status


def actor_for(role: Role) -> Actor:
    return Actor(f"{role.value}-1", role, unit_id=UNIT_A if role is Role.UNIT_HANDLER else None)


def perform(
    case: Complaint, action: Action, actor: Actor, cal: WorkCalendar, first: Complaint
) -> None:
    calls: dict[Action, Callable[[], None]] = {
        Action.ASSIGN: lambda: case.assign(actor, UNIT_A, LATER, cal),
        Action.ACCEPT: lambda: case.accept(actor, LATER),
        Action.RETURN: lambda: case.return_case(actor, "非本单位职责", LATER),
        Action.REQUEST_EXTENSION: lambda: case.request_extension(actor, 2, "需等监测报告", LATER),
        Action.APPROVE_EXTENSION: lambda: case.approve_extension(actor, LATER, cal),
        Action.REJECT_EXTENSION: lambda: case.reject_extension(actor, "理由不充分", LATER),
        Action.REPLY: lambda: case.reply(actor, "已处理", LATER),
        Action.CLOSE: lambda: case.close(actor, LATER),
        Action.FOLLOW_UP: lambda: case.follow_up(actor, Satisfaction.DISSATISFIED, LATER),
        Action.REOPEN: lambda: case.reopen(actor, "群众不满意", LATER, cal),
        Action.MERGE: lambda: case.merge_into(actor, first, LATER),
        Action.BUREAU_SUPERVISE: lambda: case.supervise(actor, "请加快办理", LATER),
    }
    calls[action]()


@pytest.mark.parametrize("action", list(EXPECTED_ROLES))
@pytest.mark.parametrize("role", list(Role))
def test_role_table(
    case_in: CaseIn,
    make_case: MakeCase,
    cal: WorkCalendar,
    action: Action,
    role: Role,
) -> None:
    case = case_in(PRECONDITION[action])
    if action in (Action.APPROVE_EXTENSION, Action.REJECT_EXTENSION):
        case.request_extension(actor_for(Role.UNIT_HANDLER), 2, "需等监测报告", MONDAY)
    first = make_case(received_at=MONDAY - timedelta(days=1))
    history, events = len(case.history), len(case.events)
    if role in EXPECTED_ROLES[action]:
        perform(case, action, actor_for(role), cal, first)
        assert len(case.history) == history + 1 and len(case.events) == events + 1
        assert case.history[-1].role is role and case.history[-1].action is action
    else:
        with pytest.raises(Forbidden) as refused:
            perform(case, action, actor_for(role), cal, first)
        assert refused.value.role is role and refused.value.action is action
        assert (len(case.history), len(case.events)) == (history, events)


@pytest.mark.parametrize("action", list(EXPECTED_ROLES))
@pytest.mark.parametrize("status", list(Status))
def test_state_table(
    case_in: CaseIn,
    make_case: MakeCase,
    cal: WorkCalendar,
    status: Status,
    action: Action,
) -> None:
    case = case_in(status)
    first = make_case(received_at=MONDAY - timedelta(days=1))
    role = Role.UNIT_HANDLER if Role.UNIT_HANDLER in EXPECTED_ROLES[action] else Role.SUPERVISOR
    before = (case.status, len(case.history), len(case.events))
    if action in EXPECTED_FROM[status]:
        perform(case, action, actor_for(role), cal, first)
        assert len(case.history) == before[1] + 1
    elif role is Role.UNIT_HANDLER and case.unit_id is None:
        # No unit holds the case: a unit act is refused as not theirs, before any state check.
        with pytest.raises(Forbidden):
            perform(case, action, actor_for(role), cal, first)
    else:
        with pytest.raises(InvalidTransition) as refused:
            perform(case, action, actor_for(role), cal, first)
        assert refused.value.current_state is status
        assert refused.value.action is action
    if action not in EXPECTED_FROM[status]:
        assert (case.status, len(case.history), len(case.events)) == before


@pytest.mark.parametrize("status", list(Status))
def test_allowed_actions_matches_the_state_table(case_in: CaseIn, status: Status) -> None:
    case = case_in(status)
    union = {a for role in Role for a in case.allowed_actions(actor_for(role))}
    assert union == EXPECTED_FROM[status]


def test_only_the_holding_unit_may_act(
    case_in: CaseIn, handler: Actor, other_handler: Actor
) -> None:
    case = case_in(Status.ASSIGNED)
    with pytest.raises(Forbidden, match="not held"):
        case.accept(other_handler, LATER)
    with pytest.raises(Forbidden):
        case.return_case(other_handler, "不归我管", LATER)
    assert case.allowed_actions(other_handler) == []
    assert case.allowed_actions(handler) == [Action.ACCEPT, Action.RETURN]


# --- 退单 -----------------------------------------------------------------------------------


def test_return_goes_back_for_reassignment(
    case_in: CaseIn, cal: WorkCalendar, operator: Actor, other_handler: Actor, handler: Actor
) -> None:
    case = case_in(Status.ACCEPTED)
    first_assigned = case.first_assigned_at
    case.return_case(handler, "属于西城街道辖区", LATER)
    assert case.status is Status.RETURNED and case.unit_id is None
    assert case.deadlines.accept is None and case.deadlines.return_by is None
    returned = case.events[-1]
    assert isinstance(returned, ev.ComplaintReturned)
    assert (returned.unit_id, returned.reason) == (UNIT_A, "属于西城街道辖区")
    assert case.history[-1].details["reason"] == "属于西城街道辖区"
    case.assign(operator, "town-xicheng", LATER + timedelta(hours=1), cal)
    assert case.first_assigned_at == first_assigned  # 交办率 counts the first dispatch
    case.accept(other_handler, LATER + timedelta(hours=2))
    assert status_of(case) is Status.ACCEPTED


def test_return_window_counts_working_days_over_national_day(
    make_case: MakeCase, cal: WorkCalendar, operator: Actor, handler: Actor
) -> None:
    case = make_case(received_at=datetime(2024, 9, 30, 10, tzinfo=SHANGHAI))
    case.assign(operator, UNIT_A, datetime(2024, 9, 30, 11, tzinfo=SHANGHAI), cal)
    # 2 working days after Sep 30: Oct 8 and Oct 9.
    assert case.deadlines.return_by == datetime(2024, 10, 9, 23, 59, 59, tzinfo=SHANGHAI)
    with pytest.raises(RuleViolation) as refused:
        case.return_case(handler, "非本单位职责", datetime(2024, 10, 10, 0, 0, tzinfo=SHANGHAI))
    assert refused.value.code == "return_window_closed"
    with pytest.raises(RuleViolation) as refused:
        case.return_case(handler, "   ", datetime(2024, 10, 9, 22, tzinfo=SHANGHAI))
    assert refused.value.code == "reason_required"
    case.return_case(handler, "非本单位职责", datetime(2024, 10, 9, 22, tzinfo=SHANGHAI))
    assert case.status is Status.RETURNED


def test_no_return_after_rework_reopening(
    case_in: CaseIn, cal: WorkCalendar, supervisor: Actor, handler: Actor
) -> None:
    case = case_in(Status.FOLLOWED_UP)
    case.reopen(supervisor, "不满意", LATER, cal)
    with pytest.raises(RuleViolation, match="return window"):
        case.return_case(handler, "不归我管", LATER + timedelta(hours=1))
