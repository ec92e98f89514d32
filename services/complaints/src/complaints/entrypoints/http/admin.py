"""Administrator data: versioned deadline policies and the working-day override table."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Path, Request

from complaints.adapters.config_store import rule_key
from complaints.adapters.documents import POLICY_LIMITS, duration_from, policy_doc
from complaints.domain.errors import RuleViolation
from complaints.domain.policy import DeadlinePolicy
from complaints.entrypoints.http.complaints import ctx_of
from complaints.entrypoints.http.errors import ERRORS, MALFORMED
from complaints.entrypoints.http.schemas import CalendarDayIn, PolicyIn
from qingshan_core.auth import Principal, require_roles
from qingshan_core.auth import Role as R

router = APIRouter(prefix="/v1/admin", tags=["admin 配置"], responses=ERRORS)
ADMIN = require_roles(R.ADMIN)
READ = require_roles(R.ADMIN, R.SUPERVISOR)


@router.get("/policies", summary="时限规则 / deadline policies in force")
async def policies(request: Request, p: Principal = Depends(READ)) -> list[dict[str, Any]]:
    """Every rule of the effective table (defaults plus administrators' versions)."""
    table = ctx_of(request).policies.table
    return [
        {
            "key": rule_key(*r.key),
            "channel": r.channel,
            "category": r.category,
            "urgency": r.urgency,
            "policy": policy_doc(r.policy),
        }
        for r in table.rules
    ]


@router.put("/policies", summary="修改时限规则 / store a new policy version", responses=MALFORMED)
async def put_policy(
    body: PolicyIn, request: Request, p: Principal = Depends(ADMIN)
) -> dict[str, Any]:
    """New cases use it at once; cases already open keep the version they started under."""
    missing = [k for k in POLICY_LIMITS if k not in body.limits]
    if missing:
        raise RuleViolation("limits_incomplete", f"missing limits: {', '.join(missing)}")
    try:
        limits = {k: duration_from(body.limits[k]) for k in POLICY_LIMITS}
    except (KeyError, ValueError, TypeError) as exc:
        raise RuleViolation("limits_invalid", f"bad limit: {exc}") from exc
    policy = DeadlinePolicy(body.id, 1, **limits)
    stored = await ctx_of(request).policies.put(
        body.channel, body.category, body.urgency, policy, p.subject
    )
    return {"key": rule_key(body.channel, body.category, body.urgency), **policy_doc(stored)}


@router.get("/calendar", summary="工作日历 / overrides and stale years")
async def calendar(request: Request, p: Principal = Depends(READ)) -> dict[str, Any]:
    """The override table, the years the package covers, and the years answered by guesswork."""
    store = ctx_of(request).calendars
    cal = store.calendar
    return {
        "data_years": list(cal.data_years),
        "stale_years": sorted(cal.stale_years),
        "overrides": [
            {"date": d["_id"], "workday": d["workday"], "note": d.get("note", "")}
            for d in await store.list_days()
        ],
    }


@router.put("/calendar/{day}", summary="设置调休/节假日 / set one day", responses=MALFORMED)
async def set_day(
    body: CalendarDayIn, request: Request, day: date = Path(), p: Principal = Depends(ADMIN)
) -> dict[str, Any]:
    """Mark a date as working day or day off (wins over the package)."""
    await ctx_of(request).calendars.set_day(day, body.workday, body.note, p.subject)
    return {"date": day, "workday": body.workday}


@router.post("/calendar/years/{year}/confirm", summary="确认年度日历 / year fully entered")
async def confirm_year(
    request: Request, year: int = Path(ge=2000, le=2100), p: Principal = Depends(ADMIN)
) -> dict[str, Any]:
    """The override table now holds the whole State Council notice for `year`."""
    await ctx_of(request).calendars.confirm_year(year, p.subject)
    return {"year": year, "confirmed": True}
