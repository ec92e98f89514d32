"""交办率 / 按时回复率 and the 问题清单 (cases past or near a deadline)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from fastapi import APIRouter, Depends, Query, Request

from complaints.domain.errors import RuleViolation
from complaints.domain.rates import Period, Rate, Reading
from complaints.entrypoints.http.complaints import ctx_of
from complaints.entrypoints.http.errors import ERRORS
from complaints.entrypoints.http.responses import (
    BureauSupervisions,
    Escalations,
    RateOut,
    RatesOut,
)
from complaints.entrypoints.http.units import registered_unit
from complaints.entrypoints.http.views import actor_of
from complaints.service_layer.queries import IssueLine, issue_list
from complaints.service_layer.rates import compute
from qingshan_core.auth import STAFF, Principal, require_roles
from qingshan_core.auth import Role as R
from qingshan_core.workdays import SHANGHAI

router = APIRouter(
    prefix="/v1/metrics",
    tags=["metrics 考核指标"],
    responses=ERRORS,
    dependencies=[Depends(registered_unit)],
)
# Cases exist from 2000 on; far dates also overflow the instants the period is turned into.
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2100, 12, 31)


def _rate(r: Rate) -> RateOut:
    return RateOut(
        numerator=r.numerator,
        denominator=r.denominator,
        pending=r.pending,
        percent=None if r.percent is None else str(r.percent),
    )


def _unit_scope(p: Principal, unit_id: str | None) -> str | None:
    return p.unit if p.role is R.UNIT_HANDLER else unit_id


@router.get("/rates", summary="交办率与按时回复率 / assignment and on-time reply rates")
async def rates(
    request: Request,
    from_: date = Query(alias="from", description="first day (local), inclusive"),
    to: date = Query(description="last day (local), inclusive"),
    unit_id: str | None = Query(default=None, max_length=64),
    reading: Reading = Query(
        default=Reading.DEFINED,
        description="defined: docs/rates.md (交办率 over every case received); "
        "so_far: only cases already due (those still inside their limit left out)",
    ),
    p: Principal = Depends(require_roles(*STAFF)),
) -> RatesOut:
    """Exactly docs/rates.md's definitions (services/complaints/README.md); cases still inside
    their limit are reported as pending, and 返工按时回复率 counts each rework round."""
    if to < from_:
        raise RuleViolation("period_invalid", "to must not be before from")
    if from_ < FIRST_DAY or to > LAST_DAY:
        raise RuleViolation("period_invalid", f"the period must lie in {FIRST_DAY}..{LAST_DAY}")
    ctx = ctx_of(request)
    period = Period(
        datetime.combine(from_, time(), SHANGHAI),
        datetime.combine(to + timedelta(days=1), time(), SHANGHAI),
    )
    result = await compute(ctx, period, _unit_scope(p, unit_id), ctx.clock(), reading)
    esc = result.escalations
    return RatesOut(
        from_=from_,
        to=to,
        unit_id=result.unit_id,
        target_percent=f"{ctx.rate_target * 100:.2f}",
        assignment_rate=_rate(result.assignment),
        on_time_reply_rate=_rate(result.on_time_reply),
        rework_reply_rate=_rate(result.rework_reply),
        reading=result.reading.value,
        platform_escalations=Escalations(
            cases=esc.cases,
            urged_cases=esc.urged_cases,
            urges=esc.urges,
            supervisions=esc.supervisions,
        ),
        bureau_supervisions=BureauSupervisions(
            cases=esc.cases,
            supervised_cases=esc.bureau_supervised_cases,
            supervisions=esc.bureau_supervisions,
        ),
    )


@router.get("/issue-list", summary="问题清单 / open cases past or near a deadline")
async def issues(
    request: Request,
    unit_id: str | None = Query(default=None, max_length=64),
    within_hours: int = Query(default=24, ge=0, le=24 * 60),
    p: Principal = Depends(require_roles(*STAFF)),
) -> list[IssueLine]:
    """Overdue first, then by the nearest deadline; `supervisable` says whether the caller may
    issue 督办 (bureau-supervise) on the case now."""
    ctx = ctx_of(request)
    scope, within = _unit_scope(p, unit_id), timedelta(hours=within_hours)
    return await issue_list(ctx, scope, within, actor=actor_of(p))
