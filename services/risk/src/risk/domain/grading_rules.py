"""HJ 941-2018 grading vocabulary and its configuration (GradingRules).

The standard's full text was not available (see docs/grades.md): every number below
comes with the reference's confidence tag and can be replaced without touching the logic.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType

from risk.domain.errors import ValidationError
from risk.domain.grading_types import (
    EClass,
    MClass,
    Medium,
    ProcessKind,
    QClass,
    RiskLevel,
    WaterReceptor,
)


@dataclass(frozen=True)
class MeasureItem:
    """One row of an M measures table: the assessed condition (option key) → points."""

    key: str
    name_zh: str
    options: Mapping[str, Decimal]
    confirmed: bool = False


def _item(key: str, name_zh: str, **options: int) -> MeasureItem:
    return MeasureItem(key, name_zh, MappingProxyType({k: Decimal(v) for k, v in options.items()}))


_M, _S, _G = RiskLevel.MAJOR, RiskLevel.SIGNIFICANT, RiskLevel.GENERAL
Matrix = Mapping[EClass, Mapping[QClass, tuple[RiskLevel, RiskLevel, RiskLevel, RiskLevel]]]

# [C] S4 getResultByQEM; [M] identical for air and water. Rows Q1–Q3, columns M1–M4.
DEFAULT_MATRIX: Matrix = MappingProxyType(
    {
        EClass.E1: {QClass.Q1: (_S, _S, _M, _M), QClass.Q2: (_S, _M, _M, _M), QClass.Q3: (_M,) * 4},
        EClass.E2: {
            QClass.Q1: (_G, _S, _S, _M),
            QClass.Q2: (_S, _S, _M, _M),
            QClass.Q3: (_S, _M, _M, _M),
        },
        EClass.E3: {
            QClass.Q1: (_G, _G, _S, _S),
            QClass.Q2: (_G, _S, _S, _M),
            QClass.Q3: (_S, _S, _M, _M),
        },
    }
)

_INCIDENTS = {"none": 0, "general": 10, "significant": 15, "major": 20}

# All [M]: 0 when the measure is in place / the condition is met.
DEFAULT_AIR_ITEMS = (
    _item("toxic_gas_monitoring", "毒性气体泄漏监控预警措施", met=0, not_met=25),
    _item("protective_distance", "符合防护距离要求", met=0, not_met=25),
    _item("past_incidents", "近3年内突发大气环境事件发生情况", **_INCIDENTS),
)
# Names [C] (S8); points NOT confirmed: "most items 0/8" is a recollection and the incidents row
# reuses the air scores. Placeholders that keep the standard's total (表1's 30 + this table's 70
# = 100, as for air): five items at 8, two at 5, incidents 20. Replace them with the official
# table through the configuration API (PUT /v1/admin/rules/hj941), not by a release.
DEFAULT_WATER_ITEMS = (
    _item("interception", "截流措施", met=0, not_met=8),
    _item("accident_water_collection", "事故废水收集措施", met=0, not_met=8),
    _item("clean_water_system", "清净废水系统风险防控措施", met=0, not_met=8),
    _item("rainwater_system", "雨水排水系统风险防控措施", met=0, not_met=8),
    _item("production_wastewater", "生产废水处理系统风险防控措施", met=0, not_met=8),
    _item("sewer_permit", "依法获取污水排入排水管网许可", met=0, not_met=5),
    _item("hazardous_waste_management", "厂内危险废物环境管理", met=0, not_met=5),
    _item("past_incidents", "近3年内突发水环境事件发生情况", **_INCIDENTS),
)

_W = WaterReceptor
DEFAULT_WATER_E1 = frozenset(
    {
        _W.DRINKING_WATER_SOURCE,
        _W.WATER_INTAKE,
        _W.NATURE_RESERVE,
        _W.IMPORTANT_WETLAND,
        _W.ENDANGERED_SPECIES,
        _W.AQUATIC_HABITAT,
        _W.SCENIC_AREA,
        _W.WORLD_HERITAGE,
        _W.COASTAL_WETLAND,
        _W.MARINE_PROTECTED_AREA,
    }
)
# The karst / flood / debris-flow rows are "possibly" E2 [M]; kept because under-grading a
# karst district (Nanchuan is one) is the worse mistake.
DEFAULT_WATER_E2 = frozenset(
    {
        _W.AQUACULTURE,
        _W.NATURAL_FISHERY,
        _W.BATHING_BEACH,
        _W.SALT_FIELD,
        _W.GERMPLASM_RESERVE,
        _W.KARST,
        _W.FLOOD_DISCHARGE_AREA,
        _W.DEBRIS_FLOW_AREA,
    }
)


def _d(*values: int) -> tuple[Decimal, ...]:
    return tuple(Decimal(v) for v in values)


@dataclass(frozen=True)
class GradingRules:
    """Every HJ 941 number the logic uses; defaults and their confidence: docs/grades.md.
    ``version`` names the configuration document they came from (0: the shipped defaults);
    every grading records it."""

    version: int = 0

    # Lower bounds of Q1, Q2, Q3; Q < first bound is Q0. Ranges [V-169]; Q0 meaning [M].
    q_bounds: tuple[Decimal, ...] = _d(1, 10, 100)
    # Lower bounds of M2, M3, M4 [C] (Guizhou copy, 2014 guideline); same for both media [M].
    m_bounds: tuple[Decimal, ...] = _d(25, 45, 60)
    # 表1 points per process unit: 10/5 [V, S2]; obsolete-equipment row and 0 row [M].
    process_points: Mapping[ProcessKind, Decimal] = field(
        default_factory=lambda: MappingProxyType(
            {
                ProcessKind.HAZARDOUS: Decimal(10),
                ProcessKind.HIGH_T_P_FLAMMABLE: Decimal(5),
                ProcessKind.OBSOLETE: Decimal(5),
                ProcessKind.NONE: Decimal(0),
            }
        )
    )
    process_cap: Decimal = Decimal(30)  # [V, S2]
    air_items: tuple[MeasureItem, ...] = DEFAULT_AIR_ITEMS
    water_items: tuple[MeasureItem, ...] = DEFAULT_WATER_ITEMS
    # Air E (people): lower bounds of E1 and E2; "大于/小于" leave the exact value undefined,
    # we count it in the more sensitive class. 5 km [V-169]; 500 m [V-169].
    air_population_5km: tuple[int, int] = (50_000, 10_000)
    air_population_500m: tuple[int, int] = (1_000, 500)
    water_e1_receptors: frozenset[WaterReceptor] = DEFAULT_WATER_E1
    water_e2_receptors: frozenset[WaterReceptor] = DEFAULT_WATER_E2
    matrix_air: Matrix = field(default_factory=lambda: DEFAULT_MATRIX)
    matrix_water: Matrix = field(default_factory=lambda: DEFAULT_MATRIX)
    q0_level: RiskLevel = RiskLevel.GENERAL  # [C] S4
    upgrade_steps: int = 1  # [M] wording, [C] behaviour
    upgrade_cap: RiskLevel = RiskLevel.MAJOR
    penalty_lookback_years: int = 3  # 近三年内 [M]
    colours: Mapping[RiskLevel, str] = field(
        default_factory=lambda: MappingProxyType(
            {RiskLevel.GENERAL: "blue", RiskLevel.SIGNIFICANT: "yellow", RiskLevel.MAJOR: "red"}
        )
    )  # [M]
    # `一般-大气(Q0)` [M] versus S4's `一般-大气(Q0-M1-E2)` when M and E are known.
    q0_label_with_m_e: bool = False
    # The most M can reach for either medium: 表1's cap plus the measures table's maximum.
    m_total: Decimal = Decimal(100)

    def __post_init__(self) -> None:
        _increasing("q_bounds", self.q_bounds, 3)
        _increasing("m_bounds", self.m_bounds, 3)
        if self.upgrade_steps < 0 or self.penalty_lookback_years < 0:
            raise ValidationError("grading_rules", "调级参数不能为负", "upgrade settings >= 0")
        if set(self.process_points) != set(ProcessKind):
            raise ValidationError("grading_rules.process_points", "表1分值不完整", "incomplete")
        if self.water_e1_receptors & self.water_e2_receptors:
            raise ValidationError(
                "grading_rules.water_receptors", "E1与E2敏感目标重复", "E1 and E2 overlap"
            )
        for name, matrix in (("matrix_air", self.matrix_air), ("matrix_water", self.matrix_water)):
            check_matrix(name, matrix)
        for medium in Medium:
            self._check_total(medium)

    def _check_total(self, medium: Medium) -> None:
        items = self.items(medium)
        if len({i.key for i in items}) != len(items) or not all(i.options for i in items):
            raise ValidationError(
                f"grading_rules.{_ITEMS[medium]}",
                "评估项重复或缺少取值",
                "duplicate or empty items",
            )
        if any(p < 0 for i in items for p in i.options.values()):
            raise ValidationError(f"grading_rules.{_ITEMS[medium]}", "分值不能为负", "negative")
        top = self.process_cap + sum((max(i.options.values()) for i in items), Decimal(0))
        if top != self.m_total:
            raise ValidationError(
                f"grading_rules.{_ITEMS[medium]}",
                f"{medium.value}M最高为{top}分，应为{self.m_total}分（表1上限+各项最高分）",
                f"the {medium.name.lower()} M reaches {top}, not {self.m_total}",
            )

    def matrix(self, medium: Medium) -> Matrix:
        """The Q×M matrices for one medium."""
        return self.matrix_air if medium is Medium.AIR else self.matrix_water

    def items(self, medium: Medium) -> tuple[MeasureItem, ...]:
        """The measures table for one medium."""
        return self.air_items if medium is Medium.AIR else self.water_items


_ITEMS = {Medium.AIR: "air_items", Medium.WATER: "water_items"}


def _increasing(name: str, values: tuple[Decimal, ...], count: int) -> None:
    if len(values) != count or any(b <= a for a, b in itertools.pairwise(values)):
        raise ValidationError(
            f"grading_rules.{name}",
            f"须为{count}个严格递增的界值",
            f"must be {count} strictly increasing bounds",
        )


_Q = (QClass.Q1, QClass.Q2, QClass.Q3)
_E_LEAST_FIRST = (EClass.E3, EClass.E2, EClass.E1)


def check_matrix(name: str, matrix: Matrix) -> None:
    """Refuse an incomplete matrix or one whose level drops as Q, M or sensitivity rises."""
    try:
        cells = {(e, q): tuple(matrix[e][q]) for e in EClass for q in _Q}
    except KeyError as exc:
        raise ValidationError(f"grading_rules.{name}", "矩阵不完整", "incomplete matrix") from exc
    for (e, q), row in cells.items():
        if len(row) != len(MClass):
            raise ValidationError(f"grading_rules.{name}", "每行须有M1–M4", "rows need M1–M4")
        if any(b.rank < a.rank for a, b in itertools.pairwise(row)):
            raise _not_monotonic(name, f"{e}/{q} along M")
    for e in EClass:
        for lower, higher in itertools.pairwise(_Q):
            if any(b.rank < a.rank for a, b in zip(cells[e, lower], cells[e, higher], strict=True)):
                raise _not_monotonic(name, f"{e} from {lower} to {higher}")
    for q in _Q:
        for lower_e, higher_e in itertools.pairwise(_E_LEAST_FIRST):
            pairs = zip(cells[lower_e, q], cells[higher_e, q], strict=True)
            if any(b.rank < a.rank for a, b in pairs):
                raise _not_monotonic(name, f"{q} from {lower_e} to {higher_e}")


def _not_monotonic(name: str, where: str) -> ValidationError:
    return ValidationError(
        f"grading_rules.{name}",
        f"风险等级随Q、M或敏感性升高而降低（{where}）",
        f"level decreases as Q, M or sensitivity rises ({where})",
    )


# Confidence of each setting, for the API and the resolution note.
PROVENANCE: Mapping[str, str] = MappingProxyType(
    {
        "q_bounds": "V-169 (ranges); Q0 meaning M",
        "m_bounds": "C (Guizhou copy, 2014 guideline); HJ 941 use M",
        "process_points": "V (10/5 per unit); obsolete row and 0 row M",
        "process_cap": "V (MEE reply)",
        "air_items": "M",
        "water_items": "names C; points unconfirmed placeholders",
        "air_population_5km": "V-169",
        "air_population_500m": "V-169",
        "water_e1_receptors": "M",
        "water_e2_receptors": "M",
        "matrix_air": "C (S4); M for HJ 941 itself",
        "matrix_water": "C (S4); M for HJ 941 itself",
        "q0_level": "C (S4)",
        "upgrade_steps": "M wording, C behaviour",
        "upgrade_cap": "M wording, C behaviour",
        "penalty_lookback_years": "M",
        "colours": "M",
        "q0_label_with_m_e": "M (Q0 label without M/E); S4 prints them",
        "m_total": "C (air table sums to 100); water points unconfirmed",
    }
)
