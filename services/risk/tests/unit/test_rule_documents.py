"""The rule configuration documents (issue 19): every setting round-trips, the domain
validates what an administrator stores, and the defaults total as the standard says."""

from __future__ import annotations

from decimal import Decimal

import pytest

from risk.domain.errors import ValidationError
from risk.domain.grading import grade_enterprise, m_score, medium_input
from risk.domain.grading_rules import GradingRules
from risk.domain.grading_types import EClass, Medium, ProcessKind
from risk.domain.incident_grading import IncidentGradingRules
from risk.service_layer.rule_documents import (
    HJ941,
    INCIDENT_GRADING,
    hj941_doc,
    incident_grading_doc,
    rules_from,
)

pytestmark = pytest.mark.unit


def test_hj941_document_round_trips_every_setting() -> None:
    rules = GradingRules()
    again = rules_from(HJ941, hj941_doc(rules), 0)
    assert again == rules
    assert rules_from(HJ941, hj941_doc(rules), 5).version == 5


def test_incident_grading_document_round_trips() -> None:
    rules = IncidentGradingRules()
    assert rules_from(INCIDENT_GRADING, incident_grading_doc(rules), 0) == rules


@pytest.mark.parametrize("medium", list(Medium))
def test_default_m_reaches_exactly_100_for_both_media(medium: Medium) -> None:
    rules = GradingRules()
    worst = {i.key: max(i.options, key=lambda o: i.options[o]) for i in rules.items(medium)}
    units = [ProcessKind.HAZARDOUS] * 4
    assert m_score(medium, units, worst, rules) == Decimal(100)


def test_a_table_that_would_reach_106_is_refused() -> None:
    doc = hj941_doc(GradingRules())
    for item in doc["water_items"]:
        item["options"]["not_met"] = "8" if "not_met" in item["options"] else None
        item["options"] = {k: v for k, v in item["options"].items() if v is not None}
    with pytest.raises(ValidationError) as refused:
        rules_from(HJ941, doc, 1)
    assert refused.value.field == "grading_rules.water_items" and "106" in refused.value.reason_zh


@pytest.mark.parametrize(
    ("key", "value", "field"),
    [
        ("m_bounds", ["25", "45"], "grading_rules.m_bounds"),
        ("m_bounds", ["x", "45", "60"], "hj941.m_bounds"),
        ("upgrade_steps", "1", "hj941.upgrade_steps"),
        ("water_e1_receptors", ["不存在的目标"], "hj941.water_e1_receptors"),
        (
            "matrix_air",
            {"E1": {"Q1": ["重大", "一般", "一般", "一般"]}},
            "grading_rules.matrix_air",
        ),
        ("nonsense", 1, "hj941.nonsense"),
    ],
)
def test_bad_settings_name_the_setting(key: str, value: object, field: str) -> None:
    doc = {**hj941_doc(GradingRules()), key: value}
    with pytest.raises(ValidationError) as refused:
        rules_from(HJ941, doc, 1)
    assert refused.value.field == field


def test_a_changed_measure_point_and_lookback_are_used_with_their_version() -> None:
    doc = hj941_doc(GradingRules())
    for item in doc["water_items"]:
        if item["key"] == "sewer_permit":
            item["options"]["not_met"] = "4"
        if item["key"] == "hazardous_waste_management":
            item["options"]["not_met"] = "6"
    doc["penalty_lookback_years"] = 5
    rules = rules_from(HJ941, doc, 2)
    assessed = {i.key: "met" for i in rules.water_items} | {
        "sewer_permit": "not_met",
        "past_incidents": "none",
    }
    units = [ProcessKind.HAZARDOUS, ProcessKind.HAZARDOUS]
    assert m_score(Medium.WATER, units, assessed, rules) == Decimal(24)
    assert m_score(Medium.WATER, units, assessed) == Decimal(25)
    result = grade_enterprise(
        medium_input(Decimal("0.5"), rules=rules),
        medium_input(Decimal(2), Decimal(24), EClass.E2, rules),
        rules=rules,
    )
    assert result.rules_version == 2 and result.water.m is not None
    assert rules.penalty_lookback_years == 5
