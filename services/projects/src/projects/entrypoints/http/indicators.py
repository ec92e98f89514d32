"""The plan's indicator ledger (约束性指标台账, 专栏2): standing by year, values, later targets."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel

from projects.domain.indicator_ledger import IndicatorStatus
from projects.domain.indicators import Indicator
from projects.entrypoints.http.deps import PLANNERS, actor, context
from projects.entrypoints.http.errors import ERRORS, MALFORMED, NOT_FOUND, blame
from projects.entrypoints.http.requests import IndicatorTargetCreate, IndicatorValueCreate
from projects.entrypoints.http.schemas import money
from projects.service_layer import indicators
from projects.service_layer.context import Context
from qingshan_core.auth import Principal, Staff, require_roles

router = APIRouter(prefix="/v1", tags=["indicators 指标台账"], responses=ERRORS)
Ctx = Annotated[Context, Depends(context)]
Planner = Annotated[Principal, Depends(require_roles(*PLANNERS))]
No = Annotated[int, Path(ge=1, le=999, description="指标序号")]

_STATUS_ZH = {
    "met": "达标",
    "not_met": "未达标",
    "no_data": "未填报",
    "target_pending": "目标待下达",
}


class IndicatorRead(BaseModel):
    """An indicator and its standing in one year."""

    no: int
    category: str
    name: str
    unit: str
    kind: str
    kind_zh: str
    baseline_2020: str
    target_2025: str
    direction: str
    direction_basis: str
    note: str
    year: int
    value: str | None
    target: str | None
    status: str
    status_zh: str

    @classmethod
    def of(cls, ind: Indicator, s: IndicatorStatus) -> IndicatorRead:
        return cls(
            no=ind.no,
            category=ind.category,
            name=ind.name,
            unit=ind.unit,
            kind=ind.kind.value,
            kind_zh=ind.kind.zh,
            baseline_2020=ind.baseline.text,
            target_2025=ind.target.text,
            direction=ind.direction.value,
            direction_basis=ind.direction_basis,
            note=ind.note,
            year=s.year,
            value=None if s.value is None else money(s.value),
            target=None if s.target is None else money(s.target),
            status=s.status.value,
            status_zh=_STATUS_ZH[s.status.value],
        )


class LedgerLine(BaseModel):
    """One line of an indicator's history."""

    at: datetime
    by: str
    action: str
    year: int | None
    before: str
    after: str


class IndicatorDetail(BaseModel):
    """An indicator, its standing in every year with a value, and its history."""

    indicator: IndicatorRead
    years: list[IndicatorRead]
    history: list[LedgerLine]


@router.get("/indicators", response_model=list[IndicatorRead])
async def list_indicators(
    ctx: Ctx,
    _: Staff,
    year: Annotated[int | None, Query(ge=2000, le=2099, description="默认为今年")] = None,
) -> list[IndicatorRead]:
    """Every plan indicator and its standing (met/not met/no data/target pending) in a year."""
    views = (await indicators.statuses(ctx, year))[1]
    return [IndicatorRead.of(v.indicator, v.status) for v in views]


@router.get("/indicators/{no}", response_model=IndicatorDetail, responses=NOT_FOUND)
async def get_indicator(no: No, ctx: Ctx, _: Staff) -> IndicatorDetail:
    """One indicator with its yearly values and history."""
    ind, years, history = await indicators.history(ctx, no)
    views = (await indicators.statuses(ctx))[1]
    current = next(v.status for v in views if v.indicator.no == no)
    return IndicatorDetail(
        indicator=IndicatorRead.of(ind, current),
        years=[IndicatorRead.of(ind, s) for s in years],
        history=[
            LedgerLine(
                at=h.at, by=h.by, action=h.action, year=h.year, before=h.before, after=h.after
            )
            for h in history
        ],
    )


@router.post(
    "/indicators/{no}/values",
    status_code=201,
    response_model=IndicatorRead,
    responses=NOT_FOUND | MALFORMED,
)
async def record_value(no: No, body: IndicatorValueCreate, ctx: Ctx, who: Planner) -> IndicatorRead:
    """Enter (or correct) a year's value; a binding indicator going off track is announced."""
    with blame("value"):
        status = await indicators.record_value(
            ctx, no, body.year, body.value, note=body.note, by=actor(who)
        )
    ind = (await indicators.history(ctx, no))[0]
    return IndicatorRead.of(ind, status)


@router.post(
    "/indicators/{no}/targets", response_model=IndicatorDetail, responses=NOT_FOUND | MALFORMED
)
async def set_target(
    no: No, body: IndicatorTargetCreate, ctx: Ctx, who: Planner
) -> IndicatorDetail:
    """Set a target handed down later (由市级下达), for one year or every year."""
    with blame("target"):
        await indicators.set_target(ctx, no, body.target, year=body.year, by=actor(who))
    return await get_indicator(no, ctx, who)
