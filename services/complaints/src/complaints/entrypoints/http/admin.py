"""Administrator data: versioned deadline policies and the working-day override table."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Path, Request

from complaints.adapters.config_store import rule_key
from complaints.domain.errors import RuleViolation
from complaints.domain.policy import POLICY_LIMITS, DeadlinePolicy, Duration, TimeUnit
from complaints.entrypoints.http.complaints import ctx_of
from complaints.entrypoints.http.errors import ERRORS, MALFORMED
from complaints.entrypoints.http.responses import (
    CalendarDay,
    CalendarOut,
    DaySet,
    DurationOut,
    PolicyOut,
    PolicyRule,
    StoredPolicy,
    YearConfirmed,
)
from complaints.entrypoints.http.schemas import CalendarDayIn, PolicyIn
from qingshan_core.auth import Principal, require_roles
from qingshan_core.auth import Role as R

router = APIRouter(prefix="/v1/admin", tags=["admin 配置"], responses=ERRORS)
ADMIN = require_roles(R.ADMIN)
READ = require_roles(R.ADMIN, R.SUPERVISOR)


def _limits(p: DeadlinePolicy) -> dict[str, DurationOut]:
    return {
        k: DurationOut(amount=getattr(p, k).amount, unit=getattr(p, k).unit.value)
        for k in POLICY_LIMITS
    }


@router.get("/policies", summary="时限规则 / deadline policies in force")
async def policies(request: Request, p: Principal = Depends(READ)) -> list[PolicyRule]:
    """Every rule of the effective table (defaults plus administrators' versions)."""
    table = ctx_of(request).policies.table
    return [
        PolicyRule(
            key=rule_key(*r.key),
            channel=r.channel,
            category=r.category,
            urgency=r.urgency,
            policy=PolicyOut(id=r.policy.id, version=r.policy.version, **_limits(r.policy)),
        )
        for r in table.rules
    ]


@router.put("/policies", summary="修改时限规则 / store a new policy version", responses=MALFORMED)
async def put_policy(
    body: PolicyIn, request: Request, p: Principal = Depends(ADMIN)
) -> StoredPolicy:
    """New cases use it at once; cases already open keep the version they started under."""
    missing = [k for k in POLICY_LIMITS if k not in body.limits]
    if missing:
        raise RuleViolation("limits_incomplete", f"missing limits: {', '.join(missing)}")
    try:
        limits = {
            k: Duration(int(body.limits[k]["amount"]), TimeUnit(body.limits[k]["unit"]))
            for k in POLICY_LIMITS
        }
    except (KeyError, ValueError, TypeError) as exc:
        raise RuleViolation("limits_invalid", f"bad limit: {exc}") from exc
    policy = DeadlinePolicy(body.id, 1, **limits)
    stored = await ctx_of(request).policies.put(
        body.channel, body.category, body.urgency, policy, p.subject
    )
    key = rule_key(body.channel, body.category, body.urgency)
    return StoredPolicy(key=key, id=stored.id, version=stored.version, **_limits(stored))


@router.get("/calendar", summary="工作日历 / overrides and stale years")
async def calendar(request: Request, p: Principal = Depends(READ)) -> CalendarOut:
    """The override table, the years the package covers, and the years answered by guesswork."""
    store = ctx_of(request).calendars
    cal = store.calendar
    return CalendarOut(
        data_years=list(cal.data_years),
        stale_years=sorted(cal.stale_years),
        overrides=[
            CalendarDay(date=d["_id"], workday=d["workday"], note=d.get("note", ""))
            for d in await store.list_days()
        ],
    )


@router.put("/calendar/{day}", summary="设置调休/节假日 / set one day", responses=MALFORMED)
async def set_day(
    body: CalendarDayIn, request: Request, day: date = Path(), p: Principal = Depends(ADMIN)
) -> DaySet:
    """Mark a date as working day or day off (wins over the package)."""
    await ctx_of(request).calendars.set_day(day, body.workday, body.note, p.subject)
    return DaySet(date=day, workday=body.workday)


@router.post("/calendar/years/{year}/confirm", summary="确认年度日历 / year fully entered")
async def confirm_year(
    request: Request, year: int = Path(ge=2000, le=2100), p: Principal = Depends(ADMIN)
) -> YearConfirmed:
    """The override table now holds the whole State Council notice for `year`."""
    await ctx_of(request).calendars.confirm_year(year, p.subject)
    return YearConfirmed(year=year, confirmed=True)
