"""Sub-items: listing, the whole record, lifecycle moves (gates, returns, 出库/入库, milestones)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from projects.domain.errors import InvalidValue
from projects.domain.stages import (
    GateEvidence,
    InvalidSkip,
    MissingEvidence,
    StageSkip,
    parse_stage,
)
from projects.entrypoints.http.deps import PLANNERS, actor, context
from projects.entrypoints.http.errors import (
    ERRORS,
    MALFORMED,
    NOT_FOUND,
    FieldError,
    blame,
    conflict,
)
from projects.entrypoints.http.requests import (
    AdvanceRequest,
    MilestoneRequest,
    ReasonRequest,
    ReturnRequest,
)
from projects.entrypoints.http.schemas import SubItemDetail, SubItemPage, SubItemRead
from projects.service_layer import lifecycle, queries
from projects.service_layer.context import Context
from projects.service_layer.ports import SubItemFilter
from qingshan_core.auth import Principal, Staff, require_roles

router = APIRouter(prefix="/v1", tags=["sub-items 子项"], responses=ERRORS)
Ctx = Annotated[Context, Depends(context)]
Planner = Annotated[Principal, Depends(require_roles(*PLANNERS))]
CONFLICT = (
    conflict("不允许的阶段变更，附当前阶段 / not allowed; carries the current stage")
    | NOT_FOUND
    | MALFORMED
)


@router.get("/subitems", response_model=SubItemPage)
async def list_subitems(
    ctx: Ctx,
    _: Staff,
    field: Annotated[str | None, Query(description="领域代码 F1–F6")] = None,
    project_id: str | None = None,
    lead_unit: Annotated[str | None, Query(description="牵头单位, e.g. 区生态环境局")] = None,
    stage: Annotated[str | None, Query(description="成熟度阶段 code or 中文")] = None,
    year: Annotated[int | None, Query(ge=2000, le=2099, description="实施年度含该年")] = None,
    source_class: Annotated[str | None, Query(pattern="^(district_confirmed|planned)$")] = None,
    include_withdrawn: bool = False,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> SubItemPage:
    """List sub-items in 序号 order, filtered."""
    with blame("stage"):
        stage_code = parse_stage(stage).value if stage else None
    flt = SubItemFilter(
        field_code=field,
        project_id=project_id,
        lead_unit=lead_unit,
        stage=stage_code,
        year=year,
        source_class=source_class,
        include_withdrawn=include_withdrawn,
    )
    rows, total = await queries.list_subitems(ctx, flt, limit=limit, offset=offset)
    return SubItemPage(
        items=[SubItemRead.of(r) for r in rows], total=total, limit=limit, offset=offset
    )


@router.get("/subitems/{subitem_id}", response_model=SubItemDetail, responses=NOT_FOUND)
async def get_subitem(subitem_id: str, ctx: Ctx, _: Staff) -> SubItemDetail:
    """One sub-item with its history, adjustments, reports, milestones and evaluations."""
    item, version = await queries.get_subitem(ctx, subitem_id)
    return SubItemDetail.of_item(item, version)


@router.get("/projects/{project_id}", response_model=list[SubItemRead], responses=NOT_FOUND)
async def get_project(
    project_id: str, ctx: Ctx, _: Staff, include_withdrawn: bool = False
) -> list[SubItemRead]:
    """The sub-items of one project (项目) in 序号 order."""
    view = await queries.get_project(ctx, project_id, include_withdrawn=include_withdrawn)
    return [SubItemRead.of(r) for r in view.rows]


async def _detail(ctx: Context, subitem_id: str) -> SubItemDetail:
    item, version = await queries.get_subitem(ctx, subitem_id)
    return SubItemDetail.of_item(item, version)


@router.post("/subitems/{subitem_id}/advance", response_model=SubItemDetail, responses=CONFLICT)
async def advance(subitem_id: str, body: AdvanceRequest, ctx: Ctx, who: Planner) -> SubItemDetail:
    """Pass the next gate (储备→可研→初设→招投标→实施→完工→验收→绩效评价) with its evidence."""
    with blame("to_stage"):
        target = parse_stage(body.to_stage)
    with blame("skip"):
        skips = tuple(StageSkip(parse_stage(s.stage), s.reason, s.document_no) for s in body.skip)
    evidence = GateEvidence(body.on, body.document_no, body.note)
    try:
        await lifecycle.advance(ctx, subitem_id, target, evidence, by=actor(who), skips=skips)
    except InvalidSkip as err:
        raise FieldError("skip", err.zh, err.en) from err
    except MissingEvidence as err:
        raise FieldError("document_no", err.zh, err.en) from err
    except InvalidValue as err:
        raise FieldError("on", err.zh, err.en) from err
    return await _detail(ctx, subitem_id)


@router.post("/subitems/{subitem_id}/return", response_model=SubItemDetail, responses=CONFLICT)
async def return_stage(
    subitem_id: str, body: ReturnRequest, ctx: Ctx, who: Planner
) -> SubItemDetail:
    """Go back one documented step (可研→储备, 完工→实施) with a reason."""
    with blame("to_stage"):
        target = parse_stage(body.to_stage)
    with blame("reason"):
        await lifecycle.return_to(
            ctx, subitem_id, target, reason=body.reason, on=body.on, by=actor(who)
        )
    return await _detail(ctx, subitem_id)


@router.post("/subitems/{subitem_id}/withdraw", response_model=SubItemDetail, responses=CONFLICT)
async def withdraw(subitem_id: str, body: ReasonRequest, ctx: Ctx, who: Planner) -> SubItemDetail:
    """Take the sub-item out of the reserve (出库); it is kept, not deleted."""
    with blame("reason"):
        await lifecycle.withdraw(ctx, subitem_id, reason=body.reason, by=actor(who))
    return await _detail(ctx, subitem_id)


@router.post("/subitems/{subitem_id}/reinstate", response_model=SubItemDetail, responses=CONFLICT)
async def reinstate(subitem_id: str, body: ReasonRequest, ctx: Ctx, who: Planner) -> SubItemDetail:
    """Put a withdrawn sub-item back into the reserve (重新入库)."""
    with blame("reason"):
        await lifecycle.reinstate(ctx, subitem_id, reason=body.reason, by=actor(who))
    return await _detail(ctx, subitem_id)


@router.post("/subitems/{subitem_id}/milestones", response_model=SubItemDetail, responses=CONFLICT)
async def plan_milestone(
    subitem_id: str, body: MilestoneRequest, ctx: Ctx, who: Planner
) -> SubItemDetail:
    """Plan the date by which a later stage should be reached (checked by the dispatch job)."""
    with blame("stage"):
        stage = parse_stage(body.stage)
    with blame("due"):
        await lifecycle.plan_milestone(ctx, subitem_id, stage, body.due, by=actor(who))
    return await _detail(ctx, subitem_id)
