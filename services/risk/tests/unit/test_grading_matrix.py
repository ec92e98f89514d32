"""HJ 941 level matrices, combination of air and water, and the one-level upgrade."""

from __future__ import annotations

import itertools
from dataclasses import fields
from datetime import date
from decimal import Decimal
from types import MappingProxyType

import pytest

from risk.domain.errors import ValidationError
from risk.domain.grading import (
    MediumInput,
    grade_enterprise,
    grade_medium,
    penalty_triggers_upgrade,
)
from risk.domain.grading_rules import DEFAULT_MATRIX, PROVENANCE, GradingRules, check_matrix
from risk.domain.grading_types import EClass, MClass, Medium, QClass, RiskLevel

pytestmark = pytest.mark.unit

G, S, M = RiskLevel.GENERAL, RiskLevel.SIGNIFICANT, RiskLevel.MAJOR
Q123 = (QClass.Q1, QClass.Q2, QClass.Q3)

# The reference's three tables, rows Q1–Q3, columns M1–M4, typed out again independently.
EXPECTED = {
    EClass.E1: ("较大 较大 重大 重大", "较大 重大 重大 重大", "重大 重大 重大 重大"),
    EClass.E2: ("一般 较大 较大 重大", "较大 较大 重大 重大", "较大 重大 重大 重大"),
    EClass.E3: ("一般 一般 较大 较大", "一般 较大 较大 重大", "较大 较大 重大 重大"),
}


@pytest.mark.parametrize("medium", list(Medium))
@pytest.mark.parametrize("e", list(EClass))
@pytest.mark.parametrize("q_index", range(3))
@pytest.mark.parametrize("m", list(MClass))
def test_every_cell_matches_the_reference(
    medium: Medium, e: EClass, q_index: int, m: MClass
) -> None:
    expected = RiskLevel(EXPECTED[e][q_index].split()[list(MClass).index(m)])
    result = grade_medium(medium, MediumInput(Q123[q_index], m, e))
    assert result.level is expected


@pytest.mark.parametrize("m", [None, *MClass])
@pytest.mark.parametrize("e", [None, *EClass])
def test_q0_is_always_general(m: MClass | None, e: EClass | None) -> None:
    for medium in Medium:
        assert grade_medium(medium, MediumInput(QClass.Q0, m, e)).level is G


def test_matrix_never_decreases_with_q_m_or_sensitivity() -> None:
    order = [EClass.E3, EClass.E2, EClass.E1]
    for e, q, m in itertools.product(EClass, Q123, range(4)):
        level = DEFAULT_MATRIX[e][q][m].rank
        if m < 3:
            assert DEFAULT_MATRIX[e][q][m + 1].rank >= level
        if q is not QClass.Q3:
            assert DEFAULT_MATRIX[e][Q123[Q123.index(q) + 1]][m].rank >= level
        if e is not EClass.E1:
            assert DEFAULT_MATRIX[order[order.index(e) + 1]][q][m].rank >= level


def test_non_monotonic_matrix_is_refused() -> None:
    broken = {e: dict(rows) for e, rows in DEFAULT_MATRIX.items()}
    broken[EClass.E3][QClass.Q1] = (S, G, S, S)
    with pytest.raises(ValidationError) as caught:
        GradingRules(matrix_water=MappingProxyType(broken))
    assert caught.value.field == "grading_rules.matrix_water"


def test_matrix_decreasing_with_q_or_e_is_refused() -> None:
    by_q = {e: dict(rows) for e, rows in DEFAULT_MATRIX.items()}
    by_q[EClass.E3][QClass.Q2] = (G, G, G, G)
    with pytest.raises(ValidationError) as caught:
        check_matrix("m", by_q)
    assert "E3 from Q1 to Q2" in caught.value.reason_en
    by_e = {e: dict(rows) for e, rows in DEFAULT_MATRIX.items()}
    by_e[EClass.E1][QClass.Q1] = (G, G, M, M)  # E1 below E2 at Q1/M2
    with pytest.raises(ValidationError) as caught:
        check_matrix("m", by_e)
    assert "Q1 from E2 to E1" in caught.value.reason_en


