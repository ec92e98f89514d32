"""The risk registry for emergency officers and supervisors: enterprises (filters and paging in
the URL), an enterprise's page with its HJ 941 grading (the Q/M/E classes per medium, the label)
and re-grading from the page, and emergency plans with their filing and review clocks.

Everything is the risk service's API as it is; its errors (problem details) are shown by the
app's ApiError handler in the form's error slot."""

from __future__ import annotations

import asyncio
import math
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from console.labels import RISK_LEVELS
from console.signin import Session, session
from console.views.common import api_of, local_instant, render
from qingshan_core.workdays import SHANGHAI

router = APIRouter(include_in_schema=False)
PAGE = 50
Q_CLASSES = ("Q0", "Q1", "Q2", "Q3")
M_CLASSES = ("M1", "M2", "M3", "M4")
E_CLASSES = ("E1", "E2", "E3")
MEDIA = (("air", "大气"), ("water", "水"))
# The warnings risk itself sends (domain/emergency_plans.py: filing_warning, review_warning):
# the clocks turn yellow when risk's reminder is due, red when the deadline has passed.
FILING_WARNING = timedelta(days=5)
REVIEW_WARNING = timedelta(days=90)
LIGHT_LABEL = {"green": "正常", "yellow": "即将到期", "red": "已超期", "done": "已完成"}


def redirect(to: str) -> Response:
    """htmx follows HX-Redirect after a change that succeeded."""
    return Response(status_code=204, headers={"HX-Redirect": to})


def clock(
    label: str, due: str | None, done_at: str | None, warning: timedelta, now: datetime
) -> dict[str, Any] | None:
    """One deadline as the console draws clocks: green, yellow (warning), red (passed), done."""
    if not due:
        return None
    deadline = datetime.fromisoformat(due)
    if done_at:
        light = "done"
    elif deadline <= now:
        light = "red"
    elif deadline - now <= warning:
        light = "yellow"
    else:
        light = "green"
    return {"label": label, "due": due, "light": light, "light_label": LIGHT_LABEL[light]}


def plan_clocks(plan: dict[str, Any], now: datetime | None = None) -> list[dict[str, Any]]:
    """备案 (20 working days from signing) and 回顾性评估 (3 years from filing or review)."""
    at = now or datetime.now(SHANGHAI)
    clocks = [
        clock("备案", plan["file_by"], plan.get("filed_at"), FILING_WARNING, at),
        clock("回顾评估", plan.get("review_by"), None, REVIEW_WARNING, at),
    ]
    if plan.get("status") == "superseded":
        clocks = [c | {"light": "done", "light_label": "已废止"} for c in clocks if c]
    return [c for c in clocks if c]


def _query(params: dict[str, str], **over: Any) -> str:
    merged = {k: v for k, v in {**params, **over}.items() if v not in (None, "")}
    return "?" + urlencode(merged) if merged else ""


@router.get("/risk/enterprises")
async def enterprises(request: Request, sess: Session = Depends(session)) -> Response:
    q = {k: request.query_params.get(k, "").strip() for k in ("level", "park_cluster", "list")}
    try:
        page = max(1, int(request.query_params.get("page") or 1))
    except ValueError:
        page = 1
    api = api_of(request)
    params = {"level": q["level"], "park_cluster": q["park_cluster"], "list_name": q["list"]}
    found, clusters = await asyncio.gather(
        api.call(
            "GET",
            "risk",
            "/v1/risk-sources",
            sess.token,
            params=params | {"limit": PAGE, "offset": (page - 1) * PAGE},
        ),
        api.call("GET", "risk", "/v1/park-clusters", sess.token),
    )
    pages = max(1, math.ceil(found["total"] / PAGE))
    return await render(
        request,
        sess,
        "enterprises.html",
        rows=found["items"],
        total=found["total"],
        q=q,
        page=page,
        pages=pages,
        prev_url=_query(q, page=page - 1) if page > 1 else None,
        next_url=_query(q, page=page + 1) if page < pages else None,
        levels=RISK_LEVELS,
        clusters=[c["name"] for c in clusters],
    )


