"""Value objects of the reserve table: field, implementation years, source class, funding, units."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from projects.domain.errors import InvalidValue
from projects.domain.money import ZERO, check_wan

NUMERALS = "一二三四五六七八九十"


@dataclass(frozen=True)
class Field:
    """A field (领域) of the reserve; `code` is its stable id."""

    code: str
    ordinal: int
    name: str

    @property
    def numeral(self) -> str:
        """The Chinese numeral of the field (一 … 六)."""
        return NUMERALS[self.ordinal - 1]

    @property
    def label(self) -> str:
        """The plan's spelling, e.g. '一、绿色发展促进工程'."""
        return f"{self.numeral}、{self.name}"


# The plan's six fields (第九章 and the reserve table). Passed as a parameter wherever a
# catalogue is needed so a later plan can bring its own.
PLAN_FIELDS: tuple[Field, ...] = (
    Field("F1", 1, "绿色发展促进工程"),
    Field("F2", 2, "环境质量提升工程"),
    Field("F3", 3, "生态保护修复工程"),
    Field("F4", 4, "生态环境风险防范工程"),
    Field("F5", 5, "区域生态环境协同保护工程"),
    Field("F6", 6, "生态环境保护能力提升工程"),
)

_FIELD_LABEL = re.compile(r"^([一二三四五六七八九十])[、.．]\s*(.+)$")


def parse_field(text: str, catalogue: tuple[Field, ...] = PLAN_FIELDS) -> Field:
    """Resolve '一、绿色发展促进工程', '绿色发展促进工程' or 'F1' to a catalogue field."""
    s = text.strip()
    for f in catalogue:
        if s in (f.code, f.name, f.label):
            return f
    m = _FIELD_LABEL.match(s)
    if m:
        for f in catalogue:
            if f.name == m.group(2).strip():
                raise InvalidValue(
                    f"领域序号与名称不符：{s}（应为 {f.label}）",
                    f"field numeral does not match its name: {s} (expected {f.label})",
                )
    raise InvalidValue(f"未知领域：{s!r}", f"unknown field: {s!r}")


MIN_YEAR = 2000
MAX_YEAR = 2099


@dataclass(frozen=True, order=True)
class YearSpan:
    """Implementation years (实施年度), inclusive; a single year has start == end."""

    start: int
    end: int

    def __post_init__(self) -> None:
        for y in (self.start, self.end):
            if not MIN_YEAR <= y <= MAX_YEAR:
                raise InvalidValue(
                    f"年份超出范围 {MIN_YEAR}–{MAX_YEAR}：{y}",
                    f"year out of range {MIN_YEAR}-{MAX_YEAR}: {y}",
                )
        if self.start > self.end:
            raise InvalidValue(
                f"起始年份晚于结束年份：{self.start}-{self.end}",
                f"start year after end year: {self.start}-{self.end}",
            )

    @property
    def years(self) -> range:
        """Every year of the span."""
        return range(self.start, self.end + 1)

    @property
    def spans_several(self) -> bool:
        """True when the span covers more than one year."""
        return self.end > self.start

    def __contains__(self, year: object) -> bool:
        return isinstance(year, int) and self.start <= year <= self.end

    def __str__(self) -> str:
        """The plan's form: '2021-2025', or '2025' for one year."""
        return str(self.start) if self.start == self.end else f"{self.start}-{self.end}"


# After NFKC: '2021-2025', '2021—2025', '2021~2025', '2021至2025', '2021年-2025年', '2025年'.
_YEARS = re.compile(r"^(\d{4})年?(?:\s*(?:-|~|—|–|至|到)\s*(\d{4})年?)?(?:度)?$")


def parse_years(text: str) -> YearSpan:
    """Parse the 实施年度 cell into a YearSpan; InvalidValue on any other form."""
    s = unicodedata.normalize("NFKC", text).strip()
    m = _YEARS.match(s)
    if not m:
        raise InvalidValue(f"实施年度格式无法识别：{text!r}", f"unrecognised years: {text!r}")
    start = int(m.group(1))
    return YearSpan(start, int(m.group(2)) if m.group(2) else start)


class SourceClass(StrEnum):
    """The preamble's two classes of source (项目来源)."""

    DISTRICT_CONFIRMED = "district_confirmed"
    PLANNED = "planned"

    @property
    def zh(self) -> str:
        """The preamble's name of the class."""
        return "区级已初步确定" if self is SourceClass.DISTRICT_CONFIRMED else "本规划策划"


def classify_source(source: str) -> SourceClass:
    """Any source containing 策划 was planned by the plan; everything else is district-confirmed."""
    # '策划项目', '区发展改革委策划项目', '气象局策划' all count: the preamble's 50 = 48 + 1 + 1.
    return SourceClass.PLANNED if "策划" in source else SourceClass.DISTRICT_CONFIRMED


@dataclass(frozen=True)
class FundingMix:
    """Where the money comes from (万元); the parts may not exceed the investment."""

    central: Decimal = ZERO
    municipal: Decimal = ZERO
    district: Decimal = ZERO
    social: Decimal = ZERO

    def __post_init__(self) -> None:
        for name in ("central", "municipal", "district", "social"):
            check_wan(getattr(self, name), what=f"资金来源({name})")

    @property
    def total(self) -> Decimal:
        """Sum of the parts (万元)."""
        return self.central + self.municipal + self.district + self.social

    def check_within(self, investment_wan: Decimal) -> None:
        """Refuse a mix whose parts add up to more than the investment."""
        if self.total > investment_wan:
            raise InvalidValue(
                f"资金来源合计 {self.total} 万元超过投资额 {investment_wan} 万元",
                f"funding parts total {self.total} exceeds the investment {investment_wan} (万元)",
            )


# The plan separates units with 、; commas and semicolons appear when people retype the table.
_UNIT_SEPARATORS = re.compile(r"[、，,；;]")


def split_lead_units(text: str) -> tuple[str, ...]:
    """Split the 牵头单位 cell into units; refuses empty and repeated units."""
    s = text.strip()
    if not s:
        raise InvalidValue("牵头单位为空", "lead unit is empty")
    units = tuple(u.strip() for u in _UNIT_SEPARATORS.split(s))
    if any(not u for u in units):
        raise InvalidValue(f"牵头单位含空项：{text!r}", f"empty lead unit in {text!r}")
    if len(set(units)) != len(units):
        raise InvalidValue(f"牵头单位重复：{text!r}", f"repeated lead unit in {text!r}")
    return units


def join_lead_units(units: tuple[str, ...]) -> str:
    """The plan's spelling of several lead units."""
    return "、".join(units)
