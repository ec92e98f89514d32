"""Grading 突发环境事件 from the facts, and when the Ⅱ/Ⅰ report procedure applies until graded.

Sources (the thresholds are configuration, `IncidentGradingRules`; these are the defaults):

- 《国家突发环境事件应急预案》(国办函〔2014〕119号) 附件1 突发环境事件分级标准: an incident is
  of a grade when any one of its criteria is met — deaths or poisonings/serious injuries,
  people evacuated or relocated, direct economic loss, a centralised drinking-water source's
  intake interrupted (by the level of the city it serves), the ecological damage, and effects
  across administrative borders. "以上"含本数，"以下"不含本数: a count equal to a threshold
  reaches that grade. Radiation sources are graded under the nuclear safety rules instead
  (突发环境事件信息报告办法 第二条) and are not modelled here.
- 《突发环境事件信息报告办法》(环境保护部令第17号) 第三条: Ⅳ/Ⅲ are reported within 4 hours and
  Ⅱ/Ⅰ within 2 hours of the initial determination; 第五条: an incident whose grade cannot be
  determined at once is reported through the Ⅱ/Ⅰ procedure where it affects or may affect a
  drinking-water source protection area; involves 居民聚居区, schools, hospitals or other
  sensitive areas and people; involves heavy-metal or metalloid pollution; may have effects
  across a provincial or national border; or has caused a mass incident (群体性事件) or wide
  social impact.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType

from risk.domain.errors import ValidationError
from risk.domain.incident_rules import IncidentGrade

G1, G2, G3, G4 = IncidentGrade.I, IncidentGrade.II, IncidentGrade.III, IncidentGrade.IV


class IntakeLevel(StrEnum):
    """Whose centralised drinking-water source had its intake interrupted (取水中断)."""

    CITY = "city"  # 设区的市级以上城市
    COUNTY = "county"  # 县级城市
    TOWNSHIP = "township"  # 乡镇


class BorderReach(StrEnum):
    """The widest administrative border the incident's effects cross (or may cross)."""

    NATIONAL = "national"  # 跨国境
    PROVINCIAL = "provincial"  # 跨省级行政区域
    PREFECTURE = "prefecture"  # 跨设区的市级行政区域
    COUNTY = "county"  # 跨县级行政区域


class EcologicalDamage(StrEnum):
    """分级标准's ecological criteria, most severe first."""

    FUNCTION_LOST = "function_lost"  # 区域生态功能丧失或该区域国家重点保护物种灭绝
    FUNCTION_PARTLY_LOST = "function_partly_lost"  # 部分丧失或国家重点保护野生动植物种群大批死亡
    PROTECTED_SPECIES_HARMED = "protected_species_harmed"  # 国家重点保护的动植物物种受到破坏


class SensitiveReceptor(StrEnum):
    """Sensitive areas and people of 报告办法 第五条(二)."""

    RESIDENTIAL = "residential"  # 居民聚居区
    SCHOOL = "school"
    HOSPITAL = "hospital"


@dataclass(frozen=True)
class IncidentFacts:
    """What the 分级标准 and the reporting rules grade by, as known so far."""

    deaths: int = 0
    poisoned: int = 0  # 中毒或重伤
    evacuated: int = 0  # 疏散、转移人员
    economic_loss_wan: Decimal = Decimal(0)  # 直接经济损失, 万元
    intake_interrupted: IntakeLevel | None = None
    ecological: EcologicalDamage | None = None
    border: BorderReach | None = None  # effects across (or possibly across) this border
    sensitive: frozenset[SensitiveReceptor] = frozenset()
    drinking_water: bool = False  # affects or may affect a drinking-water source protection area
    heavy_metals: bool = False  # heavy-metal or metalloid pollution
    mass_incident: bool = False  # 群体性事件 or wide social impact

    def __post_init__(self) -> None:
        for name in ("deaths", "poisoned", "evacuated"):
            if getattr(self, name) < 0:
                raise ValidationError(f"facts.{name}", "人数不能为负", "must not be negative")
        if self.economic_loss_wan < 0:
            raise ValidationError(
                "facts.economic_loss_wan", "经济损失不能为负", "must not be negative"
            )


@dataclass(frozen=True)
class Thresholds:
    """The counts from which an incident is of one grade (each alone suffices)."""

    deaths: int
    poisoned: int
    evacuated: int
    economic_loss_wan: Decimal


