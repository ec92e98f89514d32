"""The plan's indicators (专栏2): parsing, and which direction is better, made explicit.

Direction is data on each Indicator. It comes from an explicit `direction` column when the file
has one; otherwise it is derived from the target's form and the indicator's wording, in this
order, and the rule that decided it is kept in `direction_basis`:
  1. target written '≥…' / '不低于…'  → higher is better;  '≤…' / '不高于…' → lower is better;
  2. name contains 下降 (a reduction rate: the bigger the reduction the better) → higher;
  3. name contains 浓度 / 排放量 / 消耗 / 能耗 (a burden)                      → lower;
  4. name contains 比例 / 率 / 占比 / 天数 / 面积 / 覆盖 (a share or an amount of good) → higher.
An indicator none of these decide is refused: a silent guess would judge it backwards.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from projects.domain.errors import InvalidValue
from projects.domain.table_import import ImportIssue, ImportRejected, file_problem


class Direction(StrEnum):
    """Which way an indicator improves."""

    HIGHER_IS_BETTER = "higher_is_better"
    LOWER_IS_BETTER = "lower_is_better"


class IndicatorKind(StrEnum):
    """Binding (约束性) or expected (预期性)."""

    BINDING = "binding"
    EXPECTED = "expected"

    @property
    def zh(self) -> str:
        """The plan's word for the kind."""
        return "约束性" if self is IndicatorKind.BINDING else "预期性"


_KINDS = {"binding": IndicatorKind.BINDING, "约束性": IndicatorKind.BINDING}
_KINDS |= {"expected": IndicatorKind.EXPECTED, "预期性": IndicatorKind.EXPECTED}
_DIRECTIONS = {d.value: d for d in Direction} | {
    "higher": Direction.HIGHER_IS_BETTER,
    "lower": Direction.LOWER_IS_BETTER,
}
_NONE = {"", "-", "－", "—", "–", "/"}
# The plan brackets five-year cumulative values: 【21.6】 = 21.6% lower than 2015.
_BRACKETED = re.compile(r"^[【\[](.+)[】\]]$")
_PENDING_MARKS = ("下达", "为准", "待定")


@dataclass(frozen=True)
class Baseline:
    """The 2020 value as printed; `cumulative` when bracketed (against the 2015 base)."""

    text: str
    value: Decimal | None
    cumulative: bool


@dataclass(frozen=True)
class Target:
    """The 2025 target as printed; `value` is None while it awaits a decision (由市级下达)."""

    text: str
    value: Decimal | None
    comparator: str | None  # '≥' or '≤' when written with one

    @property
    def pending(self) -> bool:
        """True while the target awaits a decision."""
        return self.value is None


@dataclass(frozen=True)
class Indicator:
    """One plan indicator."""

    no: int
    category: str
    name: str
    unit: str
    kind: IndicatorKind
    baseline: Baseline
    target: Target
    direction: Direction
    direction_basis: str
    note: str = ""

    def meets(self, value: Decimal, target: Decimal) -> bool:
        """Whether `value` meets `target` in this indicator's direction (boundary counts)."""
        if self.direction is Direction.HIGHER_IS_BETTER:
            return value >= target
        return value <= target


