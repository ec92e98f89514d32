"""Small value objects and the error types the API maps to 409/422."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from risk.domain.aggregate import Aggregate, HistoryEntry
from risk.domain.clock import add_years, add_years_dt, china_date, days_between, require_aware
from risk.domain.errors import InvalidTransition, ValidationError
from risk.domain.quantities import Quantity, Unit, to_decimal

pytestmark = pytest.mark.unit


def test_validation_error_carries_both_languages() -> None:
    error = ValidationError("waste_code", "格式错误", "malformed")
    assert error.as_dict() == {
        "field": "waste_code",
        "reason_zh": "格式错误",
        "reason_en": "malformed",
    }
    assert "格式错误" in str(error) and "malformed" in str(error)


def test_invalid_transition_names_state_and_action() -> None:
    error = InvalidTransition("已运出", "cancel")
    assert (error.current, error.action) == ("已运出", "cancel")
    assert "已运出" in str(error) and "cancel" in str(error)


def test_quantities() -> None:
    assert Quantity.of("1500", "kg").tonnes == Decimal("1.5")
    assert Quantity.of(2).tonnes == 2
    assert Quantity.of("0.25", Unit.TONNE).unit is Unit.TONNE
    assert str(Quantity.of("3", "kg")) == "3 kg"


@pytest.mark.parametrize(
    ("amount", "unit"),
    [("-1", "t"), ("abc", "t"), ("1", "lb"), ("NaN", "t"), ("Infinity", "kg")],
)
def test_bad_quantities(amount: str, unit: str) -> None:
    with pytest.raises(ValidationError):
        Quantity.of(amount, unit)


def test_positive_quantities() -> None:
    with pytest.raises(ValidationError):
        Quantity.positive("0")
    assert Quantity.positive("0.001").amount == Decimal("0.001")


def test_floats_are_refused() -> None:
    with pytest.raises(ValidationError):
        to_decimal("quantity", 0.1)


def test_aware_datetimes_only() -> None:
    with pytest.raises(ValidationError):
        require_aware("at", datetime(2024, 1, 1))
    now = datetime(2024, 1, 1, tzinfo=UTC)
    assert require_aware("at", now) is now


def test_china_date() -> None:
    assert china_date(datetime(2024, 12, 31, 16, tzinfo=UTC)) == date(2025, 1, 1)
    assert china_date(datetime(2024, 12, 31, 15, 59, tzinfo=UTC)) == date(2024, 12, 31)
    minus_five = timezone(timedelta(hours=-5))
    assert china_date(datetime(2024, 6, 1, 12, tzinfo=minus_five)) == date(2024, 6, 2)


def test_add_years() -> None:
    assert add_years(date(2024, 2, 29), 1) == date(2025, 2, 28)
    assert add_years(date(2024, 2, 29), 4) == date(2028, 2, 29)
    assert add_years(date(2023, 7, 1), -3) == date(2020, 7, 1)
    moment = datetime(2024, 2, 29, 9, 30, tzinfo=UTC)
    assert add_years_dt(moment, 1) == datetime(2025, 2, 28, 9, 30, tzinfo=UTC)
    assert days_between(date(2024, 1, 1), date(2024, 3, 1)) == 60


def test_history_can_be_restored_only_into_an_empty_aggregate() -> None:
    aggregate = Aggregate()
    entry = HistoryEntry(at=datetime(2024, 1, 1, tzinfo=UTC), action="create", by="x")
    aggregate.restore_history([entry])
    assert aggregate.history == (entry,)
    assert aggregate.events == []
    with pytest.raises(InvalidTransition):
        aggregate.restore_history([entry])
