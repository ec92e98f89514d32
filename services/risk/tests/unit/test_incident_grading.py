"""Grading incidents from the facts (分级标准) and 报告办法 第五条's Ⅱ/Ⅰ procedure (issue 19)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from risk.domain.errors import ValidationError
from risk.domain.events import IncidentGraded, IncidentRegistered
from risk.domain.incident_grading import (
    BorderReach,
    EcologicalDamage,
    IncidentFacts,
    IncidentGradingRules,
    IntakeLevel,
    SensitiveReceptor,
    Thresholds,
    grade_from_facts,
    procedure_triggers,
)
from risk.domain.incident_rules import IncidentGrade
from risk.domain.incidents import Incident
from risk.domain.registry_events import IncidentRegraded

pytestmark = pytest.mark.unit

Clock = Callable[..., datetime]
G1, G2, G3, G4 = IncidentGrade.I, IncidentGrade.II, IncidentGrade.III, IncidentGrade.IV


@pytest.mark.parametrize(
    ("facts", "grade"),
    [
        (IncidentFacts(), G4),
        (IncidentFacts(deaths=2), G4),
        (IncidentFacts(deaths=3), G3),  # "以上"含本数
        (IncidentFacts(deaths=9), G3),
        (IncidentFacts(deaths=10), G2),
        (IncidentFacts(deaths=29), G2),
        (IncidentFacts(deaths=30), G1),
        (IncidentFacts(poisoned=9), G4),
        (IncidentFacts(poisoned=10), G3),
        (IncidentFacts(poisoned=50), G2),
        (IncidentFacts(poisoned=100), G1),
        (IncidentFacts(evacuated=4_999), G4),
        (IncidentFacts(evacuated=5_000), G3),
        (IncidentFacts(evacuated=10_000), G2),
        (IncidentFacts(evacuated=50_000), G1),
        (IncidentFacts(economic_loss_wan=Decimal("499.99")), G4),
        (IncidentFacts(economic_loss_wan=Decimal(500)), G3),
        (IncidentFacts(economic_loss_wan=Decimal(2_000)), G2),
        (IncidentFacts(economic_loss_wan=Decimal(10_000)), G1),
        (IncidentFacts(intake_interrupted=IntakeLevel.TOWNSHIP), G3),
        (IncidentFacts(intake_interrupted=IntakeLevel.COUNTY), G2),
        (IncidentFacts(intake_interrupted=IntakeLevel.CITY), G1),
        (IncidentFacts(ecological=EcologicalDamage.PROTECTED_SPECIES_HARMED), G3),
        (IncidentFacts(ecological=EcologicalDamage.FUNCTION_PARTLY_LOST), G2),
        (IncidentFacts(ecological=EcologicalDamage.FUNCTION_LOST), G1),
        (IncidentFacts(border=BorderReach.COUNTY), G4),
        (IncidentFacts(border=BorderReach.PREFECTURE), G3),
        (IncidentFacts(border=BorderReach.PROVINCIAL), G2),
        (IncidentFacts(border=BorderReach.NATIONAL), G1),
        # The most severe criterion decides; flags alone do not grade.
        (IncidentFacts(deaths=3, evacuated=10_000), G2),
        (IncidentFacts(drinking_water=True, heavy_metals=True, mass_incident=True), G4),
    ],
)
def test_grade_from_the_facts(facts: IncidentFacts, grade: IncidentGrade) -> None:
    assert grade_from_facts(facts)[0] is grade


def test_the_criteria_that_set_the_grade_are_named() -> None:
    grade, criteria = grade_from_facts(IncidentFacts(deaths=3, poisoned=12, evacuated=10_000))
    assert grade is G2 and criteria == ("疏散转移10000≥10000",)
    assert grade_from_facts(IncidentFacts(deaths=3, poisoned=12))[1] == (
        "死亡3≥3",
        "中毒或重伤12≥10",
    )


def test_thresholds_are_configuration() -> None:
    stricter = IncidentGradingRules(
        version=7,
        thresholds={
            G1: Thresholds(20, 80, 40_000, Decimal(8_000)),
            G2: Thresholds(5, 30, 8_000, Decimal(1_000)),
            G3: Thresholds(1, 5, 1_000, Decimal(100)),
        },
    )
    assert grade_from_facts(IncidentFacts(deaths=1), stricter)[0] is G3
    assert grade_from_facts(IncidentFacts(deaths=1))[0] is G4
    for bad in (
        {G1: Thresholds(3, 10, 5, Decimal(1)), G2: Thresholds(3, 10, 5, Decimal(1))},
        {
            G1: Thresholds(3, 100, 50_000, Decimal(10_000)),
            G2: Thresholds(10, 50, 10_000, Decimal(2_000)),
            G3: Thresholds(30, 10, 5_000, Decimal(500)),
        },
    ):
        with pytest.raises(ValidationError):
            IncidentGradingRules(thresholds=bad)


def test_negative_facts_are_refused() -> None:
    with pytest.raises(ValidationError) as refused:
        IncidentFacts(deaths=-1)
    assert refused.value.field == "facts.deaths"
    with pytest.raises(ValidationError):
        IncidentFacts(economic_loss_wan=Decimal(-1))


@pytest.mark.parametrize(
    ("facts", "trigger"),
    [
        (IncidentFacts(drinking_water=True), "drinking_water"),
        (IncidentFacts(sensitive=frozenset({SensitiveReceptor.SCHOOL})), "sensitive:school"),
        (IncidentFacts(sensitive=frozenset({SensitiveReceptor.HOSPITAL})), "sensitive:hospital"),
        (
            IncidentFacts(sensitive=frozenset({SensitiveReceptor.RESIDENTIAL})),
            "sensitive:residential",
        ),
        (IncidentFacts(heavy_metals=True), "heavy_metals"),
        (IncidentFacts(border=BorderReach.PROVINCIAL), "border:provincial"),
        (IncidentFacts(border=BorderReach.NATIONAL), "border:national"),
        (IncidentFacts(mass_incident=True), "mass_incident"),
    ],
)
def test_article_5_triggers(facts: IncidentFacts, trigger: str) -> None:
    assert procedure_triggers(facts) == (trigger,)


def test_no_trigger_for_a_prefecture_border_or_nothing() -> None:
    assert procedure_triggers(IncidentFacts(border=BorderReach.PREFECTURE)) == ()
    assert procedure_triggers(IncidentFacts()) == ()


def _register(at: Clock, **kwargs: object) -> Incident:
    params: dict[str, object] = {
        "incident_id": "INC-9",
        "title": "校园周边化学品泄漏",
        "occurred_at": at(2024, 7, 1, 8),
        "learned_at": at(2024, 7, 1, 9),
    }
    params.update(kwargs)
    return Incident.register(**params)


def test_a_preliminary_iv_at_a_school_gets_a_2_hour_clock(at: Clock) -> None:
    plain = _register(at, grade=G4)
    assert plain.report_by == at(2024, 7, 1, 13)  # 4 h
    school = IncidentFacts(sensitive=frozenset({SensitiveReceptor.SCHOOL}))
    incident = _register(at, grade=G4, facts=school)
    assert incident.grade is G4 and incident.reporting_grade is G2
    assert incident.report_by == at(2024, 7, 1, 11)  # 2 h
    registered = incident.events[0]
    assert isinstance(registered, IncidentRegistered)
    assert registered.procedure_triggers == ("sensitive:school",)
    assert registered.report_by == at(2024, 7, 1, 11)


@pytest.mark.parametrize(
    "facts",
    [
        IncidentFacts(sensitive=frozenset({SensitiveReceptor.HOSPITAL})),
        IncidentFacts(sensitive=frozenset({SensitiveReceptor.RESIDENTIAL})),
        IncidentFacts(mass_incident=True),
        IncidentFacts(heavy_metals=True),
    ],
)
def test_every_article_5_case_goes_the_ii_way_until_graded(at: Clock, facts: IncidentFacts) -> None:
    incident = _register(at, grade=G3, facts=facts)
    assert incident.report_by == at(2024, 7, 1, 11)
    incident.assign_grade(G3, at(2024, 7, 1, 10), reason="现场核查后定为较大")
    assert incident.reporting_grade is G3 and incident.report_by == at(2024, 7, 1, 13)


def test_the_facts_set_the_grade_and_a_typed_grade_may_only_raise_it(at: Clock) -> None:
    three_dead = IncidentFacts(deaths=3)
    incident = _register(at, grade=None, facts=three_dead)
    assert incident.grade is G3 and incident.facts_grade is G3
    with pytest.raises(ValidationError) as refused:
        _register(at, grade=G4, facts=three_dead)
    assert refused.value.field == "grade"
    with pytest.raises(ValidationError):
        incident.assign_grade(G4, at(2024, 7, 1, 10))
    with pytest.raises(ValidationError) as no_reason:
        incident.assign_grade(G2, at(2024, 7, 1, 10))
    assert no_reason.value.field == "reason"
    incident.assign_grade(G3, at(2024, 7, 1, 10))  # what the facts say: no reason needed
    graded = incident.events[-1]
    assert isinstance(graded, IncidentGraded) and graded.grade == "III"
    incident.assign_grade(G2, at(2024, 7, 1, 11), reason="次生污染扩大，参照重大处置")
    regraded = incident.events[-1]
    assert isinstance(regraded, IncidentRegraded)
    assert (regraded.old_grade, regraded.grade, regraded.reason) == (
        "III",
        "II",
        "次生污染扩大，参照重大处置",
    )
    assert incident.grade_reason == "次生污染扩大，参照重大处置"


def test_new_facts_regrade_and_record_the_configuration_version(at: Clock) -> None:
    rules = IncidentGradingRules(version=3)
    incident = _register(at, grade=G4, grading=rules)
    assert incident.grading_version == 3 and incident.report_by == at(2024, 7, 1, 13)
    incident.update_facts(IncidentFacts(evacuated=6_000), at(2024, 7, 1, 9, 30), rules)
    event = incident.events[-1]
    assert isinstance(event, IncidentRegraded)
    assert (event.old_grade, event.grade, event.reporting_grade) == ("IV", "III", "III")
    assert event.criteria == ("疏散转移6000≥5000",) and event.grading_version == 3
    count = len(incident.events)
    incident.update_facts(IncidentFacts(evacuated=6_500), at(2024, 7, 1, 9, 40), rules)
    assert len(incident.events) == count  # same grade and procedure: history only
    assert incident.history[-1].action == "facts"
    # A school nearby: the procedure changes though the grade does not.
    school = replace(incident.facts, sensitive=frozenset({SensitiveReceptor.SCHOOL}))
    incident.update_facts(school, at(2024, 7, 1, 9, 45), rules)
    changed = incident.events[-1]
    assert isinstance(changed, IncidentRegraded) and changed.reporting_grade == "II"
    assert changed.report_by == at(2024, 7, 1, 11)


def test_a_formal_grade_rises_with_worse_facts(at: Clock) -> None:
    incident = _register(at, grade=G4)
    incident.assign_grade(G4, at(2024, 7, 1, 10))
    incident.update_facts(IncidentFacts(deaths=10), at(2024, 7, 1, 12))
    assert incident.grade is G2 and incident.reporting_grade is G2
    event = incident.events[-1]
    assert isinstance(event, IncidentRegraded) and event.graded
    assert event.old_grade == "IV" and event.procedure_triggers == ()
    assert incident.report_by == at(2024, 7, 1, 9) + timedelta(hours=2)
