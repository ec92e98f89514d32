"""Skipping 前期工作 stages an item does not need, with a reason and evidence (issue 19)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

import pytest

from projects.domain.events import StageAdvanced
from projects.domain.row import ReserveRow
from projects.domain.stages import (
    SKIPPABLE,
    GateEvidence,
    InvalidSkip,
    InvalidTransition,
    Stage,
    StageSkip,
    check_skips,
)
from projects.domain.subitem import SubItem

pytestmark = pytest.mark.unit

At = Callable[..., datetime]
MakeRow = Callable[..., ReserveRow]
NO_FS = StageSkip(
    Stage.FEASIBILITY, "投资额小，审批部门同意以项目建议书代替可研", "南川发改〔2025〕7号"
)
NO_TENDER = StageSkip(
    Stage.TENDERING, "单项合同估算低于依法必须招标的规模标准", "南川财采〔2025〕3号"
)


def test_only_the_preparatory_stages_may_be_skipped() -> None:
    assert {Stage.FEASIBILITY, Stage.PRELIMINARY_DESIGN, Stage.TENDERING} == SKIPPABLE
    check_skips(Stage.RESERVE, Stage.PRELIMINARY_DESIGN, (NO_FS,))
    check_skips(Stage.PRELIMINARY_DESIGN, Stage.IMPLEMENTATION, (NO_TENDER,))
    skip_impl = StageSkip(Stage.IMPLEMENTATION, "无", "x")
    with pytest.raises(InvalidTransition):
        check_skips(Stage.TENDERING, Stage.COMPLETED, (skip_impl,))


def test_the_skips_must_name_exactly_the_stages_jumped_over() -> None:
    with pytest.raises(InvalidSkip):  # 初设 jumped over but not named
        check_skips(Stage.RESERVE, Stage.TENDERING, (NO_FS,))
    with pytest.raises(InvalidSkip):  # nothing jumped over
        check_skips(Stage.RESERVE, Stage.FEASIBILITY, (NO_FS,))
    with pytest.raises(InvalidSkip):
        check_skips(Stage.RESERVE, Stage.PRELIMINARY_DESIGN, (NO_FS, NO_FS))
    with pytest.raises(InvalidTransition):
        check_skips(Stage.TENDERING, Stage.RESERVE, (NO_FS,))


@pytest.mark.parametrize(
    "skip",
    [
        StageSkip(Stage.FEASIBILITY, "  ", "南川发改〔2025〕7号"),
        StageSkip(Stage.FEASIBILITY, "小项目", " "),
    ],
)
def test_a_skip_needs_a_reason_and_a_document(skip: StageSkip) -> None:
    with pytest.raises(InvalidSkip):
        check_skips(Stage.RESERVE, Stage.PRELIMINARY_DESIGN, (skip,))


def test_a_small_item_goes_to_implementation_without_invented_numbers(
    make_row: MakeRow, at: At
) -> None:
    item = SubItem.add(make_row(), by="李四", at=at("2025-01-02"))
    design = GateEvidence(date(2025, 2, 1), "南川发改〔2025〕9号")
    item.advance(Stage.PRELIMINARY_DESIGN, design, by="张三", at=at("2025-02-01"), skips=(NO_FS,))
    start = GateEvidence(date(2025, 3, 1))  # 开工日期: no document needed
    item.advance(Stage.IMPLEMENTATION, start, by="张三", at=at("2025-03-01"), skips=(NO_TENDER,))
    assert item.stage is Stage.IMPLEMENTATION
    advanced = [e for e in item.events if isinstance(e, StageAdvanced)]
    assert [(e.from_stage, e.to_stage, e.skipped) for e in advanced] == [
        (Stage.RESERVE, Stage.PRELIMINARY_DESIGN, (NO_FS,)),
        (Stage.PRELIMINARY_DESIGN, Stage.IMPLEMENTATION, (NO_TENDER,)),
    ]
    summaries = [h.summary for h in item.history if h.action == "stage.changed"]
    assert "跳过可研" in summaries[0] and "南川发改〔2025〕7号" in summaries[0]
    assert "跳过招投标" in summaries[1]


def test_without_skips_a_jump_is_still_refused(make_row: MakeRow, at: At) -> None:
    item = SubItem.add(make_row(), by="李四", at=at("2025-01-02"))
    with pytest.raises(InvalidTransition):
        item.advance(
            Stage.PRELIMINARY_DESIGN,
            GateEvidence(date(2025, 2, 1), "南川发改〔2025〕9号"),
            by="张三",
            at=at("2025-02-01"),
        )
