"""SubItem: entering the reserve, stage moves with evidence, 出库/入库, history and "as of"."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from projects.domain.errors import ConflictError, InvalidValue, NotInReserve
from projects.domain.events import (
    StageAdvanced,
    StageReturned,
    SubItemAdded,
    SubItemReinstated,
    SubItemWithdrawn,
)
from projects.domain.row import ReserveRow
from projects.domain.stages import STAGE_ORDER, GateEvidence, InvalidTransition, Stage
from projects.domain.subitem import SubItem

pytestmark = pytest.mark.unit

At = Callable[..., datetime]
MakeRow = Callable[..., ReserveRow]
DOC = "南川发改〔2025〕1号"


def _walk_to(item: SubItem, target: Stage, at: At, day: str = "2025-03-01") -> None:
    """Advance step by step with valid evidence up to `target` (not past 验收)."""
    while item.stage is not target:
        nxt = STAGE_ORDER[item.stage.rank + 1]
        item.advance(nxt, GateEvidence(date.fromisoformat(day), DOC), by="张三", at=at(day))


def test_add_records_history_and_event(make_row: MakeRow, at: At) -> None:
    row = make_row()
    item = SubItem.add(row, by="李四", at=at("2025-01-02"))
    assert item.id == row.subitem_id and item.stage is Stage.RESERVE
    [event] = item.events
    assert isinstance(event, SubItemAdded)
    assert event.subitem_id == row.subitem_id and event.investment_wan == row.investment_wan
    assert event.by == "李四" and event.field_code == "F2"
    [entry] = item.history
    assert (entry.by, entry.action) == ("李四", "added")


def test_walks_the_whole_lifecycle_forward(make_row: MakeRow, at: At) -> None:
    item = SubItem.add(make_row(), by="李四", at=at("2025-01-02"))
    _walk_to(item, Stage.ACCEPTED, at)
    item.evaluate(2025, Decimal(92), by="王五", at=at("2025-03-02"))
    item.advance(Stage.EVALUATED, GateEvidence(date(2025, 3, 2)), by="王五", at=at("2025-03-02"))
    advanced = [e for e in item.events if isinstance(e, StageAdvanced)]
    assert [(e.from_stage, e.to_stage) for e in advanced] == list(itertools.pairwise(STAGE_ORDER))
    assert advanced[0].document_no == DOC
    changes = [h.changes[0] for h in item.history if h.action == "stage.changed"]
    assert [(c.before, c.after) for c in changes][:2] == [
        ("reserve", "feasibility"),
        ("feasibility", "preliminary_design"),
    ]


@pytest.mark.parametrize("target", [s for s in Stage if s is not Stage.FEASIBILITY])
def test_skipping_or_standing_still_is_invalid(make_row: MakeRow, at: At, target: Stage) -> None:
    item = SubItem.add(make_row(), by="李四", at=at("2025-01-02"))
    with pytest.raises(InvalidTransition):
        item.advance(target, GateEvidence(date(2025, 1, 2), DOC), by="张三", at=at("2025-01-02"))
    assert item.stage is Stage.RESERVE and len(item.history) == 1


def test_gate_without_document_is_refused_and_changes_nothing(make_row: MakeRow, at: At) -> None:
    item = SubItem.add(make_row(), by="李四", at=at("2025-01-02"))
    with pytest.raises(InvalidValue, match="document number"):
        item.advance(
            Stage.FEASIBILITY, GateEvidence(date(2025, 1, 2)), by="张三", at=at("2025-01-02")
        )
    assert item.stage is Stage.RESERVE and len(item.events) == 1


def test_evaluated_stage_needs_an_evaluation(make_row: MakeRow, at: At) -> None:
    item = SubItem.add(make_row(), by="李四", at=at("2025-01-02"))
    _walk_to(item, Stage.ACCEPTED, at)
    with pytest.raises(InvalidValue, match="evaluation"):
        item.advance(
            Stage.EVALUATED, GateEvidence(date(2025, 3, 1)), by="张三", at=at("2025-03-01")
        )


def test_documented_returns_need_a_reason(make_row: MakeRow, at: At) -> None:
    item = SubItem.add(make_row(), by="李四", at=at("2025-01-02"))
    _walk_to(item, Stage.COMPLETED, at)
    with pytest.raises(InvalidValue):
        item.return_to(
            Stage.IMPLEMENTATION, reason=" ", on=date(2025, 3, 1), by="张三", at=at("2025-03-01")
        )
    item.return_to(
        Stage.IMPLEMENTATION,
        reason="验收前发现渗漏",
        on=date(2025, 3, 1),
        by="张三",
        at=at("2025-03-01"),
    )
    assert item.stage is Stage.IMPLEMENTATION
    assert isinstance(item.events[-1], StageReturned)
    with pytest.raises(InvalidTransition):
        item.return_to(
            Stage.RESERVE, reason="x", on=date(2025, 3, 1), by="张三", at=at("2025-03-01")
        )


def test_feasibility_can_return_to_reserve(make_row: MakeRow, at: At) -> None:
    item = SubItem.add(make_row(), by="李四", at=at("2025-01-02"))
    _walk_to(item, Stage.FEASIBILITY, at)
    item.return_to(
        Stage.RESERVE, reason="可研未获批复", on=date(2025, 3, 1), by="张三", at=at("2025-03-01")
    )
    assert item.stage is Stage.RESERVE


def test_withdraw_and_reinstate_are_recorded_not_deleted(make_row: MakeRow, at: At) -> None:
    item = SubItem.add(make_row(), by="李四", at=at("2025-01-02"))
    item.withdraw(reason="资金未落实", by="李四", at=at("2025-02-01"))
    assert not item.row.in_reserve and isinstance(item.events[-1], SubItemWithdrawn)
    with pytest.raises(NotInReserve):
        item.advance(
            Stage.FEASIBILITY, GateEvidence(date(2025, 2, 1), DOC), by="张三", at=at("2025-02-02")
        )
    with pytest.raises(NotInReserve):
        item.withdraw(reason="again", by="李四", at=at("2025-02-02"))
    item.reinstate(reason="资金已落实", by="李四", at=at("2025-03-01"))
    assert item.row.in_reserve and isinstance(item.events[-1], SubItemReinstated)
    with pytest.raises(ConflictError):
        item.reinstate(reason="again", by="李四", at=at("2025-03-02"))
    assert [h.action for h in item.history] == ["added", "withdrawn", "reinstated"]


def test_withdraw_needs_a_reason(make_row: MakeRow, at: At) -> None:
    item = SubItem.add(make_row(), by="李四", at=at("2025-01-02"))
    with pytest.raises(InvalidValue):
        item.withdraw(reason="", by="李四", at=at("2025-02-01"))


def test_as_of_replays_revisions(make_row: MakeRow, at: At) -> None:
    item = SubItem.add(make_row(), by="李四", at=at("2025-01-02"))
    _walk_to(item, Stage.FEASIBILITY, at, "2025-02-01")
    item.withdraw(reason="暂缓", by="李四", at=at("2025-04-01"))
    assert item.as_of(at("2025-01-01")) is None
    before = item.as_of(at("2025-01-31"))
    assert before is not None and before.stage is Stage.RESERVE
    mid = item.as_of(at("2025-03-01"))
    assert mid is not None and mid.stage is Stage.FEASIBILITY and mid.in_reserve
    last = item.as_of(at("2030-01-01"))
    assert last is not None and not last.in_reserve


def test_time_may_not_go_backwards(make_row: MakeRow, at: At) -> None:
    item = SubItem.add(make_row(), by="李四", at=at("2025-03-01"))
    with pytest.raises(InvalidValue, match="before the last record"):
        item.withdraw(reason="x", by="李四", at=at("2025-02-01"))


def test_naive_datetimes_are_refused(make_row: MakeRow) -> None:
    with pytest.raises(InvalidValue, match="timezone-aware"):
        SubItem.add(make_row(), by="李四", at=datetime(2025, 3, 1, 9))


def test_blank_actor_is_refused(make_row: MakeRow, at: At) -> None:
    with pytest.raises(InvalidValue, match="actor"):
        SubItem.add(make_row(), by=" ", at=at("2025-03-01"))


def test_local_date_is_beijing_date(make_row: MakeRow) -> None:
    # 2025-03-01 17:00 UTC is already 2025-03-02 in Beijing: evidence dated the 2nd is fine.
    item = SubItem.add(make_row(), by="李四", at=datetime(2025, 3, 1, 16, tzinfo=UTC))
    item.advance(
        Stage.FEASIBILITY,
        GateEvidence(date(2025, 3, 2), DOC),
        by="张三",
        at=datetime(2025, 3, 1, 17, tzinfo=UTC),
    )
    assert item.stage is Stage.FEASIBILITY
