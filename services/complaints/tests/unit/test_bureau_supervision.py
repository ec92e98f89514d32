"""督办 by the bureau's supervisor: who, from which states, what it records and raises."""

from collections.abc import Callable
from datetime import timedelta

import pytest

from complaints.domain import events as ev
from complaints.domain.clocks import Flag, flags
from complaints.domain.complaint import Complaint
from complaints.domain.errors import Forbidden, InvalidTransition, RuleViolation
from complaints.domain.model import Action, Actor, Status
from complaints.domain.rates import Period, escalation_counts
from complaints.domain.transitions import may

pytestmark = pytest.mark.unit

CaseIn = Callable[..., Complaint]


@pytest.mark.parametrize("status", [Status.ASSIGNED, Status.ACCEPTED])
def test_supervisor_supervises_an_open_case_held_by_a_unit(
    case_in: CaseIn, supervisor: Actor, status: Status
) -> None:
    case = case_in(status)
    assert Action.BUREAU_SUPERVISE in case.allowed_actions(supervisor)
    now = case.received_at + timedelta(hours=3)
    due = now + timedelta(days=2)
    case.events.clear()
    case.supervise(supervisor, "  请于两日内现场核查并回复  ", now, due)
    case.supervise(supervisor, "仍未回复，再次督办", now + timedelta(hours=1))
    assert case.status is status  # the state and the deadlines stay
    assert case.bureau_supervise_count == 2
    assert case.supervise_count == 0  # the platform's 督办 is counted apart
    first, second = case.events
    assert isinstance(first, ev.ComplaintSupervised)
    assert (first.unit_id, first.by, first.reason, first.level, first.deadline, first.count) == (
        case.unit_id,
        supervisor.id,
        "请于两日内现场核查并回复",
        "bureau",
        due,
        1,
    )
    assert isinstance(second, ev.ComplaintSupervised) and second.deadline is None
    entry = case.history[-2]
    assert entry.action is Action.BUREAU_SUPERVISE
    assert entry.details["reason"] == "请于两日内现场核查并回复"
    assert entry.details["deadline"] == due.isoformat()
    assert "deadline" not in case.history[-1].details


def test_admin_may_supervise_others_may_not(
    case_in: CaseIn, admin: Actor, operator: Actor, handler: Actor, integration: Actor
) -> None:
    case = case_in(Status.ACCEPTED)
    now = case.received_at + timedelta(hours=3)
    case.supervise(admin, "督办", now)
    for actor in (operator, handler, integration):
        assert Action.BUREAU_SUPERVISE not in case.allowed_actions(actor)
        with pytest.raises(Forbidden):
            case.supervise(actor, "督办", now)
    assert case.bureau_supervise_count == 1


@pytest.mark.parametrize(
    "status", [Status.RECEIVED, Status.RETURNED, Status.REPLIED, Status.CLOSED, Status.FOLLOWED_UP]
)
def test_refused_before_assignment_and_once_answered(
    case_in: CaseIn, supervisor: Actor, status: Status
) -> None:
    case = case_in(status)
    with pytest.raises(InvalidTransition) as refused:
        case.supervise(supervisor, "督办", case.received_at + timedelta(days=30))
    assert refused.value.current_state == status.value
    assert case.bureau_supervise_count == 0


def test_reason_required_and_deadline_in_the_future(case_in: CaseIn, supervisor: Actor) -> None:
    case = case_in(Status.ACCEPTED)
    now = case.received_at + timedelta(hours=3)
    with pytest.raises(RuleViolation) as missing:
        case.supervise(supervisor, "  ", now)
    assert [e.field for e in missing.value.errors] == ["reason"]
    with pytest.raises(RuleViolation) as past:
        case.supervise(supervisor, "督办", now, now - timedelta(minutes=1))
    assert [e.field for e in past.value.errors] == ["deadline"]
    assert case.bureau_supervise_count == 0


def test_rates_count_the_bureaus_supervision_apart(case_in: CaseIn, supervisor: Actor) -> None:
    case = case_in(Status.ACCEPTED)
    case.supervise(supervisor, "督办", case.received_at + timedelta(hours=3))
    start = case.received_at - timedelta(hours=1)
    esc = escalation_counts([case.facts()], Period(start, start + timedelta(days=1)))
    assert (esc.cases, esc.urged_cases, esc.supervisions) == (1, 0, 0)
    assert (esc.bureau_supervised_cases, esc.bureau_supervisions) == (1, 1)


def test_supervised_open_case_is_flagged_escalated_and_offered_to_supervisors(
    case_in: CaseIn, supervisor: Actor, operator: Actor
) -> None:
    case = case_in(Status.ASSIGNED)
    assert Flag.ESCALATED not in flags(case)
    assert may(supervisor, Action.BUREAU_SUPERVISE, case.status, case.unit_id)
    assert not may(operator, Action.BUREAU_SUPERVISE, case.status, case.unit_id)
    assert not may(supervisor, Action.BUREAU_SUPERVISE, Status.REPLIED, case.unit_id)
    case.supervise(supervisor, "督办", case.received_at + timedelta(hours=3))
    assert Flag.ESCALATED in flags(case)  # 已督办
