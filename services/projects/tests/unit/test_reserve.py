"""The reserve tree (Field → Project → SubItem) and re-import diffs."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from projects.domain.reserve import build_tree, diff_import, table_view
from projects.domain.row import ReserveRow
from projects.domain.stages import Stage

pytestmark = pytest.mark.unit

Rows = tuple[ReserveRow, ...]


def test_tree_matches_the_preamble_shape(seed_rows: Rows) -> None:
    tree = build_tree(seed_rows)
    assert [f.field.code for f in tree] == ["F1", "F2", "F3", "F4", "F5", "F6"]
    assert [len(f.projects) for f in tree] == [6, 6, 4, 2, 2, 3]
    assert [f.subitem_count for f in tree] == [15, 37, 18, 6, 5, 9]
    assert [str(f.investment_wan) for f in tree] == [
        "436350",
        "426905",
        "203100",
        "10950",
        "350",
        "4250",
    ]
    energy = tree[0].projects[3]
    assert energy.name == "清洁能源推动工程" and energy.investment_wan == Decimal(290000)
    assert [s.no for s in energy.subitems] == [6, 7, 8, 9, 10]


def test_reimporting_the_same_rows_is_a_noop(seed_rows: Rows) -> None:
    stored = {r.subitem_id: r for r in seed_rows}
    diff = diff_import(stored, seed_rows)
    assert diff.is_noop and len(diff.unchanged) == 90 and diff.absent == ()


def test_lifecycle_state_is_not_a_table_change(seed_rows: Rows) -> None:
    stored = {r.subitem_id: r for r in seed_rows}
    first = seed_rows[0]
    stored[first.subitem_id] = dataclasses.replace(first, stage=Stage.TENDERING, in_reserve=False)
    assert diff_import(stored, seed_rows).is_noop
    assert table_view(stored[first.subitem_id]) == first


def test_diff_reports_added_changed_and_absent(seed_rows: Rows) -> None:
    stored = {r.subitem_id: r for r in seed_rows[:89]}
    incoming = list(seed_rows[1:])
    incoming[0] = dataclasses.replace(incoming[0], investment_wan=Decimal(800))
    diff = diff_import(stored, incoming)
    assert [r.no for r in diff.added] == [90]
    assert [(old.investment_wan, new.investment_wan) for old, new in diff.changed] == [
        (Decimal(700), Decimal(800))
    ]
    assert [r.no for r in diff.absent] == [1]
    assert not diff.is_noop
