"""The Mongo document codec rebuilds a sub-item exactly (pure: no server involved)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal

import pytest

from projects.adapters.subitem_codec import item_from_doc, item_to_doc
from projects.domain.adjustments import AdjustmentKind, Changes
from projects.domain.evaluation import IndicatorResult
from projects.domain.row import ReserveRow
from projects.domain.stages import GateEvidence, Stage
from projects.domain.subitem import SubItem
from projects.domain.values import FundingMix

pytestmark = pytest.mark.unit

At = Callable[..., datetime]
MakeRow = Callable[..., ReserveRow]


def _busy_item(make_row: MakeRow, at: At) -> SubItem:
    row = make_row(location="大观镇", funding=FundingMix(Decimal("100"), Decimal("65.5")))
    item = SubItem.add(row, by="seed", at=at("2025-01-02"))
    item.plan_milestone(Stage.FEASIBILITY, date(2025, 1, 20), by="a", at=at("2025-01-03"))
    adj = item.request_adjustment(
        AdjustmentKind.SITE, Changes(location="水江镇"), reason="选址", by="a", at=at("2025-01-04")
    )
    item.approve_adjustment(adj.id, by="b", at=at("2025-01-05"))
    item.request_adjustment(
        AdjustmentKind.INVESTMENT,
        Changes(investment_wan=Decimal("400.25")),
        reason="涨价",
        by="a",
        at=at("2025-01-06"),
    )
    for stage, doc in [
        (Stage.FEASIBILITY, "批1"),
        (Stage.PRELIMINARY_DESIGN, "批2"),
        (Stage.TENDERING, "标3"),
        (Stage.IMPLEMENTATION, None),
    ]:
        item.advance(stage, GateEvidence(date(2025, 2, 1), doc), by="a", at=at("2025-02-01"))
    item.report_progress(
        "2025-02",
        percent_complete=Decimal("12.5"),
        invested_to_date_wan=Decimal("40"),
        note="进度偏慢",
        by="u",
        at=at("2025-03-05"),
    )
    item.check_dispatch(at("2025-06-01"))
    item.advance(Stage.COMPLETED, GateEvidence(date(2025, 6, 2)), by="a", at=at("2025-06-02"))
    item.evaluate(
        2025,
        Decimal("88"),
        indicator_results=[IndicatorResult("达标率", "100%", "100%", True)],
        by="e",
        at=at("2025-06-03"),
    )
    return item


def test_round_trip_keeps_every_part_of_the_aggregate(make_row: MakeRow, at: At) -> None:
    item = _busy_item(make_row, at)
    back = item_from_doc(item_to_doc(item))
    assert back.row == item.row
    assert back.revisions == item.revisions
    assert back.history == item.history
    assert back.stage_log == item.stage_log
    assert back.adjustments == item.adjustments
    assert back.reports == item.reports
    assert back.milestones == item.milestones
    assert back.evaluations == item.evaluations
    assert back.flagged == item.flagged and back.flagged
    assert back.schedule == item.schedule
    assert back.events == []
    # The rebuilt aggregate behaves the same: nothing new to announce, same "as of" answers.
    assert back.check_dispatch(at("2025-06-01")) == []
    assert back.as_of(at("2025-01-04")) == item.as_of(at("2025-01-04"))


def test_documents_hold_no_float_and_no_dotted_keys(make_row: MakeRow, at: At) -> None:
    def walk(value: object) -> None:
        assert not isinstance(value, float | Decimal)
        if isinstance(value, dict):
            for k, v in value.items():
                assert "." not in k and not k.startswith("$"), k
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk(item_to_doc(_busy_item(make_row, at)))
