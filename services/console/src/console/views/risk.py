"""The risk 一张图 and the records it opens: risk sources with their HJ 941 grading, incidents
with their 4 h / 2 h report clocks and the cross-boundary notice, and incident registration."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response

from console.api import ApiError, FieldError
from console.labels import INCIDENT_GRADES, INCIDENT_MEDIA
from console.signin import Session, session
from console.views.common import api_of, render
from qingshan_core.workdays import SHANGHAI

router = APIRouter(include_in_schema=False)


@router.get("/risk/map")
async def map_page(request: Request, sess: Session = Depends(session)) -> Response:
    return await render(request, sess, "riskmap.html")


@router.get("/risk/map/data")
async def map_data(request: Request, sess: Session = Depends(session)) -> Response:
    """The map's layers in one answer: sources and open incidents (the API's GeoJSON) and the
    credit codes of licence holders (drawn on their sources)."""
    api = api_of(request)
    geo, licences, clusters = await asyncio.gather(
        api.call("GET", "risk", "/v1/map.geojson", sess.token),
        api.call("GET", "risk", "/v1/licences", sess.token, params={"limit": 500}),
        api.call("GET", "risk", "/v1/park-clusters", sess.token),
    )
    holders = sorted({lic["holder_credit_code"] for lic in licences if not lic.get("revoked_on")})
    return JSONResponse({"features": geo["features"], "holders": holders, "clusters": clusters})


@router.get("/risk/incidents")
async def incidents(request: Request, sess: Session = Depends(session)) -> Response:
    rows = await api_of(request).call("GET", "risk", "/v1/incidents", sess.token)
    now = datetime.now(SHANGHAI).strftime("%Y-%m-%dT%H:%M")
    return await render(
        request,
        sess,
        "incidents.html",
        rows=rows,
        grades=INCIDENT_GRADES,
        media=INCIDENT_MEDIA,
        now=now,
    )


def _instant(value: str, name: str, label: str) -> str:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise ApiError(422, "填写的内容有误", [FieldError(name, label, "时间格式不正确")]) from exc
    return (moment if moment.tzinfo else moment.replace(tzinfo=SHANGHAI)).isoformat()


def incident_body(form: dict[str, Any], media: list[str]) -> dict[str, Any]:
    """The API's IncidentCreate from the registration form (local times are Beijing time)."""
    body: dict[str, Any] = {
        "title": str(form.get("title", "")).strip(),
        "occurred_at": _instant(str(form.get("occurred_at", "")), "occurred_at", "发生时间"),
        "media": media,
        "drinking_water": form.get("drinking_water") == "on",
        "heavy_metals": form.get("heavy_metals") == "on",
        "idempotency_key": str(form.get("idempotency_key") or uuid.uuid4()),
    }
    if form.get("learned_at"):
        body["learned_at"] = _instant(str(form["learned_at"]), "learned_at", "获知时间")
    for name in ("grade", "river"):
        if value := str(form.get(name, "")).strip():
            body[name] = value
    lat, lon = str(form.get("lat", "")).strip(), str(form.get("lon", "")).strip()
    if lat and lon:
        body["location"] = {"lat": lat, "lon": lon}
    return body


@router.post("/risk/incidents")
async def register(request: Request, sess: Session = Depends(session)) -> Response:
    form = await request.form()
    media = [str(m) for m in form.getlist("media")]
    body = incident_body(dict(form), media)
    created = await api_of(request).call("POST", "risk", "/v1/incidents", sess.token, json=body)
    return Response(
        status_code=204, headers={"HX-Redirect": f"/risk/incidents/{created['id']}?done=register"}
    )


@router.get("/risk/incidents/{iid}")
async def incident_page(iid: str, request: Request, sess: Session = Depends(session)) -> Response:
    incident = await api_of(request).call("GET", "risk", f"/v1/incidents/{iid}", sess.token)
    hours = 2 if incident["reporting_grade"] in ("I", "II") else 4
    return await render(
        request,
        sess,
        "incident.html",
        i=incident,
        hours=hours,
        grades=INCIDENT_GRADES,
        media=INCIDENT_MEDIA,
        done=request.query_params.get("done"),
    )