@dataclass(frozen=True)
class IncidentGradingRules:
    """附件1's thresholds and 第五条's triggers: configuration, not code (version 0: defaults)."""

    version: int = 0
    thresholds: Mapping[IncidentGrade, Thresholds] = field(
        default_factory=lambda: MappingProxyType(
            {
                G1: Thresholds(30, 100, 50_000, Decimal(10_000)),
                G2: Thresholds(10, 50, 10_000, Decimal(2_000)),
                G3: Thresholds(3, 10, 5_000, Decimal(500)),
            }
        )
    )
    intake: Mapping[IntakeLevel, IncidentGrade] = field(
        default_factory=lambda: MappingProxyType(
            {IntakeLevel.CITY: G1, IntakeLevel.COUNTY: G2, IntakeLevel.TOWNSHIP: G3}
        )
    )
    ecological: Mapping[EcologicalDamage, IncidentGrade] = field(
        default_factory=lambda: MappingProxyType(
            {
                EcologicalDamage.FUNCTION_LOST: G1,
                EcologicalDamage.FUNCTION_PARTLY_LOST: G2,
                EcologicalDamage.PROTECTED_SPECIES_HARMED: G3,
            }
        )
    )
    # 跨县级 is 一般 (Ⅳ) in 附件1: no entry, the floor.
    border: Mapping[BorderReach, IncidentGrade] = field(
        default_factory=lambda: MappingProxyType(
            {BorderReach.NATIONAL: G1, BorderReach.PROVINCIAL: G2, BorderReach.PREFECTURE: G3}
        )
    )
    # 第五条(四): effects that may cross these borders send the incident the Ⅱ/Ⅰ way.
    escalating_borders: frozenset[BorderReach] = frozenset(
        {BorderReach.NATIONAL, BorderReach.PROVINCIAL}
    )

    def __post_init__(self) -> None:
        if set(self.thresholds) != {G1, G2, G3}:
            raise ValidationError("incident_grading.thresholds", "须给出Ⅰ–Ⅲ级界值", "I–III")
        order = [self.thresholds[g] for g in (G3, G2, G1)]
        for name in ("deaths", "poisoned", "evacuated", "economic_loss_wan"):
            values = [getattr(t, name) for t in order]
            if any(v <= 0 for v in values) or values != sorted(set(values)):
                raise ValidationError(
                    f"incident_grading.thresholds.{name}",
                    "界值须为正数且随级别升高严格递增",
                    "thresholds must be positive and strictly increase with the grade",
                )


DEFAULT_INCIDENT_GRADING = IncidentGradingRules()

_COUNTS = {
    "deaths": "死亡",
    "poisoned": "中毒或重伤",
    "evacuated": "疏散转移",
    "economic_loss_wan": "直接经济损失(万元)",
}


def grade_from_facts(
    facts: IncidentFacts, rules: IncidentGradingRules = DEFAULT_INCIDENT_GRADING
) -> tuple[IncidentGrade, tuple[str, ...]]:
    """The grade the facts reach (Ⅳ when none reaches higher) and the criteria that set it."""
    found: list[tuple[IncidentGrade, str]] = []
    for grade in (G1, G2, G3):
        limits = rules.thresholds[grade]
        for name, zh in _COUNTS.items():
            value, limit = getattr(facts, name), getattr(limits, name)
            if value >= limit:
                found.append((grade, f"{zh}{value}≥{limit}"))
    if facts.intake_interrupted is not None:
        found.append(
            (rules.intake[facts.intake_interrupted], f"取水中断:{facts.intake_interrupted}")
        )
    if facts.ecological is not None:
        found.append((rules.ecological[facts.ecological], f"生态:{facts.ecological}"))
    if facts.border is not None and facts.border in rules.border:
        found.append((rules.border[facts.border], f"跨界:{facts.border}"))
    if not found:
        return G4, ()
    top = max(found, key=lambda f: f[0].severity)[0]
    return top, tuple(reason for grade, reason in found if grade is top)


def procedure_triggers(
    facts: IncidentFacts, rules: IncidentGradingRules = DEFAULT_INCIDENT_GRADING
) -> tuple[str, ...]:
    """Why 第五条 sends the incident through the Ⅱ/Ⅰ procedure until graded (empty: it does
    not)."""
    triggers = []
    if facts.drinking_water:
        triggers.append("drinking_water")
    triggers.extend(f"sensitive:{s.value}" for s in sorted(facts.sensitive))
    if facts.heavy_metals:
        triggers.append("heavy_metals")
    if facts.border in rules.escalating_borders:
        triggers.append(f"border:{facts.border}")
    if facts.mass_incident:
        triggers.append("mass_incident")
    return tuple(triggers)
