"""HJ 941-2018 vocabulary: levels, media, the Q/M/E classes, process kinds, water receptors."""

from __future__ import annotations

from enum import StrEnum


class RiskLevel(StrEnum):
    """企业突发环境事件风险等级."""

    GENERAL = "一般"
    SIGNIFICANT = "较大"
    MAJOR = "重大"

    @property
    def rank(self) -> int:
        """0 for 一般 up to 2 for 重大, so levels compare by severity."""
        return _LEVEL_ORDER.index(self)

    @property
    def english(self) -> str:
        """English name."""
        return {"一般": "general", "较大": "significant", "重大": "major"}[self.value]


_LEVEL_ORDER = (RiskLevel.GENERAL, RiskLevel.SIGNIFICANT, RiskLevel.MAJOR)


def level_from_rank(rank: int) -> RiskLevel:
    """The level of a rank, capped into 一般..重大."""
    return _LEVEL_ORDER[max(0, min(rank, len(_LEVEL_ORDER) - 1))]


class Medium(StrEnum):
    """The two media HJ 941 grades separately."""

    AIR = "大气"
    WATER = "水"


class QClass(StrEnum):
    Q0 = "Q0"
    Q1 = "Q1"
    Q2 = "Q2"
    Q3 = "Q3"


class MClass(StrEnum):
    M1 = "M1"
    M2 = "M2"
    M3 = "M3"
    M4 = "M4"


class EClass(StrEnum):
    """E1 is the most sensitive receptor type."""

    E1 = "E1"
    E2 = "E2"
    E3 = "E3"


class ProcessKind(StrEnum):
    """表1 rows: each process unit (套) is scored by its row."""

    HAZARDOUS = "hazardous"  # 光气、电解（氯碱）、氯化、硝化、合成氨 … 偶氮化工艺
    HIGH_T_P_FLAMMABLE = "high_t_p_flammable"  # 其他高温或高压、涉及易燃易爆等物质的工艺过程
    OBSOLETE = "obsolete"  # 具有国家规定限期淘汰的工艺名录和设备
    NONE = "none"


class WaterReceptor(StrEnum):
    """Receptors within 10 km downstream of the outlets (HJ 941 water E, all [M])."""

    DRINKING_WATER_SOURCE = "饮用水水源保护区"
    WATER_INTAKE = "饮用水取水口"
    NATURE_RESERVE = "自然保护区"
    IMPORTANT_WETLAND = "重要湿地"
    ENDANGERED_SPECIES = "珍稀濒危野生动植物天然集中分布区"
    AQUATIC_HABITAT = "重要水生生物的自然产卵场、索饵场、越冬场和洄游通道"
    SCENIC_AREA = "风景名胜区"
    WORLD_HERITAGE = "世界文化和自然遗产地"
    COASTAL_WETLAND = "红树林、珊瑚礁等滨海湿地"
    MARINE_PROTECTED_AREA = "海洋特别保护区、海洋自然保护区"
    AQUACULTURE = "水产养殖区"
    NATURAL_FISHERY = "天然渔场"
    BATHING_BEACH = "海水浴场"
    SALT_FIELD = "盐场保护区"
    GERMPLASM_RESERVE = "水产种质资源保护区"
    KARST = "岩溶地貌"
    FLOOD_DISCHARGE_AREA = "泄洪区"
    DEBRIS_FLOW_AREA = "泥石流多发区"
