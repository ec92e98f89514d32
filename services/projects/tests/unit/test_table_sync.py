"""Re-imported rows: corrections (序号, 牵头单位, 项目来源) apply; adjustable attributes refuse."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

import pytest

from projects.domain.errors import InvalidValue, NotInReserve
from projects.domain.events import SubItemCorrected
from projects.domain.row import ReserveRow
from projects.domain.subitem import SubItem
from projects.domain.table_sync import table_changes
from projects.domain.values import YearSpan

pytestmark = pytest.mark.unit

At = Callable[..., datetime]
MakeRow = Callable[..., ReserveRow]


def test_identical_rows_have_no_changes(make_row: MakeRow) -> None:
    row = make_row()
    assert table_changes(row, row) == ((), ())


def test_corrections_are_split_from_refused_changes(make_row: MakeRow) -> None:
    old = make_row()
    new = dataclasses.replace(
        old,
        no=7,
        lead_units=("区生态环境局", "区水利局"),
        investment_wan=Decimal("400"),
        years=YearSpan(2022, 2024),
    )
    corrections, refused = table_changes(old, new)
    assert [(c.attr, c.before, c.after) for c in corrections] == [
        ("no", "1", "7"),
        ("lead_units", "区生态环境局", "区生态环境局、区水利局"),
    ]
    assert [r.attr for r in refused] == ["investment_wan", "years"]
    assert "「投资」动态调整申请" in refused[0].zh and "365" in refused[0].zh


def test_correct_from_table_records_history_event_and_revision(make_row: MakeRow, at: At) -> None:
    item = SubItem.add(make_row(), by="seed", at=at("2025-01-02"))
    item.events.clear()
    new = dataclasses.replace(item.row, source="区级确定项目", no=3)
    assert item.correct_from_table(new, by="李四", at=at("2025-02-01")) is True
    assert (item.row.source, item.row.no) == ("区级确定项目", 3)
    [event] = item.events
    assert isinstance(event, SubItemCorrected)
    assert {c.attr for c in event.changes} == {"no", "source"}
    assert item.history[-1].action == "corrected"
    assert item.as_of(at("2025-01-15")) is not None
    assert item.as_of(at("2025-01-15")).source == "正在实施项目"  # type: ignore[union-attr]
    assert item.correct_from_table(new, by="李四", at=at("2025-02-02")) is False


def test_correct_from_table_refuses_adjustable_changes_and_withdrawn_items(
    make_row: MakeRow, at: At
) -> None:
    item = SubItem.add(make_row(), by="seed", at=at("2025-01-02"))
    with pytest.raises(InvalidValue, match="动态调整"):
        item.correct_from_table(
            dataclasses.replace(item.row, content="新内容"), by="李四", at=at("2025-02-01")
        )
    with pytest.raises(InvalidValue):
        item.correct_from_table(
            dataclasses.replace(item.row, subitem_id="other"), by="李四", at=at("2025-02-01")
        )
    item.withdraw(reason="取消", by="王五", at=at("2025-02-02"))
    with pytest.raises(NotInReserve):
        item.correct_from_table(dataclasses.replace(item.row, no=9), by="李四", at=at("2025-02-03"))