def _number(text: str, what: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise InvalidValue(
            f"{what}不是数字：{text!r}", f"{what} is not a number: {text!r}"
        ) from None
    if not value.is_finite():
        raise InvalidValue(f"{what}不是有限数", f"{what} is not finite")
    return value


def parse_baseline(text: str) -> Baseline:
    """'354', '【21.6】' or '－' (no value)."""
    s = unicodedata.normalize("NFKC", text).strip()
    if text.strip() in _NONE or s in _NONE:
        return Baseline(text.strip(), None, False)
    m = _BRACKETED.match(text.strip())
    if m:
        return Baseline(text.strip(), _number(m.group(1).strip(), "基期值"), True)
    return Baseline(text.strip(), _number(s, "基期值"), False)


def parse_target(text: str) -> Target:
    """'≥330', '30', or a pending target ('由市级下达', '以国务院最终审批面积为准')."""
    raw = text.strip()
    if any(mark in raw for mark in _PENDING_MARKS):
        return Target(raw, None, None)
    s = unicodedata.normalize("NFKC", raw).replace(" ", "")
    for prefix, comparator in (("≥", "≥"), (">=", "≥"), ("不低于", "≥"), ("≤", "≤"), ("<=", "≤")):
        if s.startswith(prefix):
            return Target(raw, _number(s[len(prefix) :], "目标值"), comparator)
    if s.startswith("不高于"):
        return Target(raw, _number(s[3:], "目标值"), "≤")
    if not s:
        raise InvalidValue("目标值为空", "target is empty")
    return Target(raw, _number(s, "目标值"), None)


_LOWER_WORDS = ("浓度", "排放量", "消耗", "能耗")
_HIGHER_WORDS = ("比例", "率", "占比", "天数", "面积", "覆盖")


def derive_direction(name: str, target: Target) -> tuple[Direction, str]:
    """Direction from the target's comparator or the name's wording, with the deciding rule."""
    if target.comparator == "≥":
        return Direction.HIGHER_IS_BETTER, "目标值写作“≥” / target written as ≥"
    if target.comparator == "≤":
        return Direction.LOWER_IS_BETTER, "目标值写作“≤” / target written as ≤"
    if "下降" in name:
        return Direction.HIGHER_IS_BETTER, "名称含“下降”：降幅越大越好 / a reduction rate"
    for word in _LOWER_WORDS:
        if word in name:
            return Direction.LOWER_IS_BETTER, f"名称含“{word}”：越低越好 / a burden"
    for word in _HIGHER_WORDS:
        if word in name:
            return Direction.HIGHER_IS_BETTER, f"名称含“{word}”：越高越好 / a share or amount"
    raise InvalidValue(
        f"无法判断指标方向：{name}（请在 direction 列注明）",
        f"cannot derive the direction of {name!r}: give a direction column",
    )


_REQUIRED = ("no", "category", "name", "unit", "kind", "value_2020", "target_2025")


def _positive(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or int(text) < 1:
        raise InvalidValue(f"序号须为正整数：{text!r}", f"no must be a positive integer: {text!r}")
    return int(text)


def _kind(text: str) -> IndicatorKind:
    if text not in _KINDS:
        raise InvalidValue(f"未知指标属性：{text!r}", f"unknown kind: {text!r}")
    return _KINDS[text]


def _name(text: str) -> str:
    if not text:
        raise InvalidValue("指标名称为空", "name is empty")
    return text


def _parse_indicator(
    number: int, cells: dict[str, str], issues: list[ImportIssue]
) -> Indicator | None:
    parsed: dict[str, Any] = {}
    steps: dict[str, Callable[[str], Any]] = {
        "no": _positive,
        "name": _name,
        "kind": _kind,
        "value_2020": parse_baseline,
        "target_2025": parse_target,
    }
    for column, parse in steps.items():
        try:
            parsed[column] = parse(cells[column])
        except InvalidValue as err:
            issues.append(ImportIssue(number, column, err.zh, err.en))
    if len(parsed) < len(steps):
        return None
    explicit = cells.get("direction", "")
    try:
        if explicit:
            if explicit not in _DIRECTIONS:
                raise InvalidValue(f"未知方向：{explicit!r}", f"unknown direction: {explicit!r}")
            direction, basis = _DIRECTIONS[explicit], "direction 列 / explicit column"
        else:
            direction, basis = derive_direction(parsed["name"], parsed["target_2025"])
    except InvalidValue as err:
        issues.append(ImportIssue(number, "direction", err.zh, err.en))
        return None
    return Indicator(
        no=parsed["no"],
        category=cells["category"],
        name=parsed["name"],
        unit=cells["unit"],
        kind=parsed["kind"],
        baseline=parsed["value_2020"],
        target=parsed["target_2025"],
        direction=direction,
        direction_basis=basis,
        note=cells.get("note", ""),
    )


def parse_indicators(data: bytes) -> tuple[Indicator, ...] | ImportRejected:
    """Parse plan_indicators CSV bytes, all or nothing."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return file_problem("文件不是 UTF-8 编码的文本", "the file is not UTF-8 text")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = [c for c in _REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        return ImportRejected(
            tuple(ImportIssue(1, c, f"缺少列：{c}", f"missing column: {c}") for c in missing)
        )
    out: list[Indicator] = []
    issues: list[ImportIssue] = []
    seen: dict[int, int] = {}
    for number, record in enumerate(reader, start=2):
        cells = {k: (v or "").strip() for k, v in record.items() if k is not None}
        indicator = _parse_indicator(number, cells, issues)
        if indicator is None:
            continue
        if indicator.no in seen:
            issues.append(
                ImportIssue(number, "no", f"序号重复（同第{seen[indicator.no]}行）", "duplicate no")
            )
        seen.setdefault(indicator.no, number)
        out.append(indicator)
    if not out and not issues:
        return file_problem("没有数据行", "the file has no data rows")
    return ImportRejected(tuple(issues)) if issues else tuple(out)
