"""Intake (受理): who may submit on which channel, validation, the policy a case keeps."""

from collections.abc import Callable
from datetime import datetime

import pytest

from complaints.domain.complaint import Complaint
from complaints.domain.errors import Forbidden, RuleViolation
from complaints.domain.model import (
    Actor,
    Category,
    Channel,
    Complainant,
    Location,
    Role,
    Status,
    Urgency,
)
from complaints.domain.policy import DeadlinePolicy, PolicyRule, PolicyTable, wd
from qingshan_core.workdays import SHANGHAI, WorkCalendar

pytestmark = pytest.mark.unit

MakeCase = Callable[..., Complaint]
UNIT_A = "town-dongcheng"


def at(y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=SHANGHAI)


def receive(actor: Actor, channel: Channel, cal: WorkCalendar, table: PolicyTable) -> Complaint:
    return Complaint.receive(
        id="c-x",
        tracking_code="t",
        actor=actor,
        channel=channel,
        category=Category.WATER,
        urgency=Urgency.NORMAL,
        description="河道排污",
        location=Location(address="大溪河桥下"),
        complainant=Complainant(anonymous=True),
        received_at=at(2024, 9, 2),
        policy=table.select(channel, Category.WATER, Urgency.NORMAL),
        calendar=cal,
    )


@pytest.mark.parametrize(
    ("role", "channel", "allowed"),
    [
        (Role.PUBLIC, Channel.APP, True),
        (Role.PUBLIC, Channel.WEB, True),
        (Role.PUBLIC, Channel.HOTLINE_12345, False),
        (Role.PUBLIC, Channel.VISIT, False),
        (Role.INTEGRATION, Channel.HOTLINE_12345, True),
        (Role.INTEGRATION, Channel.PLATFORM_12369, True),
        (Role.INTEGRATION, Channel.LETTER, False),
        (Role.OPERATOR, Channel.VISIT, True),
        (Role.OPERATOR, Channel.LETTER, True),
        (Role.SUPERVISOR, Channel.LETTER, True),
        (Role.UNIT_HANDLER, Channel.APP, False),
        (Role.SYSTEM, Channel.APP, False),
    ],
)
def test_who_may_submit_on_which_channel(
    cal: WorkCalendar, table: PolicyTable, role: Role, channel: Channel, allowed: bool
) -> None:
    actor = Actor("a", role, unit_id="u" if role is Role.UNIT_HANDLER else None)
    if allowed:
        assert receive(actor, channel, cal, table).channel is channel
    else:
        with pytest.raises(Forbidden):
            receive(actor, channel, cal, table)


def test_intake_validation(make_case: MakeCase, cal: WorkCalendar, operator: Actor) -> None:
    policy = DeadlinePolicy("p", 1, wd(1), wd(1), wd(5), wd(7), wd(10), wd(2))
    fields = dict(
        id="c",
        tracking_code="t",
        actor=operator,
        channel=Channel.HOTLINE_12345,
        category=Category.AIR,
        urgency=Urgency.NORMAL,
        location=Location(address="x"),
        complainant=Complainant(anonymous=True),
        policy=policy,
        calendar=cal,
    )
    with pytest.raises(RuleViolation) as refused:
        Complaint.receive(
            **fields,  # type: ignore[arg-type]
            description="d",
            received_at=at(2024, 9, 3),
            now=at(2024, 9, 2),
        )
    assert refused.value.code == "received_at_in_future"
    with pytest.raises(RuleViolation) as refused:
        Complaint.receive(**fields, description="  ", received_at=at(2024, 9, 2))  # type: ignore[arg-type]
    assert refused.value.code == "description_required"
    with pytest.raises(ValueError, match="naive"):
        Complaint.receive(**fields, description="d", received_at=datetime(2024, 9, 2))  # type: ignore[arg-type]


def test_actions_need_aware_times_not_before_receipt(
    make_case: MakeCase, cal: WorkCalendar, operator: Actor
) -> None:
    case = make_case(received_at=at(2024, 9, 2, 9))
    with pytest.raises(ValueError, match="naive"):
        case.assign(operator, UNIT_A, datetime(2024, 9, 2, 10), cal)
    with pytest.raises(RuleViolation) as refused:
        case.assign(operator, UNIT_A, at(2024, 9, 2, 8), cal)
    assert refused.value.code == "before_receipt"
    with pytest.raises(RuleViolation) as refused:
        case.assign(operator, "  ", at(2024, 9, 2, 10), cal)
    assert refused.value.code == "unit_id_required"
    assert case.status is Status.RECEIVED and len(case.history) == 1


def test_case_keeps_the_policy_it_started_under(make_case: MakeCase, table: PolicyTable) -> None:
    case = make_case()
    stricter = DeadlinePolicy("hotline-normal", 2, wd(1), wd(1), wd(3), wd(5), wd(10), wd(2))
    table = table.with_rule(PolicyRule(stricter, channel=Channel.HOTLINE_12345))
    assert table.select(case.channel, case.category, case.urgency).version == 2
    assert case.policy_version == 1 and case.policy.reply == wd(5)
