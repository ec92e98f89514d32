"""From what an inspector enters to HJ 941 classes: either the classes themselves, or the raw
inputs (substance amounts, process units and measures, population or water receptors)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import TypeVar

from risk.domain.errors import ValidationError
from risk.domain.grading import (
    GradingResult,
    MediumInput,
    SubstanceAmount,
    air_e_class,
    classify_m,
    classify_q,
    grade_enterprise,
    m_score,
    penalty_triggers_upgrade,
    q_value,
    water_e_class,
)
from risk.domain.grading_rules import GradingRules
from risk.domain.grading_types import (
    EClass,
    MClass,
    Medium,
    ProcessKind,
    QClass,
    WaterReceptor,
)

E = TypeVar("E", bound=StrEnum)


@dataclass(frozen=True)
class SubstanceSpec:
    """One risk substance: maximum amount on site and its critical quantity (t)."""

    name: str
    max_amount_t: Decimal
    critical_quantity_t: Decimal
    share: Decimal = Decimal(1)


@dataclass(frozen=True)
class MediumSpec:
    """One medium: each class given directly or computed from its inputs."""

    q_class: str | None = None
    q_value: Decimal | None = None
    substances: tuple[SubstanceSpec, ...] = ()
    m_class: str | None = None
    measures: Mapping[str, str] | None = None
    e_class: str | None = None
    population_5km: int | None = None
    population_500m: int | None = None
    special_protection: bool = False
    receptors: tuple[str, ...] | None = None
    crosses_national_border: bool = False
    crosses_provincial_border: bool = False


@dataclass(frozen=True)
class GradingSpec:
    """A whole grading request."""

    air: MediumSpec
    water: MediumSpec
    process_units: tuple[str, ...] = ()
    penalty_dates: tuple[date, ...] = ()
    assessed_on: date | None = None


def _enum(cls: type[E], value: str, name: str) -> E:
    try:
        return cls(value)
    except ValueError as exc:
        allowed = "/".join(m.value for m in cls)
        raise ValidationError(name, f"取值应为{allowed}", f"must be one of {allowed}") from exc


def _q(spec: MediumSpec, name: str, rules: GradingRules) -> QClass:
    if spec.q_class is not None:
        return _enum(QClass, spec.q_class, f"{name}.q_class")
    if spec.q_value is not None:
        return classify_q(spec.q_value, rules)
    if spec.substances:
        amounts = [
            SubstanceAmount(s.name, s.max_amount_t, s.critical_quantity_t, s.share)
            for s in spec.substances
        ]
        return classify_q(q_value(amounts), rules)
    raise ValidationError(
        f"{name}.q_class", "须给出Q分级、Q值或风险物质清单", "give q_class, q_value or substances"
    )


def _m(
    spec: MediumSpec, medium: Medium, units: tuple[str, ...], name: str, rules: GradingRules
) -> MClass | None:
    if spec.m_class is not None:
        return _enum(MClass, spec.m_class, f"{name}.m_class")
    if spec.measures is not None:
        kinds = [_enum(ProcessKind, u, "process_units") for u in units]
        return classify_m(m_score(medium, kinds, spec.measures, rules), rules)
    return None


def _e(spec: MediumSpec, medium: Medium, name: str, rules: GradingRules) -> EClass | None:
    if spec.e_class is not None:
        return _enum(EClass, spec.e_class, f"{name}.e_class")
    if medium is Medium.AIR and spec.population_5km is not None:
        return air_e_class(
            spec.population_5km, spec.population_500m or 0, spec.special_protection, rules
        )
    if medium is Medium.WATER and spec.receptors is not None:
        found = [_enum(WaterReceptor, r, f"{name}.receptors") for r in spec.receptors]
        return water_e_class(
            found, spec.crosses_national_border, spec.crosses_provincial_border, rules
        )
    return None


def medium_input(
    spec: MediumSpec, medium: Medium, units: tuple[str, ...], rules: GradingRules
) -> MediumInput:
    """The classes of one medium (M and E may stay empty when Q is Q0)."""
    name = "air" if medium is Medium.AIR else "water"
    return MediumInput(
        _q(spec, name, rules), _m(spec, medium, units, name, rules), _e(spec, medium, name, rules)
    )


def grade(spec: GradingSpec, today: date, rules: GradingRules) -> GradingResult:
    """Grade both media, combine, and apply the penalty upgrade."""
    on = spec.assessed_on or today
    air = medium_input(spec.air, Medium.AIR, spec.process_units, rules)
    water = medium_input(spec.water, Medium.WATER, spec.process_units, rules)
    penalised = penalty_triggers_upgrade(spec.penalty_dates, on, rules)
    return grade_enterprise(air, water, penalised, rules)
