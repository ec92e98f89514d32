"""Exact roll-ups of the reserve by field, project, lead unit, year, source class and stage.

Field, project, source class and stage partition the sub-items. Lead unit and year do not: a
sub-item with several lead units appears under each unit, and a sub-item spanning several
years appears in each year with its full amount (the plan gives no yearly split and we do not
invent one). In every roll-up the total counts each sub-item once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from projects.domain.money import ZERO, format_yi, share_percent, wan_to_yi
from projects.domain.row import ReserveRow
from projects.domain.values import SourceClass


class RollupBy(StrEnum):
    """What a roll-up groups by."""

    FIELD = "field"
    PROJECT = "project"
    LEAD_UNIT = "lead_unit"
    YEAR = "year"
    SOURCE_CLASS = "source_class"
    STAGE = "stage"


@dataclass(frozen=True)
class Totals:
    """Counts and money (万元) of a set of sub-items, each counted once."""

    projects: int
    subitems: int
    investment_wan: Decimal

    @property
    def investment_yi(self) -> Decimal:
        """The investment in 亿元, exact."""
        return wan_to_yi(self.investment_wan)

    @property
    def yi_text(self) -> str:
        """亿元 to 4 places as the plan prints them, e.g. '108.1905'."""
        return format_yi(self.investment_wan)


@dataclass(frozen=True)
class Group:
    """One group of a roll-up; `shared_subitems` are also counted in another group."""

    key: str
    label: str
    projects: int
    subitems: int
    investment_wan: Decimal
    share_pct: Decimal | None
    shared_subitems: int = 0

    @property
    def investment_yi(self) -> Decimal:
        """The investment in 亿元, exact."""
        return wan_to_yi(self.investment_wan)

    @property
    def yi_text(self) -> str:
        """亿元 to 4 places as the plan prints them."""
        return format_yi(self.investment_wan)


@dataclass(frozen=True)
class Rollup:
    """A roll-up: its groups in a stable order, and the once-counted total."""

    by: RollupBy
    groups: tuple[Group, ...]
    total: Totals
    overlapping: bool
    note_zh: str = ""
    note_en: str = ""

    def group(self, key: str) -> Group:
        """The group with `key`; KeyError if absent."""
        for g in self.groups:
            if g.key == key:
                return g
        raise KeyError(key)


def totals(rows: Iterable[ReserveRow]) -> Totals:
    """Project count, sub-item count and investment of `rows`."""
    rows = list(rows)
    return Totals(
        projects=len({r.project_id for r in rows}),
        subitems=len(rows),
        investment_wan=sum((r.investment_wan for r in rows), ZERO),
    )


_SOURCE_KEYS = {c: (c.value, c.zh, (i,)) for i, c in enumerate(SourceClass)}


def _source_key(c: SourceClass) -> tuple[str, str, tuple[int, ...]]:
    return _SOURCE_KEYS[c]


_KeyFn = Callable[[ReserveRow], list[tuple[str, str, tuple[int, ...]]]]

# Each key function yields (key, label, sort key) for every group a row belongs to.
_KEYS: dict[RollupBy, _KeyFn] = {
    RollupBy.FIELD: lambda r: [(r.field.code, r.field.label, (r.field.ordinal,))],
    RollupBy.PROJECT: lambda r: [(r.project_id, r.project, (r.field.ordinal, r.no))],
    RollupBy.LEAD_UNIT: lambda r: [(u, u, (r.no, i)) for i, u in enumerate(r.lead_units)],
    RollupBy.YEAR: lambda r: [(str(y), f"{y}年", (y,)) for y in r.years.years],
    RollupBy.SOURCE_CLASS: lambda r: [_source_key(r.source_class)],
    RollupBy.STAGE: lambda r: [(r.stage.value, r.stage.zh, (r.stage.rank,))],
}

_NOTES: dict[RollupBy, tuple[str, str]] = {
    RollupBy.LEAD_UNIT: (
        "多个牵头单位的子项在每个单位下各列一次，合计只计一次",
        "a sub-item with several lead units appears under each; the total counts it once",
    ),
    RollupBy.YEAR: (
        "跨年度子项在所跨每一年按全额列示（不拆分），合计只计一次",
        "a multi-year sub-item appears in each year at its full amount (not split); "
        "the total counts it once",
    ),
}


@dataclass
class _Acc:
    label: str
    order: tuple[int, ...]
    projects: set[str]
    subitems: int = 0
    investment_wan: Decimal = ZERO
    shared: int = 0


def rollup(rows: Iterable[ReserveRow], by: RollupBy, *, include_withdrawn: bool = False) -> Rollup:
    """Group `rows` by `by`; sub-items that left the reserve are excluded unless asked for."""
    selected = [r for r in rows if include_withdrawn or r.in_reserve]
    key_fn = _KEYS[by]
    acc: dict[str, _Acc] = {}
    for row in selected:
        keys = key_fn(row)
        for key, label, order in keys:
            a = acc.get(key)
            if a is None:
                a = acc[key] = _Acc(label, order, set())
            a.order = min(a.order, order)
            a.projects.add(row.project_id)
            a.subitems += 1
            a.investment_wan += row.investment_wan
            a.shared += len(keys) > 1
    total = totals(selected)
    overlapping = by in _NOTES
    groups = tuple(
        Group(
            key=key,
            label=a.label,
            projects=len(a.projects),
            subitems=a.subitems,
            investment_wan=a.investment_wan,
            share_pct=None
            if overlapping
            else share_percent(a.investment_wan, total.investment_wan),
            shared_subitems=a.shared,
        )
        for key, a in sorted(acc.items(), key=lambda kv: kv[1].order)
    )
    zh, en = _NOTES.get(by, ("", ""))
    return Rollup(by, groups, total, overlapping, zh, en)
