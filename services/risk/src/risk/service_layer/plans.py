"""Use cases of 应急预案: register a signed plan, file it (备案), review, supersede."""

from __future__ import annotations

import uuid
from datetime import datetime

from risk.domain.emergency_plans import EmergencyPlan
from risk.domain.errors import ValidationError
from risk.service_layer.calendar_alerts import note_stale_calendar
from risk.service_layer.context import Deps
from risk.service_layer.errors import not_found
from risk.service_layer.parsing import credit_code, past_or_now
from risk.service_layer.ports import Loaded, Page, Query


async def register_plan(
    deps: Deps, code: str, title: str, signed_at: datetime, by: str | None
) -> EmergencyPlan:
    """A signed plan of a registered enterprise; the 20-working-day filing clock starts."""
    parsed = credit_code(code)
    known = await deps.enterprises.find(Query(where={"credit_code": parsed.value}, limit=1))
    if not known.items:
        raise ValidationError(
            "credit_code",
            "该统一社会信用代码的企业尚未登记",
            "no registered enterprise has this code",
        )
    plan = EmergencyPlan.register(
        plan_id=f"plan-{uuid.uuid4().hex[:20]}",
        enterprise=parsed,
        title=title,
        signed_at=past_or_now("signed_at", signed_at, deps.clock()),
        working_day_deadline=deps.deadline,
        rules=deps.rules.plans,
        by=by,
    )
    await deps.plans.add(plan.plan_id, plan)
    await note_stale_calendar(deps)
    return plan


async def _load(deps: Deps, plan_id: str) -> Loaded[EmergencyPlan]:
    loaded = await deps.plans.get(plan_id)
    if loaded is None:
        raise not_found("应急预案", "emergency plan", plan_id)
    return loaded


async def get_plan(deps: Deps, plan_id: str) -> EmergencyPlan:
    """One plan."""
    return (await _load(deps, plan_id)).aggregate


async def file_plan(
    deps: Deps, plan_id: str, filing_number: str, filed_at: datetime | None, by: str | None
) -> EmergencyPlan:
    """备案; late filing is recorded (and flagged), not refused."""
    loaded = await _load(deps, plan_id)
    when = past_or_now("filed_at", filed_at, deps.clock())
    loaded.aggregate.file(filing_number, when, deps.rules.plans, by)
    await deps.plans.save(plan_id, loaded)
    return loaded.aggregate


async def review_plan(
    deps: Deps, plan_id: str, reviewed_at: datetime | None, by: str | None
) -> EmergencyPlan:
    """回顾性评估 done; the next review is due 3 years later."""
    loaded = await _load(deps, plan_id)
    when = past_or_now("reviewed_at", reviewed_at, deps.clock())
    loaded.aggregate.record_review(when, deps.rules.plans, by)
    await deps.plans.save(plan_id, loaded)
    return loaded.aggregate


async def supersede_plan(deps: Deps, plan_id: str, by: str | None) -> EmergencyPlan:
    """Replaced by a revised plan; its deadlines stop."""
    loaded = await _load(deps, plan_id)
    loaded.aggregate.supersede(deps.clock(), by)
    await deps.plans.save(plan_id, loaded)
    return loaded.aggregate


async def list_plans(
    deps: Deps,
    credit_code_filter: str | None = None,
    status: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> Page[EmergencyPlan]:
    """Plans, by enterprise or status (pending_filing|filed|superseded)."""
    where = {"credit_code": credit_code_filter, "status": status}
    return await deps.plans.find(Query(where=where, limit=limit, offset=offset))
