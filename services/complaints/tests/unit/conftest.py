"""Fixtures for the pure complaints domain: a real calendar, actors, and case builders."""

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from complaints.domain.complaint import Complaint
from complaints.domain.model import (
    Action,
    Actor,
    Category,
    Channel,
    Complainant,
    Location,
    Role,
    Satisfaction,
    Status,
    Urgency,
)
from complaints.domain.policy import PolicyTable, default_policy_table
from qingshan_core.workdays import SHANGHAI, WorkCalendar

UNIT_A = "town-dongcheng"
UNIT_B = "town-xicheng"
# Monday 2024-09-02 09:00, a week without holidays: the default receipt time.
MONDAY = datetime(2024, 9, 2, 9, 0, tzinfo=SHANGHAI)

MakeCase = Callable[..., Complaint]
CaseIn = Callable[..., Complaint]


@pytest.fixture
def cal() -> WorkCalendar:
    return WorkCalendar()


@pytest.fixture
def table() -> PolicyTable:
    return default_policy_table()


@pytest.fixture
def operator() -> Actor:
    return Actor("op-7", Role.OPERATOR)


@pytest.fixture
def supervisor() -> Actor:
    return Actor("sup-1", Role.SUPERVISOR)


@pytest.fixture
def admin() -> Actor:
    return Actor("admin-1", Role.ADMIN)


@pytest.fixture
def integration() -> Actor:
    return Actor("city-12345", Role.INTEGRATION)


@pytest.fixture
def public() -> Actor:
    return Actor("app-user-42", Role.PUBLIC)


@pytest.fixture
def handler() -> Actor:
    return Actor("h-a", Role.UNIT_HANDLER, unit_id=UNIT_A)


@pytest.fixture
def other_handler() -> Actor:
    return Actor("h-b", Role.UNIT_HANDLER, unit_id=UNIT_B)


@pytest.fixture
def make_case(cal: WorkCalendar, table: PolicyTable, operator: Actor) -> MakeCase:
    """Build a freshly received case; keyword arguments override the defaults."""
    counter = iter(range(1, 10_000))

    def build(
        *,
        id: str | None = None,
        channel: Channel = Channel.HOTLINE_12345,
        category: Category = Category.AIR,
        urgency: Urgency = Urgency.NORMAL,
        received_at: datetime = MONDAY,
        anonymous: bool = False,
        phone_hash: str | None = None,
        address: str = "金山路12号",
        town: str = "东城街道",
        actor: Actor | None = None,
        external_id: str | None = None,
    ) -> Complaint:
        complainant = (
            Complainant(anonymous=True)
            if anonymous
            else Complainant(
                anonymous=False, name="张三", phone="13812345678", phone_hash=phone_hash
            )
        )
        return Complaint.receive(
            id=id or f"c-{next(counter)}",
            tracking_code="QS-TEST",
            actor=actor or operator,
            channel=channel,
            category=category,
            urgency=urgency,
            description="夜间工地噪声扰民",
            location=Location(address=address, town=town),
            complainant=complainant,
            received_at=received_at,
            policy=table.select(channel, category, urgency),
            calendar=cal,
            external_id=external_id,
        )

    return build


@pytest.fixture
def case_in(
    make_case: MakeCase,
    cal: WorkCalendar,
    operator: Actor,
    supervisor: Actor,
    handler: Actor,
) -> CaseIn:
    """Walk a new case (received at MONDAY) into ``status`` one hour per step."""

    def build(
        status: Status,
        *,
        anonymous: bool = False,
        satisfaction: Satisfaction = Satisfaction.DISSATISFIED,
    ) -> Complaint:
        case = make_case(anonymous=anonymous)
        at = MONDAY
        if status is Status.RECEIVED:
            return case
        if status is Status.MERGED:
            first = make_case(received_at=MONDAY - timedelta(hours=1))
            case.merge_into(supervisor, first, at)
            return case
        if status is Status.WITHDRAWN:
            order = make_case(anonymous=anonymous, external_id="GD-WITHDRAWN")
            order.withdraw(Actor("city-12345", Role.INTEGRATION), "市民撤回诉求", at)
            return order
        steps: list[tuple[Action, Callable[[datetime], None]]] = [
            (Action.ASSIGN, lambda t: case.assign(operator, UNIT_A, t, cal)),
            (Action.ACCEPT, lambda t: case.accept(handler, t)),
            (Action.REPLY, lambda t: case.reply(handler, "已现场核查并责令整改", t)),
            (Action.CLOSE, lambda t: case.close(supervisor, t, substantiated=True)),
            (Action.FOLLOW_UP, lambda t: case.follow_up(operator, satisfaction, t)),
        ]
        if status is Status.RETURNED:
            steps = [
                steps[0],
                (Action.RETURN, lambda t: case.return_case(handler, "非本单位职责", t)),
            ]
        for _, step in steps:
            at += timedelta(hours=1)
            step(at)
            if case.status is status:
                return case
        raise AssertionError(f"could not reach {status}")

    return build
