"""应急预案: filing within 20 working days, review every 3 years, warnings once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from risk.domain.credit_code import make_credit_code
from risk.domain.emergency_plans import EmergencyPlan, PlanRules, PlanStatus
from risk.domain.errors import InvalidTransition, ValidationError
from risk.domain.events import (
    EmergencyPlanFiled,
    EmergencyPlanFilingDueSoon,
    EmergencyPlanFilingOverdue,
    EmergencyPlanRegistered,
    EmergencyPlanReviewDueSoon,
    EmergencyPlanReviewed,
    EmergencyPlanReviewOverdue,
    Event,
)

pytestmark = pytest.mark.unit

Clock = Callable[..., datetime]
Calendar = Callable[[datetime, int], datetime]
ENTERPRISE = make_credit_code("91500119MA5YE0001")


def register(at: Clock, calendar: Calendar, **kwargs: object) -> EmergencyPlan:
    params: dict[str, object] = {
        "plan_id": "P-1",
        "enterprise": ENTERPRISE,
        "title": "突发环境事件应急预案（2024版）",
        "signed_at": at(2024, 3, 1),  # a Friday
        "working_day_deadline": calendar,
    }
    params.update(kwargs)
    return EmergencyPlan.register(**params)


def kinds(plan: EmergencyPlan) -> list[type[Event]]:
    return [type(e) for e in plan.events]


def test_filing_deadline_uses_the_injected_calendar(at: Clock, calendar: Calendar) -> None:
    plan = register(at, calendar)
    assert plan.file_by == at(2024, 3, 29)  # 20 weekdays after Friday 1 March
    event = plan.events[0]
    assert isinstance(event, EmergencyPlanRegistered) and event.file_by == plan.file_by
    assert plan.status is PlanStatus.PENDING_FILING


def test_filing_days_are_configuration(at: Clock) -> None:
    calls: list[tuple[datetime, int]] = []

    def fake(start: datetime, days: int) -> datetime:
        calls.append((start, days))
        return start + timedelta(days=days)

    plan = register(at, fake, rules=PlanRules(filing_working_days=10))
    assert calls == [(at(2024, 3, 1), 10)]
    assert plan.file_by == at(2024, 3, 11)


def test_file_on_time_sets_the_review(at: Clock, calendar: Calendar) -> None:
    plan = register(at, calendar)
    plan.file("500119-2024-012-L", at(2024, 3, 20))
    assert plan.status is PlanStatus.FILED
    assert plan.review_by == at(2027, 3, 20)
    filed = plan.events[-1]
    assert isinstance(filed, EmergencyPlanFiled) and not filed.late
    assert filed.filing_number == "500119-2024-012-L"


def test_late_filing_is_recorded_not_refused(at: Clock, calendar: Calendar) -> None:
    plan = register(at, calendar)
    plan.file("500119-2024-013-M", at(2024, 4, 10))
    filed = plan.events[-1]
    assert isinstance(filed, EmergencyPlanFiled) and filed.late


def test_filing_warnings_once(at: Clock, calendar: Calendar) -> None:
    plan = register(at, calendar)
    plan.events.clear()
    plan.check_deadlines(at(2024, 3, 23))
    assert plan.events == []
    plan.check_deadlines(at(2024, 3, 24))  # five days before 29 March
    plan.check_deadlines(at(2024, 3, 25))
    assert kinds(plan) == [EmergencyPlanFilingDueSoon]
    plan.check_deadlines(at(2024, 3, 29))
    assert kinds(plan) == [EmergencyPlanFilingDueSoon]
    plan.check_deadlines(at(2024, 3, 29, 9, 1))
    plan.check_deadlines(at(2024, 4, 5))
    assert kinds(plan) == [EmergencyPlanFilingDueSoon, EmergencyPlanFilingOverdue]


def test_review_warnings_once_per_cycle(at: Clock, calendar: Calendar) -> None:
    plan = register(at, calendar)
    plan.file("N-1", at(2024, 3, 20))
    plan.events.clear()
    plan.check_deadlines(at(2026, 12, 1))
    assert plan.events == []
    plan.check_deadlines(at(2026, 12, 20))  # within 90 days of 20 March 2027
    plan.check_deadlines(at(2027, 1, 20))
    assert kinds(plan) == [EmergencyPlanReviewDueSoon]
    plan.check_deadlines(at(2027, 3, 21))
    plan.check_deadlines(at(2027, 4, 21))
    assert kinds(plan) == [EmergencyPlanReviewDueSoon, EmergencyPlanReviewOverdue]
    plan.record_review(at(2027, 5, 1))
    assert plan.review_by == at(2030, 5, 1)
    assert isinstance(plan.events[-1], EmergencyPlanReviewed)
    plan.events.clear()
    plan.check_deadlines(at(2030, 3, 1))
    plan.check_deadlines(at(2030, 5, 2))
    assert kinds(plan) == [EmergencyPlanReviewDueSoon, EmergencyPlanReviewOverdue]


def test_superseded_plans_are_quiet(at: Clock, calendar: Calendar) -> None:
    plan = register(at, calendar)
    plan.supersede(at(2024, 3, 5))
    plan.events.clear()
    plan.check_deadlines(at(2025, 1, 1))
    assert plan.events == []
    with pytest.raises(InvalidTransition):
        plan.supersede(at(2024, 3, 6))
    with pytest.raises(InvalidTransition):
        plan.file("N", at(2024, 3, 6))


def test_invalid_steps(at: Clock, calendar: Calendar) -> None:
    plan = register(at, calendar)
    with pytest.raises(InvalidTransition):
        plan.record_review(at(2024, 3, 5))
    with pytest.raises(ValidationError):
        plan.file(" ", at(2024, 3, 5))
    with pytest.raises(ValidationError):
        plan.file("N", at(2024, 2, 1))
    plan.file("N", at(2024, 3, 5))
    with pytest.raises(InvalidTransition):
        plan.file("N", at(2024, 3, 6))
    with pytest.raises(ValidationError):
        plan.record_review(at(2024, 3, 4))
    with pytest.raises(ValidationError):
        register(at, calendar, title="")
    with pytest.raises(ValidationError):
        register(at, calendar, signed_at=datetime(2024, 3, 1))