@router.get("/risk/sources/{sid}")
async def source_page(sid: str, request: Request, sess: Session = Depends(session)) -> Response:
    """An enterprise: its profile, grading (inputs, classes, label), plans, licences."""
    api = api_of(request)
    source = await api.call("GET", "risk", f"/v1/risk-sources/{sid}", sess.token)
    plans: list[dict[str, Any]] = []
    licences: list[dict[str, Any]] = []
    if code := source.get("credit_code"):
        plans, licences = await asyncio.gather(
            api.call(
                "GET", "risk", "/v1/emergency-plans", sess.token, params={"credit_code": code}
            ),
            api.call("GET", "risk", "/v1/licences", sess.token, params={"holder": code}),
        )
    return await render(
        request,
        sess,
        "risk_source.html",
        s=source,
        plans=[p | {"clocks": plan_clocks(p)} for p in plans],
        licences=licences,
        media=MEDIA,
        q_classes=Q_CLASSES,
        m_classes=M_CLASSES,
        e_classes=E_CLASSES,
        done=request.query_params.get("done"),
    )


def grading_body(form: dict[str, str]) -> dict[str, Any]:
    """The API's GradingCreate from the page's form: each medium's classes as chosen."""
    body: dict[str, Any] = {}
    for medium, _ in MEDIA:
        part: dict[str, Any] = {}
        for cls in ("q_class", "m_class", "e_class"):
            if value := form.get(f"{medium}_{cls}", "").strip():
                part[cls] = value
        body[medium] = part
    if on := form.get("assessed_on", "").strip():
        body["assessed_on"] = on
    return body


@router.post("/risk/sources/{sid}/grading")
async def grade(sid: str, request: Request, sess: Session = Depends(session)) -> Response:
    form = {k: str(v) for k, v in (await request.form()).items()}
    path = f"/v1/risk-sources/{sid}/grading"
    await api_of(request).call("POST", "risk", path, sess.token, json=grading_body(form))
    return redirect(f"/risk/sources/{sid}?done=grade")


@router.get("/risk/plans")
async def plans(request: Request, sess: Session = Depends(session)) -> Response:
    status = request.query_params.get("status", "")
    code = request.query_params.get("credit_code", "").strip()
    rows = await api_of(request).call(
        "GET",
        "risk",
        "/v1/emergency-plans",
        sess.token,
        params={"status": status, "credit_code": code, "limit": 200},
    )
    now = datetime.now(SHANGHAI).strftime("%Y-%m-%dT%H:%M")
    return await render(
        request,
        sess,
        "plans.html",
        rows=[p | {"clocks": plan_clocks(p)} for p in rows],
        status=status,
        credit_code=code,
        now=now,
    )


@router.post("/risk/plans")
async def register_plan(request: Request, sess: Session = Depends(session)) -> Response:
    form = {k: str(v) for k, v in (await request.form()).items()}
    body = {
        "credit_code": form.get("credit_code", "").strip(),
        "title": form.get("title", "").strip(),
        "signed_at": local_instant(form.get("signed_at", ""), "signed_at", "签署发布时间"),
    }
    plan = await api_of(request).call("POST", "risk", "/v1/emergency-plans", sess.token, json=body)
    return redirect(f"/risk/plans/{plan['id']}?done=register")


@router.get("/risk/plans/{pid}")
async def plan_page(pid: str, request: Request, sess: Session = Depends(session)) -> Response:
    api = api_of(request)
    plan = await api.call("GET", "risk", f"/v1/emergency-plans/{pid}", sess.token)
    now = datetime.now(SHANGHAI).strftime("%Y-%m-%dT%H:%M")
    return await render(
        request,
        sess,
        "plan.html",
        p=plan,
        clocks=plan_clocks(plan),
        now=now,
        done=request.query_params.get("done"),
    )


@router.post("/risk/plans/{pid}/filing")
async def file_plan(pid: str, request: Request, sess: Session = Depends(session)) -> Response:
    form = {k: str(v) for k, v in (await request.form()).items()}
    body: dict[str, Any] = {"filing_number": form.get("filing_number", "").strip()}
    if filed := local_instant(form.get("filed_at", ""), "filed_at", "备案时间"):
        body["filed_at"] = filed
    path = f"/v1/emergency-plans/{pid}/filing"
    await api_of(request).call("POST", "risk", path, sess.token, json=body)
    return redirect(f"/risk/plans/{pid}?done=filing")


@router.post("/risk/plans/{pid}/review")
async def review_plan(pid: str, request: Request, sess: Session = Depends(session)) -> Response:
    form = {k: str(v) for k, v in (await request.form()).items()}
    body: dict[str, Any] = {}
    if at := local_instant(form.get("reviewed_at", ""), "reviewed_at", "评估时间"):
        body["reviewed_at"] = at
    path = f"/v1/emergency-plans/{pid}/review"
    await api_of(request).call("POST", "risk", path, sess.token, json=body)
    return redirect(f"/risk/plans/{pid}?done=review")
