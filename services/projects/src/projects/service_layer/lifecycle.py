"""Use cases that move a sub-item: gates, returns, 出库/入库, milestones, progress, evaluation."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

from projects.domain.evaluation import Evaluation, IndicatorResult
from projects.domain.progress import ProgressReport
from projects.domain.stages import GateEvidence, Stage, StageSkip
from projects.domain.subitem import SubItem
from projects.service_layer.context import Context
from projects.service_layer.mutate import Changed, mutate
from projects.service_layer.ports import Forbidden


async def advance(
    ctx: Context,
    subitem_id: str,
    target: Stage,
    evidence: GateEvidence,
    *,
    by: str,
    skips: tuple[StageSkip, ...] = (),
) -> SubItem:
    """Pass the next gate with its evidence (date, document number), or skip the 前期工作
    stages the item does not need (each with a reason and a document)."""
    done: Changed[None] = await mutate(
        ctx,
        subitem_id,
        lambda item, at: item.advance(target, evidence, by=by, at=at, skips=skips),
    )
    return done.item


async def return_to(
    ctx: Context, subitem_id: str, target: Stage, *, reason: str, on: date, by: str
) -> SubItem:
    """Take one of the documented steps back, with a reason."""
    done: Changed[None] = await mutate(
        ctx,
        subitem_id,
        lambda item, at: item.return_to(target, reason=reason, on=on, by=by, at=at),
    )
    return done.item


async def withdraw(ctx: Context, subitem_id: str, *, reason: str, by: str) -> SubItem:
    """Leave the reserve (出库); the record stays."""
    done: Changed[None] = await mutate(
        ctx, subitem_id, lambda item, at: item.withdraw(reason=reason, by=by, at=at)
    )
    return done.item


async def reinstate(ctx: Context, subitem_id: str, *, reason: str, by: str) -> SubItem:
    """Re-enter the reserve (入库) at the stage it left at."""
    done: Changed[None] = await mutate(
        ctx, subitem_id, lambda item, at: item.reinstate(reason=reason, by=by, at=at)
    )
    return done.item


async def plan_milestone(
    ctx: Context, subitem_id: str, stage: Stage, due: date, *, by: str
) -> SubItem:
    """Plan (or re-plan) the date by which a stage should be reached."""
    done: Changed[None] = await mutate(
        ctx, subitem_id, lambda item, at: item.plan_milestone(stage, due, by=by, at=at)
    )
    return done.item


def may_report(
    item: SubItem, unit: str | None, what: tuple[str, str] = ("报送调度", "report")
) -> None:
    """A unit handler acts only on sub-items its unit leads; planners (unit None) on all."""
    if unit is not None and unit not in item.row.lead_units:
        raise Forbidden(
            f"「{unit}」不是该子项的牵头单位，不能{what[0]}",
            f"{unit} does not lead sub-item {item.id} and may not {what[1]}",
        )


async def report_progress(
    ctx: Context,
    subitem_id: str,
    *,
    period: str,
    percent_complete: Decimal,
    invested_to_date_wan: Decimal,
    note: str,
    by: str,
    unit: str | None,
) -> tuple[SubItem, ProgressReport]:
    """File (or correct) one period's progress report (调度)."""

    def change(item: SubItem, at: datetime) -> ProgressReport:
        may_report(item, unit)
        return item.report_progress(
            period,
            percent_complete=percent_complete,
            invested_to_date_wan=invested_to_date_wan,
            note=note,
            by=by,
            at=at,
        )

    done = await mutate(ctx, subitem_id, change)
    return done.item, done.result


async def evaluate(
    ctx: Context,
    subitem_id: str,
    *,
    year: int,
    score: Decimal,
    indicator_results: Sequence[IndicatorResult],
    note: str,
    by: str,
) -> tuple[SubItem, Evaluation]:
    """Record the annual performance evaluation (绩效评价)."""
    done = await mutate(
        ctx,
        subitem_id,
        lambda item, at: item.evaluate(
            year, score, indicator_results=indicator_results, note=note, by=by, at=at
        ),
    )
    return done.item, done.result
