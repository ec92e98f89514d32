"""HJ 941-2018 grading logic: Q, M and E classes, the Q×M matrices, combination and upgrade."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from risk.domain.clock import add_years
from risk.domain.errors import ValidationError
from risk.domain.grading_label import MediumResult, format_label, parse_label
from risk.domain.grading_rules import GradingRules
from risk.domain.grading_types import (
    EClass,
    MClass,
    Medium,
    ProcessKind,
    QClass,
    RiskLevel,
    WaterReceptor,
    level_from_rank,
)

DEFAULT_RULES = GradingRules()


@dataclass(frozen=True, slots=True)
class SubstanceAmount:
    """Maximum amount q of one risk substance on site and its critical quantity Q (tonnes)."""

    name: str
    max_amount_t: Decimal
    critical_quantity_t: Decimal
    # 混合或稀释的风险物质按其组分比例折算成纯物质: the pure-substance share of the amount.
    share: Decimal = Decimal(1)

    def ratio(self) -> Fraction:
        """q/Q for this substance, exact."""
        if self.critical_quantity_t <= 0:
            raise ValidationError("critical_quantity_t", "临界量必须大于零", "must be positive")
        if self.max_amount_t < 0:
            raise ValidationError("max_amount_t", "存在量不能为负", "must not be negative")
        if not Decimal(0) < self.share <= Decimal(1):
            raise ValidationError("share", "组分比例应在(0,1]之间", "share must be in (0, 1]")
        return Fraction(self.max_amount_t * self.share) / Fraction(self.critical_quantity_t)


def q_value(substances: Iterable[SubstanceAmount]) -> Fraction:
    """Q = q1/Q1 + … + qn/Qn, exact; no substance gives 0."""
    return sum((s.ratio() for s in substances), Fraction(0))


def classify_q(q: Fraction | Decimal | int, rules: GradingRules = DEFAULT_RULES) -> QClass:
    """Q class: lower bounds inclusive, upper bounds exclusive."""
    value = Fraction(q)
    if value < 0:
        raise ValidationError("q", "Q值不能为负", "Q must not be negative")
    above = sum(1 for bound in rules.q_bounds if value >= Fraction(bound))
    return (QClass.Q0, QClass.Q1, QClass.Q2, QClass.Q3)[above]


def process_score(units: Iterable[ProcessKind], rules: GradingRules = DEFAULT_RULES) -> Decimal:
    """表1 score: points per process unit (套), summed and capped (30)."""
    total = sum((rules.process_points[u] for u in units), Decimal(0))
    return min(total, rules.process_cap)


def measures_score(
    medium: Medium, assessed: Mapping[str, str], rules: GradingRules = DEFAULT_RULES
) -> Decimal:
    """Points of the medium's measures table; every item must be assessed with a known option."""
    items = rules.items(medium)
    known = {i.key for i in items}
    unknown = sorted(set(assessed) - known)
    if unknown:
        raise ValidationError(f"m.{medium.name.lower()}", f"未知评估项：{unknown}", "unknown item")
    total = Decimal(0)
    for item in items:
        if item.key not in assessed:
            raise ValidationError(
                f"m.{medium.name.lower()}.{item.key}",
                f"未评估“{item.name_zh}”",
                f"item {item.key} not assessed",
            )
        option = assessed[item.key]
        if option not in item.options:
            raise ValidationError(
                f"m.{medium.name.lower()}.{item.key}",
                f"“{item.name_zh}”的取值“{option}”无效，应为{sorted(item.options)}",
                f"invalid option {option!r}; expected one of {sorted(item.options)}",
            )
        total += item.options[option]
    return total


def m_score(
    medium: Medium,
    units: Iterable[ProcessKind],
    assessed: Mapping[str, str],
    rules: GradingRules = DEFAULT_RULES,
) -> Decimal:
    """M = 表1 (shared, capped) + the medium's measures table."""
    return process_score(units, rules) + measures_score(medium, assessed, rules)


def classify_m(score: Decimal | int, rules: GradingRules = DEFAULT_RULES) -> MClass:
    """M class from the score: lower bounds inclusive."""
    value = Decimal(score)
    if value < 0:
        raise ValidationError("m_score", "M值不能为负", "M must not be negative")
    above = sum(1 for bound in rules.m_bounds if value >= bound)
    return (MClass.M1, MClass.M2, MClass.M3, MClass.M4)[above]


def air_e_class(
    population_5km: int,
    population_500m: int,
    special_protection: bool = False,
    rules: GradingRules = DEFAULT_RULES,
) -> EClass:
    """Air E: the more sensitive of the 5 km and 500 m population tests; 特殊保护区域 is E1."""
    if population_5km < 0 or population_500m < 0:
        raise ValidationError("population", "人口数不能为负", "population must not be negative")
    if special_protection:
        return EClass.E1
    ranks = []
    for people, (e1, e2) in (
        (population_5km, rules.air_population_5km),
        (population_500m, rules.air_population_500m),
    ):
        ranks.append(0 if people >= e1 else 1 if people >= e2 else 2)
    return (EClass.E1, EClass.E2, EClass.E3)[min(ranks)]