def test_incomplete_matrix_is_refused() -> None:
    partial = {EClass.E1: DEFAULT_MATRIX[EClass.E1]}
    with pytest.raises(ValidationError):
        check_matrix("m", partial)
    short = {e: dict(rows) for e, rows in DEFAULT_MATRIX.items()}
    short[EClass.E1][QClass.Q1] = (S, S, M)
    with pytest.raises(ValidationError):
        check_matrix("m", short)


def test_q_above_zero_needs_m_and_e() -> None:
    with pytest.raises(ValidationError):
        grade_medium(Medium.AIR, MediumInput(QClass.Q1, MClass.M1, None))
    with pytest.raises(ValidationError):
        grade_medium(Medium.WATER, MediumInput(QClass.Q2, None, EClass.E1))


def test_overall_level_is_the_higher_medium() -> None:
    for air_m, water_m in itertools.product(MClass, MClass):
        air = MediumInput(QClass.Q2, air_m, EClass.E2)
        water = MediumInput(QClass.Q1, water_m, EClass.E3)
        result = grade_enterprise(air, water)
        assert result.combined.rank == max(result.air.level.rank, result.water.level.rank)
        assert result.level is result.combined
        assert not result.upgraded


@pytest.mark.parametrize(("before", "after"), [(G, S), (S, M), (M, M)])
def test_upgrade_raises_one_level_capped_at_major(before: RiskLevel, after: RiskLevel) -> None:
    inputs = {
        G: MediumInput(QClass.Q0),
        S: MediumInput(QClass.Q1, MClass.M1, EClass.E1),
        M: MediumInput(QClass.Q3, MClass.M4, EClass.E1),
    }
    result = grade_enterprise(inputs[before], MediumInput(QClass.Q0), penalised=True)
    assert result.combined is before and result.penalised
    assert result.level is after
    assert result.upgraded is (before is not after)


def test_upgrade_changes_only_the_leading_level_of_the_label() -> None:
    air = MediumInput(QClass.Q1, MClass.M1, EClass.E2)
    water = MediumInput(QClass.Q2, MClass.M1, EClass.E1)
    result = grade_enterprise(air, water, penalised=True)
    assert result.label == "重大[一般-大气(Q1-M1-E2)+较大-水(Q2-M1-E1)]"
    assert result.colour == "red"


def test_upgrade_steps_are_configuration() -> None:
    rules = GradingRules(upgrade_steps=0)
    result = grade_enterprise(MediumInput(QClass.Q0), MediumInput(QClass.Q0), True, rules)
    assert result.level is G and not result.upgraded
    capped = GradingRules(upgrade_steps=2, upgrade_cap=S)
    result = grade_enterprise(MediumInput(QClass.Q0), MediumInput(QClass.Q0), True, capped)
    assert result.level is S


@pytest.mark.parametrize(
    ("penalty", "expected"),
    [
        (date(2024, 6, 30), True),
        (date(2021, 7, 1), True),  # exactly three years before
        (date(2021, 6, 30), False),
        (date(2024, 7, 2), False),  # after the assessment date
    ],
)
def test_penalty_window(penalty: date, expected: bool) -> None:
    assert penalty_triggers_upgrade([penalty], date(2024, 7, 1)) is expected


def test_penalty_window_is_configuration() -> None:
    rules = GradingRules(penalty_lookback_years=5)
    assert penalty_triggers_upgrade([date(2020, 1, 1)], date(2024, 7, 1), rules)
    assert not penalty_triggers_upgrade([], date(2024, 7, 1))


def test_colours() -> None:
    assert grade_enterprise(MediumInput(QClass.Q0), MediumInput(QClass.Q0)).colour == "blue"
    one = MediumInput(QClass.Q1, MClass.M1, EClass.E1)
    assert grade_enterprise(one, MediumInput(QClass.Q0)).colour == "yellow"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"q_bounds": ()},
        {"q_bounds": (Decimal(1), Decimal(10), Decimal(10))},
        {"m_bounds": (Decimal(45), Decimal(25), Decimal(60))},
        {"upgrade_steps": -1},
        {"penalty_lookback_years": -1},
        {"process_points": {}},
        {
            "water_e1_receptors": frozenset(GradingRules().water_e2_receptors),
        },
    ],
)
def test_bad_rules_are_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        GradingRules(**kwargs)


def test_every_setting_has_a_provenance() -> None:
    # `version` names the configuration document, it is no HJ 941 number.
    assert {f.name for f in fields(GradingRules)} - {"version"} == set(PROVENANCE)
