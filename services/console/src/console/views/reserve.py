"""项目储备库: the reserve as a table (filters, sort and paging in the URL), its export, the
roll-ups with the plan's preamble and an "as of" date, and the indicator ledger (专栏2)."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from console.api import ApiError, FieldError
from console.labels import PROJECT_STAGES
from console.signin import Session, session
from console.views.common import api_of, render
from qingshan_core.workdays import SHANGHAI

router = APIRouter(include_in_schema=False)
SOURCES = {"district_confirmed": "区级已确定", "planned": "策划项目"}
SORTS = {
    "no": ("序号", lambda r: r["no"]),
    "investment": ("投资额", lambda r: Decimal(r["investment_wan"])),
    "years": ("实施年度", lambda r: (r["start_year"], r["end_year"])),
    "stage": (
        "阶段",
        lambda r: PROJECT_STAGES.index(r["stage_zh"]) if r["stage_zh"] in PROJECT_STAGES else 99,
    ),
}
ROLLUPS = {
    "field": "领域",
    "source_class": "项目来源",
    "stage": "阶段",
    "year": "实施年度",
    "lead_unit": "牵头单位",
}
PAGE = 25
FILTERS = ("field", "lead_unit", "stage", "year", "source_class")


def _int(request: Request, name: str, default: int) -> int:
    raw = request.query_params.get(name) or ""
    try:
        return int(raw) if raw else default
    except ValueError as exc:
        raise ApiError(422, "填写的内容有误", [FieldError(name, name, "须为整数")]) from exc


def as_of_instant(day: str | None) -> str | None:
    """The end of the chosen day in Beijing time, as the API's ISO instant."""
    if not day:
        return None
    try:
        d = date.fromisoformat(day)
    except ValueError as exc:
        raise ApiError(
            422, "日期格式不正确", [FieldError("as_of", "截至日期", "格式应为 YYYY-MM-DD")]
        ) from exc
    return datetime.combine(d, time(23, 59, 59), SHANGHAI).isoformat()


@router.get("/reserve")
async def reserve(request: Request, sess: Session = Depends(session)) -> Response:
    q = request.query_params
    flt = {k: q.get(k) or None for k in FILTERS}
    year = _int(request, "year", 0) or None
    flt["year"] = str(year) if year else None
    sort = q.get("sort") if q.get("sort") in SORTS else "no"
    desc = q.get("dir") == "desc"
    page = max(_int(request, "page", 1), 1)
    api = api_of(request)
    params: dict[str, Any] = {**flt, "year": year}
    if sort == "no" and not desc:  # the API's own order: page on the server
        data = await api.call(
            "GET",
            "projects",
            "/v1/subitems",
            sess.token,
            params={**params, "limit": PAGE, "offset": (page - 1) * PAGE},
        )
        rows, total = data["items"], data["total"]
    else:  # another order: the matching rows (at most 1000), sorted, then paged
        data = await api.call(
            "GET", "projects", "/v1/subitems", sess.token, params={**params, "limit": 1000}
        )
        everything = sorted(data["items"], key=SORTS[sort][1], reverse=desc)
        rows, total = everything[(page - 1) * PAGE : page * PAGE], data["total"]
    fields = await api.call("GET", "projects", "/v1/rollups", sess.token, params={"by": "field"})
    kept = {k: v for k, v in {**flt, "sort": sort, "dir": "desc" if desc else ""}.items() if v}
    pages = max((total + PAGE - 1) // PAGE, 1)
    return await render(
        request,
        sess,
        "reserve.html",
        rows=rows,
        total=total,
        page=page,
        pages=pages,
        filters=flt,
        sort=sort,
        desc=desc,
        sorts={k: v[0] for k, v in SORTS.items()},
        stages=PROJECT_STAGES,
        sources=SOURCES,
        field_options=[(g["key"], g["label"]) for g in fields["groups"]],
        query=lambda **over: urlencode({**kept, **over}),
        export=urlencode({k: v for k, v in flt.items() if v}),
    )


@router.get("/reserve/export")
async def export(request: Request, sess: Session = Depends(session)) -> Response:
    """The reserve as the table it is imported from (the API's export, Chinese headers)."""
    fmt = "xlsx" if request.query_params.get("format") == "xlsx" else "csv"
    r = await api_of(request).call(
        "GET",
        "projects",
        "/v1/export",
        sess.token,
        params={"format": fmt, "header": "zh", "bom": "true" if fmt == "csv" else None},
        raw=True,
    )
    name = quote(f"项目储备库.{fmt}")
    return Response(
        r.content,
        media_type=r.headers.get("content-type", "application/octet-stream"),
        headers={
            "Content-Disposition": f"attachment; filename=reserve.{fmt}; filename*=UTF-8''{name}"
        },
    )


@router.get("/reserve/rollups")
async def rollups(request: Request, sess: Session = Depends(session)) -> Response:
    day = request.query_params.get("as_of") or ""
    at = as_of_instant(day)
    api = api_of(request)

    async def one(by: str) -> dict[str, Any]:
        r: dict[str, Any] = await api.call(
            "GET", "projects", "/v1/rollups", sess.token, params={"by": by, "as_of": at}
        )
        return r

    preamble, *groups = await asyncio.gather(
        api.call("GET", "projects", "/v1/rollups/preamble", sess.token, params={"as_of": at}),
        *(one(by) for by in ROLLUPS),
    )
    charts = {
        by: {
            "title": label,
            "labels": [g["label"] for g in r["groups"]],
            "yi": [float(g["investment_yi"]) for g in r["groups"]],
            "subitems": [g["subitems"] for g in r["groups"]],
        }
        for (by, label), r in zip(ROLLUPS.items(), groups, strict=True)
    }
    return await render(
        request,
        sess,
        "rollups.html",
        preamble=preamble,
        rollups=dict(zip(ROLLUPS, groups, strict=True)),
        labels=ROLLUPS,
        charts=charts,
        as_of=day,
        today=date.today().isoformat(),
    )


@router.get("/reserve/indicators")
async def indicators(request: Request, sess: Session = Depends(session)) -> Response:
    year = _int(request, "year", 0) or None
    rows = await api_of(request).call(
        "GET", "projects", "/v1/indicators", sess.token, params={"year": year}
    )
    return await render(request, sess, "indicators.html", rows=rows, year=year or "")