def water_e_class(
    receptors: Iterable[WaterReceptor],
    crosses_national_border: bool = False,
    crosses_provincial_border: bool = False,
    rules: GradingRules = DEFAULT_RULES,
) -> EClass:
    """Water E from the receptors within 10 km downstream and the 24 h flow reach."""
    found = set(receptors)
    if crosses_national_border or found & rules.water_e1_receptors:
        return EClass.E1
    if crosses_provincial_border or found & rules.water_e2_receptors:
        return EClass.E2
    return EClass.E3


@dataclass(frozen=True, slots=True)
class MediumInput:
    """Classes for one medium; M and E may be omitted when Q is Q0."""

    q: QClass
    m: MClass | None = None
    e: EClass | None = None


def grade_medium(
    medium: Medium, given: MediumInput, rules: GradingRules = DEFAULT_RULES
) -> MediumResult:
    """Level of one medium: Q0 is 一般 directly, otherwise the E matrix at (Q, M)."""
    if given.q is QClass.Q0:
        return MediumResult(medium, rules.q0_level, given.q, given.m, given.e)
    if given.m is None or given.e is None:
        raise ValidationError(
            f"{medium.name.lower()}",
            f"{medium.value}Q≥1时须给出M和E",
            "M and E are required when Q >= 1",
        )
    level = rules.matrix(medium)[given.e][given.q][list(MClass).index(given.m)]
    return MediumResult(medium, level, given.q, given.m, given.e)


def medium_input(
    q: Fraction | Decimal | int,
    m: Decimal | int | None = None,
    e: EClass | None = None,
    rules: GradingRules = DEFAULT_RULES,
) -> MediumInput:
    """Classes from the raw Q value and M score; M may be omitted when Q < 1."""
    q_class = classify_q(q, rules)
    m_class = None if m is None else classify_m(m, rules)
    return MediumInput(q_class, m_class, e)


@dataclass(frozen=True, slots=True)
class GradingResult:
    """Per-medium levels, the combined level, the upgraded final level and its label."""

    air: MediumResult
    water: MediumResult
    combined: RiskLevel
    level: RiskLevel
    penalised: bool
    upgraded: bool  # False when penalised at the cap already
    label: str
    colour: str
    rules_version: int = 0  # the configuration version the grading used


def penalty_triggers_upgrade(
    penalty_dates: Iterable[date], assessed_on: date, rules: GradingRules = DEFAULT_RULES
) -> bool:
    """Whether a qualifying penalty (违法排放、非法转移处置危废等) falls in the look-back window.

    Only administrative penalties count; past incidents are scored inside M instead.
    """
    start = add_years(assessed_on, -rules.penalty_lookback_years)
    return any(start <= d <= assessed_on for d in penalty_dates)


def grade_enterprise(
    air: MediumInput,
    water: MediumInput,
    penalised: bool = False,
    rules: GradingRules = DEFAULT_RULES,
) -> GradingResult:
    """Overall level: the higher medium, raised once when penalised, capped (重大)."""
    air_result = grade_medium(Medium.AIR, air, rules)
    water_result = grade_medium(Medium.WATER, water, rules)
    combined = max(air_result.level, water_result.level, key=lambda lv: lv.rank)
    level = combined
    if penalised and rules.upgrade_steps:
        cap = rules.upgrade_cap.rank
        level = level_from_rank(min(combined.rank + rules.upgrade_steps, max(cap, combined.rank)))
    label = format_label(level, air_result, water_result, rules)
    return GradingResult(
        air=air_result,
        water=water_result,
        combined=combined,
        level=level,
        penalised=penalised,
        upgraded=level is not combined,
        label=label,
        colour=rules.colours[level],
        rules_version=rules.version,
    )


def label_problems(text: str, rules: GradingRules = DEFAULT_RULES) -> list[str]:
    """Inconsistencies between a filed label and the matrices (empty when it checks out)."""
    parsed = parse_label(text)
    problems: list[str] = []
    levels = []
    for part in (parsed.air, parsed.water):
        if part is None:
            continue
        levels.append(part.level)
        if part.q is None or (part.q is not QClass.Q0 and (part.m is None or part.e is None)):
            problems.append(f"{part.medium.value}: 等级表征不完整，无法核对 / classes missing")
            continue
        expected = grade_medium(part.medium, MediumInput(part.q, part.m, part.e), rules).level
        if expected is not part.level:
            problems.append(
                f"{part.medium.value}: 按矩阵应为{expected.value}，表征为{part.level.value} / "
                f"matrix gives {expected.english}, label says {part.level.english}"
            )
    top = max(levels, key=lambda lv: lv.rank)
    cap = max(rules.upgrade_cap.rank, top.rank)
    allowed = {top.rank, min(top.rank + rules.upgrade_steps, cap)}
    if parsed.level.rank not in allowed:
        problems.append(
            f"总体等级{parsed.level.value}与分项不符 / overall level inconsistent with the media"
        )
    return problems
