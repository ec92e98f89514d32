"""HJ 941 Q, M and E classes."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from risk.domain.errors import ValidationError
from risk.domain.grading import (
    SubstanceAmount,
    air_e_class,
    classify_m,
    classify_q,
    m_score,
    measures_score,
    process_score,
    q_value,
    water_e_class,
)
from risk.domain.grading_rules import GradingRules
from risk.domain.grading_types import EClass, MClass, Medium, ProcessKind, QClass, WaterReceptor

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        (0, QClass.Q0),
        (Fraction(999, 1000), QClass.Q0),
        (1, QClass.Q1),
        (Decimal("9.999"), QClass.Q1),
        (10, QClass.Q2),
        (Fraction(9999, 100), QClass.Q2),
        (100, QClass.Q3),
        (10**6, QClass.Q3),
    ],
)
def test_q_classes_lower_bound_inclusive(q: Fraction | Decimal | int, expected: QClass) -> None:
    assert classify_q(q) is expected


def test_q_negative_is_refused() -> None:
    with pytest.raises(ValidationError):
        classify_q(-1)


def test_q_is_the_exact_sum_of_ratios() -> None:
    # 氯气 1 t critical, 氨气 5 t, 甲醛 0.5 t (HJ 169 B.1 spot values).
    q = q_value(
        [
            SubstanceAmount("氯气", Decimal("0.4"), Decimal(1)),
            SubstanceAmount("氨气", Decimal("2"), Decimal(5)),
            SubstanceAmount("甲醛", Decimal("0.1"), Decimal("0.5")),
        ]
    )
    assert q == Fraction(1)  # 0.4 + 0.4 + 0.2, exactly 1 → Q1, not 0.9999…
    assert classify_q(q) is QClass.Q1


def test_q_of_nothing_is_zero() -> None:
    assert q_value([]) == 0
    assert classify_q(q_value([])) is QClass.Q0


def test_mixture_counts_its_pure_share() -> None:
    q = q_value([SubstanceAmount("37%甲醛溶液", Decimal(10), Decimal("0.5"), Decimal("0.37"))])
    assert q == Fraction("7.4")


@pytest.mark.parametrize(
    "bad",
    [
        SubstanceAmount("x", Decimal(1), Decimal(0)),
        SubstanceAmount("x", Decimal(-1), Decimal(1)),
        SubstanceAmount("x", Decimal(1), Decimal(1), Decimal(0)),
        SubstanceAmount("x", Decimal(1), Decimal(1), Decimal("1.1")),
    ],
)
def test_bad_substance_amounts_are_refused(bad: SubstanceAmount) -> None:
    with pytest.raises(ValidationError):
        bad.ratio()


def test_process_score_worked_example_is_capped_at_30() -> None:
    # MEE reply: two identical lines each with 加氢 and 聚合 → 4 units × 10 = 40 → 30.
    assert process_score([ProcessKind.HAZARDOUS] * 4) == 30


@pytest.mark.parametrize(
    ("units", "score"),
    [
        ([], 0),
        ([ProcessKind.NONE], 0),
        ([ProcessKind.HIGH_T_P_FLAMMABLE], 5),
        ([ProcessKind.OBSOLETE, ProcessKind.HIGH_T_P_FLAMMABLE], 10),
        ([ProcessKind.HAZARDOUS, ProcessKind.HAZARDOUS, ProcessKind.OBSOLETE], 25),
        ([ProcessKind.HAZARDOUS] * 3, 30),
        ([ProcessKind.HAZARDOUS] * 3 + [ProcessKind.OBSOLETE], 30),
    ],
)
def test_process_scores(units: list[ProcessKind], score: int) -> None:
    assert process_score(units) == score


AIR_NONE = {"toxic_gas_monitoring": "met", "protective_distance": "met", "past_incidents": "none"}
WATER_NONE = {
    "interception": "met",
    "accident_water_collection": "met",
    "clean_water_system": "met",
    "rainwater_system": "met",
    "production_wastewater": "met",
    "sewer_permit": "met",
    "hazardous_waste_management": "met",
    "past_incidents": "none",
}


def test_air_measures_maximum_is_70() -> None:
    worst = {"toxic_gas_monitoring": "not_met", "protective_distance": "not_met"}
    assert measures_score(Medium.AIR, {**worst, "past_incidents": "major"}) == 70
    # 表1 (30) + 25 + 25 + 20 = 100, the total the reference gives.
    assert (
        m_score(Medium.AIR, [ProcessKind.HAZARDOUS] * 3, {**worst, "past_incidents": "major"})
        == 100
    )


@pytest.mark.parametrize(
    ("incidents", "points"), [("none", 0), ("general", 10), ("significant", 15), ("major", 20)]
)
def test_past_incident_scores(incidents: str, points: int) -> None:
    assert measures_score(Medium.AIR, {**AIR_NONE, "past_incidents": incidents}) == points


def test_water_measures_are_configurable_placeholders() -> None:
    assert measures_score(Medium.WATER, WATER_NONE) == 0
    assert measures_score(Medium.WATER, {**WATER_NONE, "interception": "not_met"}) == 8


def test_every_item_must_be_assessed() -> None:
    partial = dict(AIR_NONE)
    del partial["protective_distance"]
    with pytest.raises(ValidationError) as caught:
        measures_score(Medium.AIR, partial)
    assert caught.value.field == "m.air.protective_distance"


def test_unknown_items_and_options_are_refused() -> None:
    with pytest.raises(ValidationError):
        measures_score(Medium.AIR, {**AIR_NONE, "karma": "met"})
    with pytest.raises(ValidationError) as caught:
        measures_score(Medium.AIR, {**AIR_NONE, "past_incidents": "many"})
    assert "many" in caught.value.reason_en


@pytest.mark.parametrize(
    ("score", "expected"),
    [
        (0, MClass.M1),
        (Decimal("24.9"), MClass.M1),
        (25, MClass.M2),
        (44, MClass.M2),
        (45, MClass.M3),
        (59, MClass.M3),
        (60, MClass.M4),
        (100, MClass.M4),
    ],
)
def test_m_classes(score: Decimal | int, expected: MClass) -> None:
    assert classify_m(score) is expected


def test_m_negative_is_refused() -> None:
    with pytest.raises(ValidationError):
        classify_m(-5)


@pytest.mark.parametrize(
    ("p5km", "p500m", "expected"),
    [
        (60_000, 0, EClass.E1),
        (50_000, 0, EClass.E1),  # boundary counted in the more sensitive class
        (49_999, 0, EClass.E2),
        (10_000, 0, EClass.E2),
        (9_999, 0, EClass.E3),
        (0, 1_000, EClass.E1),
        (0, 999, EClass.E2),
        (0, 500, EClass.E2),
        (0, 499, EClass.E3),
        (20_000, 1_500, EClass.E1),  # the more sensitive test wins
        (60_000, 10, EClass.E1),
        (5_000, 700, EClass.E2),
    ],
)
def test_air_e(p5km: int, p500m: int, expected: EClass) -> None:
    assert air_e_class(p5km, p500m) is expected


def test_air_e_special_protection_is_e1() -> None:
    assert air_e_class(0, 0, special_protection=True) is EClass.E1


def test_air_e_negative_population_refused() -> None:
    with pytest.raises(ValidationError):
        air_e_class(-1, 0)


def test_air_e_thresholds_are_configuration() -> None:
    rules = GradingRules(air_population_5km=(100_000, 20_000))
    assert air_e_class(60_000, 0, rules=rules) is EClass.E2


@pytest.mark.parametrize(
    ("receptors", "national", "provincial", "expected"),
    [
        ([], False, False, EClass.E3),
        ([WaterReceptor.DRINKING_WATER_SOURCE], False, False, EClass.E1),
        ([WaterReceptor.AQUACULTURE], False, False, EClass.E2),
        ([WaterReceptor.AQUACULTURE, WaterReceptor.NATURE_RESERVE], False, False, EClass.E1),
        ([], True, False, EClass.E1),
        ([], False, True, EClass.E2),
        ([WaterReceptor.KARST], False, False, EClass.E2),
    ],
)
def test_water_e(
    receptors: list[WaterReceptor], national: bool, provincial: bool, expected: EClass
) -> None:
    assert water_e_class(receptors, national, provincial) is expected


def test_water_receptor_lists_are_configuration() -> None:
    rules = GradingRules(
        water_e2_receptors=frozenset({WaterReceptor.AQUACULTURE}),
    )
    assert water_e_class([WaterReceptor.KARST], rules=rules) is EClass.E3
