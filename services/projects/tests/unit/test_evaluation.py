"""Annual performance evaluation (绩效评价): grades, who may be evaluated, once per year."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal

import pytest

from projects.domain.errors import ConflictError, InvalidValue
from projects.domain.evaluation import Grade, IndicatorResult, grade_for
from projects.domain.events import Evaluated
from projects.domain.row import ReserveRow
from projects.domain.stages import STAGE_ORDER, GateEvidence, Stage
from projects.domain.subitem import SubItem

pytestmark = pytest.mark.unit

At = Callable[..., datetime]
MakeRow = Callable[..., ReserveRow]


@pytest.mark.parametrize(
    ("score", "grade"),
    [
        ("100", Grade.EXCELLENT),
        ("90", Grade.EXCELLENT),
        ("89.99", Grade.GOOD),
        ("80", Grade.GOOD),
        ("79.5", Grade.FAIR),
        ("60", Grade.FAIR),
        ("59.99", Grade.POOR),
        ("0", Grade.POOR),
    ],
)
def test_grade_bounds(score: str, grade: Grade) -> None:
    assert grade_for(Decimal(score)) is grade


@pytest.mark.parametrize("score", ["-0.01", "100.01", "NaN"])
def test_scores_outside_0_100_are_refused(score: str) -> None:
    with pytest.raises(InvalidValue):
        grade_for(Decimal(score))


def _item_at(stage: Stage, make_row: MakeRow, at: At) -> SubItem:
    item = SubItem.add(make_row(), by="录入员", at=at("2024-01-02"))
    while item.stage is not stage:
        nxt = STAGE_ORDER[item.stage.rank + 1]
        item.advance(nxt, GateEvidence(date(2024, 6, 1), "文号"), by="x", at=at("2024-06-01"))
    return item


@pytest.mark.parametrize("stage", [Stage.COMPLETED, Stage.ACCEPTED])
def test_finished_items_are_evaluated(stage: Stage, make_row: MakeRow, at: At) -> None:
    item = _item_at(stage, make_row, at)
    results = [IndicatorResult("水源地规范化建设数量", "≥1处", "1处", True)]
    ev = item.evaluate(
        2024, Decimal("91.5"), indicator_results=results, by="评价组", at=at("2025-01-15")
    )
    assert ev.grade is Grade.EXCELLENT and ev.indicator_results == tuple(results)
    assert item.evaluations[2024] is ev
    event = item.events[-1]
    assert isinstance(event, Evaluated) and (event.year, event.grade) == (2024, "优")
    assert item.history[-1].action == "evaluated"


@pytest.mark.parametrize(
    "stage", [Stage.RESERVE, Stage.FEASIBILITY, Stage.TENDERING, Stage.IMPLEMENTATION]
)
def test_unfinished_items_are_not_evaluated(stage: Stage, make_row: MakeRow, at: At) -> None:
    item = _item_at(stage, make_row, at)
    with pytest.raises(ConflictError):
        item.evaluate(2024, Decimal(90), by="评价组", at=at("2025-01-15"))


def test_one_evaluation_per_year_and_a_new_one_next_year(make_row: MakeRow, at: At) -> None:
    item = _item_at(Stage.ACCEPTED, make_row, at)
    item.evaluate(2024, Decimal(85), by="评价组", at=at("2025-01-15"))
    with pytest.raises(ConflictError, match="already evaluated"):
        item.evaluate(2024, Decimal(95), by="评价组", at=at("2025-01-16"))
    item.advance(Stage.EVALUATED, GateEvidence(date(2025, 1, 16)), by="x", at=at("2025-01-16"))
    item.evaluate(2025, Decimal(70), by="评价组", at=at("2026-01-15"))
    assert [e.grade for e in item.evaluations.values()] == [Grade.GOOD, Grade.FAIR]


@pytest.mark.parametrize("year", [2020, 2026])
def test_evaluation_year_within_implementation_and_past(
    year: int, make_row: MakeRow, at: At
) -> None:
    item = _item_at(Stage.COMPLETED, make_row, at)  # years 2021-2023, evaluated in 2025
    with pytest.raises(InvalidValue, match="evaluation year"):
        item.evaluate(year, Decimal(90), by="评价组", at=at("2025-01-15"))
