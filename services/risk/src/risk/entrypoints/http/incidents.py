"""/v1/incidents: 突发环境事件 (获知 → 初报 → 续报 → 处理结果报告), grading, neighbours."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response, status
from pydantic import AwareDatetime, BaseModel, Field

from risk.domain.incidents import Incident
from risk.entrypoints.http.common import (
    AUTH,
    ERRORS,
    MALFORMED,
    Filer,
    Manager,
    Offset,
    Reader,
    Services,
    who,
)
from risk.entrypoints.http.schemas_incidents import FactsIn
from risk.entrypoints.http.schemas_registry import Location
from risk.service_layer import incidents as uc
from risk.service_layer.parsing import location

router = APIRouter(prefix="/v1/incidents", tags=["incidents 突发环境事件"], responses=AUTH)


class IncidentCreate(BaseModel):
    """What is known first; `grade` is preliminary (I–IV, Ⅰ–Ⅳ or 一般…特别重大)."""

    title: str = Field(min_length=1)
    occurred_at: AwareDatetime
    learned_at: AwareDatetime | None = None
    grade: str | None = Field(default=None, examples=["IV"])
    media: list[Literal["air", "water", "soil"]] = Field(default_factory=list)
    location: Location | None = None
    river: str | None = None
    drinking_water: bool = False
    heavy_metals: bool = False
    idempotency_key: str | None = Field(default=None, max_length=200)
    facts: FactsIn | None = Field(
        default=None, description="分级事实：级别由事实计算，填写的级别只能更高"
    )


class ReportIn(BaseModel):
    """初报/续报/处理结果报告 (or initial/follow_up/result)."""

    kind: str = Field(examples=["初报"])
    content: str = ""
    reported_at: AwareDatetime | None = None


class GradeIn(BaseModel):
    """定级: never below what the facts reach; above it only with a reason."""

    grade: str = Field(examples=["III"])
    reason: str = Field(default="", max_length=2000)


class ReportRead(BaseModel):
    """One submitted report."""

    kind: str
    at: datetime


class IncidentRead(BaseModel):
    """An incident and its reporting clock."""

    id: str
    title: str
    status: str
    grade: str | None
    grade_label: str | None
    graded: bool
    reporting_grade: str
    report_by: datetime
    report_overdue: bool
    occurred_at: datetime
    learned_at: datetime
    media: list[str]
    location: Location | None
    river: str | None
    drinking_water: bool
    heavy_metals: bool
    reports: list[ReportRead]
    cross_boundary_neighbours: list[str]
    neighbours_pending: list[str]
    facts: FactsIn
    facts_grade: str
    criteria: list[str]
    procedure_triggers: list[str]
    grading_version: int
    grade_reason: str | None


def read_incident(i: Incident) -> IncidentRead:
    """The response body of an incident."""
    return IncidentRead(
        id=i.incident_id,
        title=i.title,
        status=i.status.value,
        grade=i.grade.value if i.grade else None,
        grade_label=i.grade.label if i.grade else None,
        graded=i.graded,
        reporting_grade=i.reporting_grade.value,
        report_by=i.report_by,
        report_overdue=i.overdue_reported,
        occurred_at=i.occurred_at,
        learned_at=i.learned_at,
        media=sorted(m.value for m in i.media),
        location=Location(lon=i.location.lon, lat=i.location.lat) if i.location else None,
        river=i.river,
        drinking_water=i.drinking_water,
        heavy_metals=i.heavy_metals,
        reports=[ReportRead(kind=k.value, at=at) for k, at in i.reports],
        cross_boundary_neighbours=list(i.neighbours_to_notify),
        neighbours_pending=list(i.neighbours_pending),
        facts=FactsIn.of(i.facts),
        facts_grade=i.facts_grade.value,
        criteria=list(i.criteria),
        procedure_triggers=[] if i.graded else list(i.triggers),
        grading_version=i.grading_version,
        grade_reason=i.grade_reason,
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=IncidentRead,
    responses={200: {"model": IncidentRead, "description": "已登记 / same idempotency_key"}}
    | ERRORS
    | MALFORMED,
)
async def register(
    body: IncidentCreate, deps: Services, user: Filer, response: Response
) -> IncidentRead:
    """Record an incident; the 初报 deadline (4 h / 2 h) starts at `learned_at`."""
    cmd = uc.IncidentIn(
        title=body.title,
        occurred_at=body.occurred_at,
        learned_at=body.learned_at,
        grade=body.grade,
        media=body.media,
        location=location(body.location.lon, body.location.lat) if body.location else None,
        river=body.river,
        drinking_water=body.drinking_water,
        heavy_metals=body.heavy_metals,
        idempotency_key=body.idempotency_key,
        facts=body.facts.to_domain() if body.facts else None,
    )
    incident, created = await uc.register_incident(deps, cmd, who(user))
    if not created:
        response.status_code = status.HTTP_200_OK
    return read_incident(incident)


@router.get("", response_model=list[IncidentRead])
async def list_incidents(
    deps: Services,
    _: Reader,
    open_only: bool = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Offset = 0,
) -> list[IncidentRead]:
    """Incidents, oldest first."""
    page = await uc.list_incidents(deps, open_only=open_only, limit=limit, offset=offset)
    return [read_incident(i) for i in page.items]


@router.get("/{incident_id}", response_model=IncidentRead, responses=ERRORS)
async def get(incident_id: str, deps: Services, _: Reader) -> IncidentRead:
    """One incident."""
    return read_incident(await uc.get_incident(deps, incident_id))


@router.post("/{incident_id}/reports", response_model=IncidentRead, responses=ERRORS | MALFORMED)
async def report(incident_id: str, body: ReportIn, deps: Services, user: Filer) -> IncidentRead:
    """Submit 初报, 续报 or 处理结果报告, in that order (409 otherwise)."""
    i = await uc.file_report(
        deps, incident_id, body.kind, body.content, body.reported_at, who(user)
    )
    return read_incident(i)


@router.post("/{incident_id}/grade", response_model=IncidentRead, responses=ERRORS | MALFORMED)
async def grade(incident_id: str, body: GradeIn, deps: Services, user: Manager) -> IncidentRead:
    """Formal grading (定级); from then on the grade decides the procedure. A grade below what
    the facts reach is refused; one above it needs a `reason`."""
    i = await uc.grade_incident(deps, incident_id, body.grade, who(user), body.reason)
    return read_incident(i)


@router.put("/{incident_id}/facts", response_model=IncidentRead, responses=ERRORS | MALFORMED)
async def facts(incident_id: str, body: FactsIn, deps: Services, user: Filer) -> IncidentRead:
    """The facts as now known (续报): graded again; a change is `IncidentRegraded`."""
    return read_incident(await uc.update_facts(deps, incident_id, body.to_domain(), who(user)))


@router.post(
    "/{incident_id}/neighbours/{neighbour}/notified", response_model=IncidentRead, responses=ERRORS
)
async def neighbour_notified(
    incident_id: str, neighbour: str, deps: Services, user: Filer
) -> IncidentRead:
    """The downstream district (e.g. 武隆区 for 大溪河) has been told."""
    i = await uc.record_neighbour_notified(deps, incident_id, neighbour, who(user))
    return read_incident(i)
