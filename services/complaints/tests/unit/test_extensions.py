"""延期: requests bounded by the policy, approval moves deadlines and tells the reporter."""

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from complaints.domain import events as ev
from complaints.domain.complaint import Complaint
from complaints.domain.errors import InvalidTransition, RuleViolation
from complaints.domain.model import Action, Actor, Channel, Status
from complaints.domain.policy import days, wd
from qingshan_core.workdays import SHANGHAI, WorkCalendar

pytestmark = pytest.mark.unit

MakeCase = Callable[..., Complaint]
CaseIn = Callable[..., Complaint]
UNIT_A = "town-dongcheng"
MONDAY = datetime(2024, 9, 2, 9, 0, tzinfo=SHANGHAI)
LATER = MONDAY + timedelta(hours=10)  # after every setup step, inside every window


def test_extension_approved_moves_deadlines_and_tells_the_complainant(
    case_in: CaseIn, cal: WorkCalendar, handler: Actor, supervisor: Actor
) -> None:
    case = case_in(Status.ACCEPTED)
    assert case.deadlines.reply is not None
    old_reply = case.deadlines.reply.due
    assert old_reply == datetime(2024, 9, 9, 23, 59, 59, tzinfo=SHANGHAI)
    case.request_extension(handler, 3, "需等待第三方监测报告", LATER)
    assert case.pending_extension is not None and case.pending_extension.amount == wd(3)
    assert Action.APPROVE_EXTENSION in case.allowed_actions(supervisor)
    case.approve_extension(supervisor, LATER + timedelta(hours=1), cal)
    assert case.deadlines.reply is not None
    assert case.deadlines.reply.due == datetime(2024, 9, 12, 23, 59, 59, tzinfo=SHANGHAI)
    assert case.extension_used == 3 and case.pending_extension is None
    approved = case.events[-1]
    assert isinstance(approved, ev.ExtensionApproved)
    assert approved.notify_complainant is True
    assert approved.old_deadlines.reply is not None
    assert approved.old_deadlines.reply.due == old_reply
    details = case.history[-1].details
    assert details["old_reply_by"] == old_reply.isoformat()
    assert details["reply_by"] == "2024-09-12T23:59:59+08:00"


def test_extension_is_bounded_by_the_policy_maximum(
    case_in: CaseIn, cal: WorkCalendar, handler: Actor, supervisor: Actor
) -> None:
    case = case_in(Status.ACCEPTED)
    with pytest.raises(RuleViolation) as refused:
        case.request_extension(handler, 11, "太复杂", LATER)
    assert refused.value.code == "extension_too_long"
    with pytest.raises(RuleViolation):
        case.request_extension(handler, 0, "零", LATER)
    case.request_extension(handler, 6, "监测", LATER)
    with pytest.raises(RuleViolation) as refused:
        case.request_extension(handler, 1, "再要", LATER)
    assert refused.value.code == "extension_pending"
    case.approve_extension(supervisor, LATER, cal)
    with pytest.raises(RuleViolation, match="at most 4 more"):
        case.request_extension(handler, 5, "再要", LATER)
    case.request_extension(handler, 4, "最后一次", LATER)
    case.approve_extension(supervisor, LATER, cal)
    assert case.extension_used == 10
    with pytest.raises(RuleViolation):
        case.request_extension(handler, 1, "超出", LATER)


def test_petition_extension_is_in_calendar_days(
    make_case: MakeCase, cal: WorkCalendar, operator: Actor, handler: Actor, supervisor: Actor
) -> None:
    case = make_case(
        channel=Channel.LETTER, received_at=datetime(2025, 12, 17, 10, tzinfo=SHANGHAI)
    )
    case.assign(operator, UNIT_A, datetime(2025, 12, 18, 10, tzinfo=SHANGHAI), cal)
    case.accept(handler, datetime(2025, 12, 19, 10, tzinfo=SHANGHAI))
    with pytest.raises(RuleViolation):
        case.request_extension(handler, 31, "复杂", datetime(2026, 1, 5, tzinfo=SHANGHAI))
    case.request_extension(handler, 30, "跨部门核查", datetime(2026, 1, 5, tzinfo=SHANGHAI))
    assert case.pending_extension is not None and case.pending_extension.amount == days(30)
    case.approve_extension(supervisor, datetime(2026, 1, 6, tzinfo=SHANGHAI), cal)
    # Close was 2026-02-24 (after the Spring Festival); +30 days -> Thu 2026-03-26.
    assert case.deadlines.close.due == datetime(2026, 3, 26, 23, 59, 59, tzinfo=SHANGHAI)


def test_extension_rejected_keeps_deadlines(
    case_in: CaseIn, handler: Actor, supervisor: Actor
) -> None:
    case = case_in(Status.ACCEPTED)
    before = case.deadlines
    case.request_extension(handler, 2, "需等监测报告", LATER)
    with pytest.raises(RuleViolation):
        case.reject_extension(supervisor, " ", LATER)
    case.reject_extension(supervisor, "可在时限内完成", LATER)
    assert case.deadlines == before and case.pending_extension is None
    assert isinstance(case.events[-1], ev.ExtensionRejected)
    with pytest.raises(InvalidTransition):
        case.reject_extension(supervisor, "again", LATER)


def test_extension_must_be_asked_before_the_deadline(case_in: CaseIn, handler: Actor) -> None:
    case = case_in(Status.ACCEPTED)
    assert case.deadlines.reply is not None
    with pytest.raises(RuleViolation) as refused:
        case.request_extension(handler, 2, "晚了", case.deadlines.reply.due + timedelta(seconds=1))
    assert refused.value.code == "deadline_passed"


def test_reply_lets_a_pending_extension_lapse(case_in: CaseIn, handler: Actor) -> None:
    case = case_in(Status.ACCEPTED)
    case.request_extension(handler, 2, "需等监测报告", LATER)
    case.reply(handler, "已处理完毕", LATER + timedelta(hours=1))
    assert case.pending_extension is None
    assert case.history[-1].details["extension_request"] == "lapsed"


def test_anonymous_extension_moves_close_and_notifies_nobody(
    case_in: CaseIn, cal: WorkCalendar, handler: Actor, supervisor: Actor
) -> None:
    case = case_in(Status.ACCEPTED, anonymous=True)
    old_close = case.deadlines.close.due
    case.request_extension(handler, 2, "需等监测报告", LATER)
    case.approve_extension(supervisor, LATER, cal)
    assert case.deadlines.reply is None
    assert case.deadlines.close.due == datetime(2024, 9, 13, 23, 59, 59, tzinfo=SHANGHAI)
    assert old_close == datetime(2024, 9, 11, 23, 59, 59, tzinfo=SHANGHAI)
    approved = case.events[-1]
    assert isinstance(approved, ev.ExtensionApproved) and approved.notify_complainant is False
