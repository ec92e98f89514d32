"""Enterprise registration and profile changes record events; unchanged fields do not."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest

from risk.domain.credit_code import make_credit_code
from risk.domain.enterprises import Enterprise
from risk.domain.errors import ValidationError
from risk.domain.geo import GeoPoint
from risk.domain.registry_events import EnterpriseRegistered, EnterpriseUpdated

pytestmark = pytest.mark.unit
CODE = make_credit_code("91500119MA5YE0009")


def test_register_records_the_event(at: Callable[..., datetime]) -> None:
    e = Enterprise.register(
        source_id=CODE.value, name=" 甲公司 ", at=at(2024, 1, 1), credit_code=CODE, lists=["b", "a"]
    )
    (event,) = e.events
    assert isinstance(event, EnterpriseRegistered)
    assert event.name == "甲公司" and event.lists == ("a", "b") and event.credit_code == CODE.value


def test_update_profile_reports_only_real_changes(at: Callable[..., datetime]) -> None:
    e = Enterprise.register(source_id="x", name="甲", at=at(2024, 1, 1))
    e.events.clear()
    point = GeoPoint.of("107.1", "29.1")
    changed = e.update_profile(at(2024, 1, 2), {"name": "甲", "location": point, "lists": ["l"]})
    assert changed == ("lists", "location") and e.location == point
    (event,) = e.events
    assert isinstance(event, EnterpriseUpdated) and event.changed_fields == changed
    e.events.clear()
    assert e.update_profile(at(2024, 1, 3), {"location": point}) == () and e.events == []
    e.assign_credit_code(CODE, at(2024, 1, 4))
    e.assign_credit_code(CODE, at(2024, 1, 5))  # same code again: nothing happens
    assert len(e.events) == 1 and e.history[-1].action == "assign_credit_code"


def test_update_profile_refuses_unknown_fields_and_blank_names(at: Callable[..., datetime]) -> None:
    e = Enterprise(name="甲")
    with pytest.raises(ValidationError) as unknown:
        e.update_profile(at(2024, 1, 1), {"grading": None})
    assert unknown.value.field == "grading"
    with pytest.raises(ValidationError):
        e.update_profile(at(2024, 1, 1), {"name": " "})
