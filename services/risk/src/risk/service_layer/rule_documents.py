"""The versioned rule configurations as JSON documents: HJ 941 grading (`hj941`) and incident
grading (`incident_grading`). Every field of the domain rules is in the document, so an
administrator can replace any number the grading reference marks unconfirmed."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import Any

from risk.domain.errors import ValidationError
from risk.domain.grading_rules import GradingRules, MeasureItem
from risk.domain.grading_types import EClass, ProcessKind, QClass, RiskLevel, WaterReceptor
from risk.domain.incident_grading import (
    BorderReach,
    EcologicalDamage,
    IncidentGradingRules,
    IntakeLevel,
    Thresholds,
)
from risk.domain.incident_rules import IncidentGrade

Doc = dict[str, Any]
HJ941, INCIDENT_GRADING = "hj941", "incident_grading"


def _items(items: tuple[MeasureItem, ...]) -> list[Doc]:
    return [
        {
            "key": i.key,
            "name_zh": i.name_zh,
            "options": {k: str(v) for k, v in i.options.items()},
            "confirmed": i.confirmed,
        }
        for i in items
    ]


def _matrix(matrix: Any) -> Doc:
    return {
        e.value: {q.value: [lv.value for lv in row] for q, row in m.items()}
        for e, m in matrix.items()
    }


def hj941_doc(r: GradingRules) -> Doc:
    """Every setting of the HJ 941 rules."""
    return {
        "q_bounds": [str(b) for b in r.q_bounds],
        "m_bounds": [str(b) for b in r.m_bounds],
        "process_points": {k.value: str(v) for k, v in r.process_points.items()},
        "process_cap": str(r.process_cap),
        "air_items": _items(r.air_items),
        "water_items": _items(r.water_items),
        "air_population_5km": list(r.air_population_5km),
        "air_population_500m": list(r.air_population_500m),
        "water_e1_receptors": sorted(x.value for x in r.water_e1_receptors),
        "water_e2_receptors": sorted(x.value for x in r.water_e2_receptors),
        "matrix_air": _matrix(r.matrix_air),
        "matrix_water": _matrix(r.matrix_water),
        "q0_level": r.q0_level.value,
        "upgrade_steps": r.upgrade_steps,
        "upgrade_cap": r.upgrade_cap.value,
        "penalty_lookback_years": r.penalty_lookback_years,
        "colours": {k.value: v for k, v in r.colours.items()},
        "q0_label_with_m_e": r.q0_label_with_m_e,
        "m_total": str(r.m_total),
    }


def _dec(raw: Any) -> Decimal:
    value = Decimal(str(raw))
    if not value.is_finite():
        raise ValueError(f"not a number: {raw!r}")
    return value


def _int(raw: Any) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise ValueError(f"not an integer: {raw!r}")
    return raw


def _bool(raw: Any) -> bool:
    if not isinstance(raw, bool):
        raise ValueError(f"not true/false: {raw!r}")
    return raw


def _parse_items(raw: Any) -> tuple[MeasureItem, ...]:
    return tuple(
        MeasureItem(
            str(i["key"]),
            str(i["name_zh"]),
            MappingProxyType({str(k): _dec(v) for k, v in dict(i["options"]).items()}),
            _bool(i.get("confirmed", False)),
        )
        for i in raw
    )


def _parse_matrix(raw: Any) -> Any:
    return MappingProxyType(
        {
            EClass(e): {QClass(q): tuple(RiskLevel(lv) for lv in row) for q, row in dict(m).items()}
            for e, m in dict(raw).items()
        }
    )


def _pair(raw: Any) -> tuple[int, int]:
    first, second = (_int(v) for v in raw)
    return first, second


_HJ941_PARSERS: Mapping[str, Callable[[Any], Any]] = {
    "q_bounds": lambda v: tuple(_dec(b) for b in v),
    "m_bounds": lambda v: tuple(_dec(b) for b in v),
    "process_points": lambda v: MappingProxyType(
        {ProcessKind(k): _dec(p) for k, p in dict(v).items()}
    ),
    "process_cap": _dec,
    "air_items": _parse_items,
    "water_items": _parse_items,
    "air_population_5km": _pair,
    "air_population_500m": _pair,
    "water_e1_receptors": lambda v: frozenset(WaterReceptor(x) for x in v),
    "water_e2_receptors": lambda v: frozenset(WaterReceptor(x) for x in v),
    "matrix_air": _parse_matrix,
    "matrix_water": _parse_matrix,
    "q0_level": RiskLevel,
    "upgrade_steps": _int,
    "upgrade_cap": RiskLevel,
    "penalty_lookback_years": _int,
    "colours": lambda v: MappingProxyType({RiskLevel(k): str(c) for k, c in dict(v).items()}),
    "q0_label_with_m_e": _bool,
    "m_total": _dec,
}


def incident_grading_doc(r: IncidentGradingRules) -> Doc:
    """Every setting of the incident grading rules."""
    return {
        "thresholds": {
            g.value: {
                "deaths": t.deaths,
                "poisoned": t.poisoned,
                "evacuated": t.evacuated,
                "economic_loss_wan": str(t.economic_loss_wan),
            }
            for g, t in r.thresholds.items()
        },
        "intake": {k.value: g.value for k, g in r.intake.items()},
        "ecological": {k.value: g.value for k, g in r.ecological.items()},
        "border": {k.value: g.value for k, g in r.border.items()},
        "escalating_borders": sorted(b.value for b in r.escalating_borders),
    }


def _thresholds(raw: Any) -> Any:
    return MappingProxyType(
        {
            IncidentGrade(g): Thresholds(
                _int(t["deaths"]),
                _int(t["poisoned"]),
                _int(t["evacuated"]),
                _dec(t["economic_loss_wan"]),
            )
            for g, t in dict(raw).items()
        }
    )


_INCIDENT_PARSERS: Mapping[str, Callable[[Any], Any]] = {
    "thresholds": _thresholds,
    "intake": lambda v: MappingProxyType(
        {IntakeLevel(k): IncidentGrade(g) for k, g in dict(v).items()}
    ),
    "ecological": lambda v: MappingProxyType(
        {EcologicalDamage(k): IncidentGrade(g) for k, g in dict(v).items()}
    ),
    "border": lambda v: MappingProxyType(
        {BorderReach(k): IncidentGrade(g) for k, g in dict(v).items()}
    ),
    "escalating_borders": lambda v: frozenset(BorderReach(b) for b in v),
}

DOCUMENTS: Mapping[str, tuple[Callable[[Any], Doc], Mapping[str, Callable[[Any], Any]], type]] = {
    HJ941: (hj941_doc, _HJ941_PARSERS, GradingRules),
    INCIDENT_GRADING: (incident_grading_doc, _INCIDENT_PARSERS, IncidentGradingRules),
}


def rules_from(name: str, body: Mapping[str, Any], version: int) -> Any:
    """The domain rules of document ``name`` (validated by the domain); unknown keys and values
    that do not parse are refused naming the key."""
    _, parsers, cls = DOCUMENTS[name]
    unknown = sorted(set(body) - set(parsers))
    if unknown:
        raise ValidationError(f"{name}.{unknown[0]}", "未知的配置项", "unknown setting")
    values: dict[str, Any] = {}
    for key, raw in body.items():
        try:
            values[key] = parsers[key](raw)
        except (KeyError, TypeError, ValueError, InvalidOperation, AttributeError) as exc:
            raise ValidationError(
                f"{name}.{key}", f"取值无法解析：{exc}", f"cannot parse: {exc}"
            ) from exc
    return cls(version=version, **values)


def rules_doc(name: str, rules: Any) -> Doc:
    """The document of domain rules ``rules`` of kind ``name``."""
    return DOCUMENTS[name][0](rules)
