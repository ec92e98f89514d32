"""The reporter's pages (H5, phone-sized, no staff sign-in): report a problem, get a receipt
with the tracking code, follow the case by its code. They call the API in the public role, as
the mobile app does, so the API's rules (and its rate limits) apply unchanged."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from console.api import ApiError
from console.signin import public_token
from console.views.common import api_of
from console.views.intake import location_of
from console.views.work import CATEGORIES

router = APIRouter(include_in_schema=False)
CODE = re.compile(r"^[0-9A-Za-z\-]{6,32}$")


def _page(request: Request, name: str, status_code: int = 200, **context: Any) -> Response:
    t: Jinja2Templates = request.app.state.templates
    return t.TemplateResponse(
        request, name, {"categories": CATEGORIES, **context}, status_code=status_code
    )


@router.get("/h5")
async def h5_home() -> Response:
    return RedirectResponse("/h5/report", status_code=303)


@router.get("/h5/report")
async def report_page(request: Request) -> Response:
    return _page(request, "h5/report.html", form={})


@router.post("/h5/report")
async def report(request: Request) -> Response:
    form = {k: str(v) for k, v in (await request.form()).items()}
    name, phone = form.get("name", "").strip(), form.get("phone", "").strip()
    contact: dict[str, Any] = {"anonymous": False, "name": name or None, "phone": phone or None}
    body: dict[str, Any] = {
        "channel": "web",
        "description": form.get("description", ""),
        "location": location_of(form),
        "complainant": contact if (name or phone) else {"anonymous": True},
    }
    if form.get("category"):  # left unselected, the API answers that it is required
        body["category"] = form["category"]
    try:
        case = await api_of(request).call(
            "POST",
            "complaints",
            "/v1/complaints",
            public_token(request),
            json=body,
            idempotency_key=form.get("idempotency_key") or None,
        )
    except ApiError as exc:
        return _page(request, "h5/report.html", status_code=exc.status, form=form, error=exc)
    return RedirectResponse(f"/h5/receipt/{quote(case['tracking_code'])}", status_code=303)


@router.get("/h5/receipt/{code}")
async def receipt(code: str, request: Request) -> Response:
    return _page(request, "h5/receipt.html", code=code)


@router.get("/h5/track")
async def track(request: Request, code: str = "") -> Response:
    code = code.strip().upper()
    if not code:
        return _page(request, "h5/track.html", code="", case=None)
    if not CODE.match(code):
        error = ApiError(422, "查询码格式不正确", code="tracking_code_invalid")
        return _page(request, "h5/track.html", status_code=422, code=code, case=None, error=error)
    try:
        case = await api_of(request).call(
            "GET", "complaints", f"/v1/track/{quote(code)}", public_token(request)
        )
    except ApiError as exc:
        if exc.status == 404:
            exc = ApiError(404, "没有找到这个查询码对应的举报，请核对后重试")
        return _page(
            request, "h5/track.html", status_code=exc.status, code=code, case=None, error=exc
        )
    return _page(request, "h5/track.html", code=code, case=case)
