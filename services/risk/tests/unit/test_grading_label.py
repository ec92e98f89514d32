"""The 等级表征 label: building it and reading it back."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from risk.domain.errors import ValidationError
from risk.domain.grading import MediumInput, grade_enterprise, label_problems, medium_input
from risk.domain.grading_label import parse_label
from risk.domain.grading_rules import GradingRules
from risk.domain.grading_types import EClass, MClass, QClass, RiskLevel

pytestmark = pytest.mark.unit


def test_the_standards_example() -> None:
    # Air Q1-M1-E2 → 一般 (E2 table), water Q2-M1-E1 → 较大 (E1 table), overall the higher.
    result = grade_enterprise(
        MediumInput(QClass.Q1, MClass.M1, EClass.E2),
        MediumInput(QClass.Q2, MClass.M1, EClass.E1),
    )
    assert result.air.level is RiskLevel.GENERAL
    assert result.water.level is RiskLevel.SIGNIFICANT
    assert result.level is RiskLevel.SIGNIFICANT
    assert result.label == "较大[一般-大气(Q1-M1-E2)+较大-水(Q2-M1-E1)]"


def test_the_real_filing_air_part_is_consistent() -> None:
    # S5 filing: `较大 [较大-大气（Q2-M2-E3）较大-水]` — air Q2-M2-E3 is 较大 in the E3 table.
    result = grade_enterprise(MediumInput(QClass.Q2, MClass.M2, EClass.E3), MediumInput(QClass.Q0))
    assert result.air.level is RiskLevel.SIGNIFICANT
    assert result.label.startswith("较大[较大-大气(Q2-M2-E3)+")


def test_q0_is_written_without_m_and_e() -> None:
    result = grade_enterprise(MediumInput(QClass.Q0, MClass.M2, EClass.E1), MediumInput(QClass.Q0))
    assert result.label == "一般[一般-大气(Q0)+一般-水(Q0)]"


def test_q0_with_m_and_e_is_a_setting() -> None:
    rules = GradingRules(q0_label_with_m_e=True)
    result = grade_enterprise(
        MediumInput(QClass.Q0, MClass.M2, EClass.E1), MediumInput(QClass.Q0), rules=rules
    )
    assert result.label == "一般[一般-大气(Q0-M2-E1)+一般-水(Q0)]"


@pytest.mark.parametrize(
    "label",
    [
        "较大[一般-大气(Q1-M1-E2)+较大-水(Q2-M1-E1)]",
        "重大[一般-大气(Q0)+较大-水(Q3-M4-E3)]",
        "一般[一般-大气(Q0)+一般-水(Q0)]",
    ],
)
def test_labels_round_trip(label: str) -> None:
    parsed = parse_label(label)
    assert parsed.air is not None and parsed.water is not None
    air, water = parsed.air, parsed.water
    rebuilt = (
        f"{parsed.level}[{air.level}-大气({'-'.join(c for c in (air.q, air.m, air.e) if c)})+"
        f"{water.level}-水({'-'.join(c for c in (water.q, water.m, water.e) if c)})]"
    )
    assert rebuilt == label


def test_full_width_and_spaces_are_read() -> None:
    parsed = parse_label("较大 [较大-大气（Q2-M2-E3）较大-水]")
    assert parsed.level is RiskLevel.SIGNIFICANT
    assert parsed.air is not None and parsed.air.q is QClass.Q2
    assert parsed.air.m is MClass.M2 and parsed.air.e is EClass.E3
    assert parsed.water is not None and parsed.water.q is None
    assert parsed.water.level is RiskLevel.SIGNIFICANT


def test_one_medium_only() -> None:
    parsed = parse_label("一般[一般-水(Q0)]")
    assert parsed.air is None and parsed.water is not None


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "较大",
        "较大[]",
        "很大[一般-大气(Q1-M1-E2)]",
        "较大[一般-大气(Q4-M1-E2)]",
        "较大[一般-大气(Q1-M1-E2)+一般-大气(Q1-M1-E2)]",
        "较大[一般-空气(Q1-M1-E2)]",
        "较大[一般-大气(Q1-M1-E2)x]",
    ],
)
def test_bad_labels_are_refused(bad: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_label(bad)
    assert caught.value.field == "label"


def test_medium_input_classifies_raw_values() -> None:
    assert medium_input(Fraction(1, 2)) == MediumInput(QClass.Q0, None, None)
    assert medium_input(Decimal("12.5"), 47, EClass.E2) == MediumInput(
        QClass.Q2, MClass.M3, EClass.E2
    )


@pytest.mark.parametrize(
    "label",
    [
        "较大[一般-大气(Q1-M1-E2)+较大-水(Q2-M1-E1)]",
        "重大[一般-大气(Q1-M1-E2)+较大-水(Q2-M1-E1)]",  # upgraded after a penalty
        "一般[一般-大气(Q0)+一般-水(Q0)]",
        "重大[重大-大气(Q3-M4-E1)+一般-水(Q0)]",
    ],
)
def test_consistent_labels_have_no_problems(label: str) -> None:
    assert label_problems(label) == []


@pytest.mark.parametrize(
    ("label", "fragment"),
    [
        ("较大[较大-大气(Q1-M1-E2)+较大-水(Q2-M1-E1)]", "matrix gives general"),
        ("一般[一般-大气(Q1-M1-E2)+较大-水(Q2-M1-E1)]", "overall level"),
        ("较大 [较大-大气（Q2-M2-E3）较大-水]", "classes missing"),
    ],
)
def test_inconsistent_labels_are_explained(label: str, fragment: str) -> None:
    problems = label_problems(label)
    assert any(fragment in p for p in problems), problems
