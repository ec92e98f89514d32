"""/v1/emergency-plans: 应急预案 signing, filing (备案) within 20 working days, 3-year review."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, status
from pydantic import AwareDatetime, BaseModel, Field

from risk.domain.emergency_plans import EmergencyPlan
from risk.entrypoints.http.common import (
    AUTH,
    ERRORS,
    MALFORMED,
    Manager,
    Offset,
    Reader,
    Services,
    who,
)
from risk.service_layer import plans as uc

router = APIRouter(prefix="/v1/emergency-plans", tags=["plans 应急预案"], responses=AUTH)


class PlanCreate(BaseModel):
    """A signed and published plan of a registered enterprise."""

    credit_code: str
    title: str = Field(min_length=1)
    signed_at: AwareDatetime


class FilingIn(BaseModel):
    """备案 with the county bureau."""

    filing_number: str = Field(min_length=1)
    filed_at: AwareDatetime | None = None


class ReviewIn(BaseModel):
    """回顾性评估."""

    reviewed_at: AwareDatetime | None = None


class PlanRead(BaseModel):
    """A plan and its deadlines."""

    id: str
    credit_code: str
    title: str
    status: str
    status_zh: str
    signed_at: datetime
    file_by: datetime
    filing_number: str | None
    filed_at: datetime | None
    filed_late: bool | None
    review_by: datetime | None
    last_reviewed_at: datetime | None
    notices_sent: list[str]


def read_plan(p: EmergencyPlan) -> PlanRead:
    """The response body of a plan."""
    return PlanRead(
        id=p.plan_id,
        credit_code=p.enterprise.value,
        title=p.title,
        status=p.status.name.lower(),
        status_zh=p.status.value,
        signed_at=p.signed_at,
        file_by=p.file_by,
        filing_number=p.filing_number,
        filed_at=p.filed_at,
        filed_late=None if p.filed_at is None else p.filed_at > p.file_by,
        review_by=p.review_by,
        last_reviewed_at=p.last_reviewed_at,
        notices_sent=sorted(p.notices_sent),
    )


@router.post(
    "", status_code=status.HTTP_201_CREATED, response_model=PlanRead, responses=ERRORS | MALFORMED
)
async def register(body: PlanCreate, deps: Services, user: Manager) -> PlanRead:
    """Register a signed plan; it must be filed within 20 working days."""
    plan = await uc.register_plan(deps, body.credit_code, body.title, body.signed_at, who(user))
    return read_plan(plan)


@router.get("", response_model=list[PlanRead])
async def list_plans(
    deps: Services,
    _: Reader,
    credit_code: str | None = None,
    status_filter: Annotated[
        Literal["pending_filing", "filed", "superseded"] | None, Query(alias="status")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Offset = 0,
) -> list[PlanRead]:
    """Plans by enterprise or status."""
    page = await uc.list_plans(deps, credit_code, status_filter, limit, offset)
    return [read_plan(p) for p in page.items]


@router.get("/{plan_id}", response_model=PlanRead, responses=ERRORS)
async def get(plan_id: str, deps: Services, _: Reader) -> PlanRead:
    """One plan."""
    return read_plan(await uc.get_plan(deps, plan_id))


@router.post("/{plan_id}/filing", response_model=PlanRead, responses=ERRORS | MALFORMED)
async def file(plan_id: str, body: FilingIn, deps: Services, user: Manager) -> PlanRead:
    """备案 (late filing is recorded and flagged, not refused)."""
    plan = await uc.file_plan(deps, plan_id, body.filing_number, body.filed_at, who(user))
    return read_plan(plan)


@router.post("/{plan_id}/review", response_model=PlanRead, responses=ERRORS | MALFORMED)
async def review(plan_id: str, body: ReviewIn, deps: Services, user: Manager) -> PlanRead:
    """回顾性评估 done; the next is due 3 years later."""
    return read_plan(await uc.review_plan(deps, plan_id, body.reviewed_at, who(user)))


@router.post("/{plan_id}/supersession", response_model=PlanRead, responses=ERRORS)
async def supersede(plan_id: str, deps: Services, user: Manager) -> PlanRead:
    """Replaced by a revised plan."""
    return read_plan(await uc.supersede_plan(deps, plan_id, who(user)))
