"""/v1/risk-sources, /v1/park-clusters, /v1/grading-rules: the registry and HJ 941 grading."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status
from pydantic import BaseModel

from risk.domain.grading_rules import PROVENANCE
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
from risk.entrypoints.http.schemas_registry import (
    GradingCreate,
    RiskSourceCreate,
    RiskSourceList,
    RiskSourceRead,
    RiskSourceUpdate,
    read_source,
)
from risk.service_layer import registry
from risk.service_layer.parsing import location

router = APIRouter(prefix="/v1", tags=["registry 风险源"], responses=AUTH)


class ParkClusterRead(BaseModel):
    """One industrial park cluster (组团) and its risk level."""

    name: str
    main_industries: list[str]
    risk_level: str
    risk_level_en: str


@router.post(
    "/risk-sources",
    status_code=status.HTTP_201_CREATED,
    response_model=RiskSourceRead,
    responses=ERRORS | MALFORMED,
)
async def register_source(body: RiskSourceCreate, deps: Services, user: Manager) -> RiskSourceRead:
    """Register an enterprise; the credit code is checked (GB 32100)."""
    reg = registry.Registration(
        name=body.name,
        credit_code=body.credit_code,
        park_cluster=body.park_cluster,
        lists=tuple(body.lists),
        location=location(body.location.lon, body.location.lat) if body.location else None,
        address=body.address,
        industry=body.industry,
    )
    return read_source(await registry.register_enterprise(deps, reg, who(user)))


@router.get("/risk-sources", response_model=RiskSourceList, responses=ERRORS)
async def list_sources(
    deps: Services,
    _: Reader,
    level: str | None = None,
    park_cluster: str | None = None,
    list_name: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Offset = 0,
) -> RiskSourceList:
    """Risk sources by level (一般/较大/重大 or general/significant/major), cluster, list."""
    page = await registry.list_enterprises(
        deps,
        level=level,
        park_cluster=park_cluster,
        list_name=list_name,
        limit=limit,
        offset=offset,
    )
    return RiskSourceList(items=[read_source(e) for e in page.items], total=page.total)


@router.get("/risk-sources/{source_id}", response_model=RiskSourceRead, responses=ERRORS)
async def get_source(source_id: str, deps: Services, _: Reader) -> RiskSourceRead:
    """One risk source by id or credit code."""
    return read_source(await registry.get_enterprise(deps, source_id))


@router.patch(
    "/risk-sources/{source_id}", response_model=RiskSourceRead, responses=ERRORS | MALFORMED
)
async def update_source(
    source_id: str, body: RiskSourceUpdate, deps: Services, user: Manager
) -> RiskSourceRead:
    """Change profile fields (only those sent); a credit code is validated and unique."""
    changes: dict[str, object] = body.model_dump(exclude_unset=True)
    if "location" in changes:
        loc = body.location
        changes["location"] = location(loc.lon, loc.lat) if loc else None
    enterprise = await registry.update_enterprise(deps, source_id, changes, who(user))
    return read_source(enterprise)


@router.post(
    "/risk-sources/{source_id}/grading", response_model=RiskSourceRead, responses=ERRORS | MALFORMED
)
async def grade_source(
    source_id: str, body: GradingCreate, deps: Services, user: Manager
) -> RiskSourceRead:
    """Grade under HJ 941-2018 and record the level and its label."""
    enterprise = await registry.grade_source(deps, source_id, body.spec(), who(user))
    return read_source(enterprise)


@router.get("/park-clusters", response_model=list[ParkClusterRead])
async def park_clusters(deps: Services, _: Reader) -> list[ParkClusterRead]:
    """The industrial park clusters and their environmental risk levels."""
    return [
        ParkClusterRead(
            name=c.name,
            main_industries=list(c.main_industries),
            risk_level=c.risk_level.value,
            risk_level_en=c.risk_level.english,
        )
        for c in await deps.clusters.all()
    ]


@router.get("/grading-rules")
async def grading_rules(_: Reader) -> dict[str, str]:
    """Where each HJ 941 number comes from (V verbatim, C corroborated, M unconfirmed)."""
    return dict(PROVENANCE)
