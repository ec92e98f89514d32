"""Roll-up mechanics on small hand-made reserves: exclusion, ordering, exactness, emptiness."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from decimal import Decimal

import pytest

from projects.domain.rollups import RollupBy, rollup, totals
from projects.domain.row import ReserveRow
from projects.domain.stages import Stage

pytestmark = pytest.mark.unit

MakeRow = Callable[..., ReserveRow]


@pytest.fixture
def rows(make_row: MakeRow) -> list[ReserveRow]:
    return [
        make_row(no=1, investment="0.1", years=(2021, 2022), lead_units=("甲", "乙")),
        make_row(no=2, name="二", investment="0.2", years=(2022, 2022), lead_units=("乙",)),
        make_row(
            no=3,
            field_ordinal=1,
            project="工业绿色化工程",
            name="三",
            investment="0.3",
            source="策划项目",
            stage=Stage.IMPLEMENTATION,
        ),
    ]


def test_sums_are_exact_decimals(rows: list[ReserveRow]) -> None:
    t = totals(rows)
    assert t.investment_wan == Decimal("0.6")  # 0.1 + 0.2 in float would not be
    assert (t.projects, t.subitems) == (2, 3)


def test_field_groups_follow_field_order(rows: list[ReserveRow]) -> None:
    r = rollup(rows, RollupBy.FIELD)
    assert [g.key for g in r.groups] == ["F1", "F2"]
    assert [g.share_pct for g in r.groups] == [Decimal("50.00"), Decimal("50.00")]


def test_withdrawn_items_are_excluded_unless_asked(rows: list[ReserveRow]) -> None:
    rows[2] = dataclasses.replace(rows[2], in_reserve=False)
    assert rollup(rows, RollupBy.FIELD).total.subitems == 2
    assert rollup(rows, RollupBy.FIELD, include_withdrawn=True).total.subitems == 3


def test_lead_unit_overlap(rows: list[ReserveRow]) -> None:
    r = rollup(rows, RollupBy.LEAD_UNIT)
    assert [g.key for g in r.groups] == ["甲", "乙", "区生态环境局"]
    b = r.group("乙")
    assert (b.subitems, b.investment_wan, b.shared_subitems) == (2, Decimal("0.3"), 1)
    assert r.total.investment_wan == Decimal("0.6") and r.note_zh


def test_year_overlap_keeps_full_amounts(rows: list[ReserveRow]) -> None:
    r = rollup(rows, RollupBy.YEAR)
    y2022 = r.group("2022")
    assert (y2022.subitems, y2022.investment_wan, y2022.shared_subitems) == (3, Decimal("0.6"), 2)
    assert r.group("2021").label == "2021年"


def test_stage_and_source_class(rows: list[ReserveRow]) -> None:
    stages = rollup(rows, RollupBy.STAGE)
    assert [g.key for g in stages.groups] == ["reserve", "implementation"]
    sources = rollup(rows, RollupBy.SOURCE_CLASS)
    assert sources.group("planned").investment_wan == Decimal("0.3")
    assert sources.group("planned").share_pct == Decimal("50.00")


def test_empty_reserve() -> None:
    r = rollup([], RollupBy.FIELD)
    assert r.groups == () and r.total.subitems == 0 and r.total.investment_wan == 0
    with pytest.raises(KeyError):
        r.group("F1")


@pytest.mark.parametrize("by", list(RollupBy))
def test_every_rollup_counts_the_total_once(rows: list[ReserveRow], by: RollupBy) -> None:
    assert rollup(rows, by).total == totals(rows)
