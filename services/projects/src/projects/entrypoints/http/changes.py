"""Adjustments (动态调整), progress (调度), evaluations (绩效评价) and the dispatch check."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from projects.domain.adjustments import Changes
from projects.domain.evaluation import IndicatorResult, check_score
from projects.domain.money import check_wan
from projects.domain.progress import check_report_values
from projects.domain.values import FundingMix, parse_years
from projects.entrypoints.http.deps import PLANNERS, REPORTERS, acting_unit, actor, context
from projects.entrypoints.http.errors import ERRORS, MALFORMED, NOT_FOUND, blame, conflict
from projects.entrypoints.http.requests import (
    AdjustmentCreate,
    ApproveRequest,
    EvaluationCreate,
    ProgressCreate,
    ReasonRequest,
)
from projects.entrypoints.http.schemas import (
    AdjustmentRead,
    EvaluationRead,
    ReportRead,
    SubItemDetail,
    SubItemRead,
)
from projects.service_layer import adjustments, dispatch, lifecycle, queries
from projects.service_layer.context import Context
from qingshan_core.auth import Principal, require_roles

router = APIRouter(
    prefix="/v1", tags=["adjustments, dispatch, evaluation 调整·调度·评价"], responses=ERRORS
)
Ctx = Annotated[Context, Depends(context)]
Planner = Annotated[Principal, Depends(require_roles(*PLANNERS))]
Reporter = Annotated[Principal, Depends(require_roles(*REPORTERS))]
CONFLICT = conflict("当前状态不允许 / not allowed in the current state") | NOT_FOUND | MALFORMED


def _changes(body: AdjustmentCreate) -> Changes:
    if body.investment_wan is not None:
        with blame("investment_wan"):
            check_wan(body.investment_wan)
    with blame("years"):
        years = parse_years(body.years) if body.years is not None else None
    with blame("funding"):
        funding = FundingMix(**body.funding.model_dump()) if body.funding is not None else None
    return Changes(
        content=body.content,
        investment_wan=body.investment_wan,
        years=years,
        location=body.location,
        funding=funding,
    )


@router.post(
    "/subitems/{subitem_id}/adjustments",
    status_code=201,
    response_model=AdjustmentRead,
    responses=CONFLICT,
)
async def request_adjustment(
    subitem_id: str, body: AdjustmentCreate, ctx: Ctx, who: Reporter
) -> AdjustmentRead:
    """Request a change of site, scale, technical plan, investment or years (needs approval)."""
    after = _changes(body)
    with blame("body"):
        _, adj = await adjustments.request_adjustment(
            ctx,
            subitem_id,
            body.kind,
            after,
            reason=body.reason,
            by=actor(who),
            unit=acting_unit(who),
        )
    return AdjustmentRead.of(adj)


class PendingAdjustment(BaseModel):
    """A request awaiting a decision, with the sub-item it would change."""

    subitem: SubItemRead
    adjustment: AdjustmentRead


@router.get("/adjustments", response_model=list[PendingAdjustment])
async def list_pending_adjustments(ctx: Ctx, who: Reporter) -> list[PendingAdjustment]:
    """Adjustment requests awaiting approval (a unit handler sees its own units' only)."""
    pending = await queries.pending_adjustments(ctx, unit=acting_unit(who))
    return [
        PendingAdjustment(subitem=SubItemRead.of(row), adjustment=AdjustmentRead.of(adj))
        for row, adj in pending
    ]


@router.post(
    "/subitems/{subitem_id}/adjustments/{adjustment_id}/approve",
    response_model=SubItemDetail,
    responses=CONFLICT,
)
async def approve_adjustment(
    subitem_id: str, adjustment_id: str, body: ApproveRequest, ctx: Ctx, who: Planner
) -> SubItemDetail:
    """Approve a pending adjustment and apply it (not by its own requester)."""
    await adjustments.approve_adjustment(
        ctx, subitem_id, adjustment_id, note=body.note, by=actor(who)
    )
    item, version = await queries.get_subitem(ctx, subitem_id)
    return SubItemDetail.of_item(item, version)


@router.post(
    "/subitems/{subitem_id}/adjustments/{adjustment_id}/reject",
    response_model=SubItemDetail,
    responses=CONFLICT,
)
async def reject_adjustment(
    subitem_id: str, adjustment_id: str, body: ReasonRequest, ctx: Ctx, who: Planner
) -> SubItemDetail:
    """Reject a pending adjustment; only the history changes."""
    with blame("reason"):
        await adjustments.reject_adjustment(
            ctx, subitem_id, adjustment_id, reason=body.reason, by=actor(who)
        )
    item, version = await queries.get_subitem(ctx, subitem_id)
    return SubItemDetail.of_item(item, version)


@router.post(
    "/subitems/{subitem_id}/progress",
    status_code=201,
    response_model=ReportRead,
    responses=CONFLICT,
)
async def report_progress(
    subitem_id: str, body: ProgressCreate, ctx: Ctx, who: Reporter
) -> ReportRead:
    """Report one period's progress: percent complete, funds disbursed, problems (调度)."""
    with blame("percent_complete"):
        check_report_values(body.percent_complete, Decimal(0))
    with blame("invested_to_date_wan"):
        check_wan(body.invested_to_date_wan, what="累计完成投资")
    with blame("period"):
        _, report = await lifecycle.report_progress(
            ctx,
            subitem_id,
            period=body.period,
            percent_complete=body.percent_complete,
            invested_to_date_wan=body.invested_to_date_wan,
            note=body.note,
            by=actor(who),
            unit=acting_unit(who),
        )
    return ReportRead.of(report)


@router.post(
    "/subitems/{subitem_id}/evaluations",
    status_code=201,
    response_model=EvaluationRead,
    responses=CONFLICT,
)
async def evaluate(
    subitem_id: str, body: EvaluationCreate, ctx: Ctx, who: Planner
) -> EvaluationRead:
    """Record the annual performance evaluation (绩效评价) of a finished sub-item."""
    results = [IndicatorResult(r.name, r.target, r.actual, r.met) for r in body.indicator_results]
    with blame("score"):
        check_score(body.score)
    with blame("year"):
        _, ev = await lifecycle.evaluate(
            ctx,
            subitem_id,
            year=body.year,
            score=body.score,
            indicator_results=results,
            note=body.note,
            by=actor(who),
        )
    return EvaluationRead.of(ev)


class DispatchRead(BaseModel):
    """What a dispatch check found and announced."""

    checked: int
    reports_overdue: int
    milestones_slipped: int
    busy: int


@router.post("/dispatch/check", response_model=DispatchRead)
async def check_dispatch(ctx: Ctx, _: Planner) -> DispatchRead:
    """Run the dispatch check now (it also runs periodically): overdue reports, slips."""
    s = await dispatch.check_dispatch(ctx)
    return DispatchRead(
        checked=s.checked,
        reports_overdue=s.reports_overdue,
        milestones_slipped=s.milestones_slipped,
        busy=s.busy,
    )
