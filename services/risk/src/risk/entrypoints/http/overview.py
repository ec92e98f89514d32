"""/v1/indicators (plan indicators 11, 12), /v1/map.geojson (一张图), /v1/sweeps (run now)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, HTTPException
from fastapi.responses import JSONResponse
from pydantic import AwareDatetime, BaseModel

from qingshan_core.auth import Role
from qingshan_core.ratelimit import TOO_MANY
from risk.domain.indicators import IndicatorValue
from risk.entrypoints.http.common import AUTH, Admin, ErrorBody, MapViewer, Reader, Services
from risk.service_layer.indicators import compute_indicators, rate_text
from risk.service_layer.riskmap import parse_bbox, risk_map
from risk.service_layer.sweeps import sweep

router = APIRouter(prefix="/v1", tags=["overview 指标与一张图"], responses=AUTH)
ERRORS: dict[int | str, dict[str, Any]] = {422: {"model": ErrorBody}}


class IndicatorRead(BaseModel):
    """One indicator: exact tonnes, rate truncated (a miss never shows as 100%)."""

    number: int
    name_zh: str
    numerator_t: str
    denominator_t: str
    manifests: int
    rate: str | None
    percent: str | None
    target: str
    met: bool | None


def read_indicator(value: IndicatorValue) -> IndicatorRead:
    """The response body of an indicator."""
    percent = value.percent()
    return IndicatorRead(
        number=value.number,
        name_zh=value.name_zh,
        numerator_t=str(value.numerator_t),
        denominator_t=str(value.denominator_t),
        manifests=value.manifests,
        rate=rate_text(value),
        percent=None if percent is None else str(percent),
        target="1",
        met=value.met,
    )


@router.get("/indicators", response_model=list[IndicatorRead], responses=ERRORS)
async def indicators(
    start: AwareDatetime,
    end: AwareDatetime,
    deps: Services,
    _: Reader,
    as_of: AwareDatetime | None = None,
) -> list[IndicatorRead]:
    """危险废物安全处置率 (11) and 医疗废物集中无害化处置率 (12) for manifests shipped in
    [start, end); manifests still inside their confirmation window are not yet counted."""
    eleven, twelve = await compute_indicators(deps, start, end, as_of)
    return [read_indicator(eleven), read_indicator(twelve)]


@router.get(
    "/map.geojson",
    response_class=JSONResponse,
    responses={200: {"content": {"application/geo+json": {}}}, **ERRORS, **TOO_MANY},
)
async def map_geojson(
    deps: Services,
    viewer: MapViewer,
    level: str | None = None,
    cluster: str | None = None,
    type: Literal["source", "incident"] | None = None,
    bbox: str | None = None,
) -> JSONResponse:
    """The risk 一张图: RFC 7946 FeatureCollection of sources (with levels) and open incidents;
    `bbox=minLon,minLat,maxLon,maxLat`, `level`, `cluster`, `type` filter it. The public
    gets the public layer (counts per grid cell, no names, credit codes or positions), and
    only where the bureau has enabled it (QINGSHAN_RISK_PUBLIC_MAP_ENABLED); else 403."""
    public = viewer.role is Role.PUBLIC
    if public and not deps.public_map.enabled:
        raise HTTPException(403, "公众风险地图未开放 / the public risk map is not enabled")
    collection = await risk_map(
        deps, level=level, cluster=cluster, kind=type, bbox=parse_bbox(bbox), public=public
    )
    return JSONResponse(collection, media_type="application/geo+json")


class SweepRead(BaseModel):
    """What one sweep did."""

    checked: dict[str, int]
    events: dict[str, int]
    conflicts: int


@router.post("/sweeps", response_model=SweepRead)
async def run_sweep(deps: Services, _: Admin) -> SweepRead:
    """Run the deadline sweep now (it also runs periodically); safe to repeat."""
    report = await sweep(deps)
    return SweepRead(checked=report.checked, events=report.events, conflicts=report.conflicts)
