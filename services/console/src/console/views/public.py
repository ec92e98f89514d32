"""The reporter's pages (H5, phone-sized, no staff sign-in): report a problem, get a receipt
with the tracking code, follow the case by its code. They call the API in the public role, as
the mobile app does, so the API's rules (and its rate limits) apply unchanged, with the
console's own token from the identity provider (console.public_client). The pages are limited
per reporter address too (console.limits): over a limit, 429 with Retry-After and the page
saying when to try again; the provider or the API away, 503 服务暂不可用."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from console.api import ApiError
from console.labels import CATEGORIES
from console.limits import limits_of
from console.public_client import PublicClient, PublicTokenUnavailable
from console.signin import SignInRequired
from console.views.common import api_of
from console.views.intake import location_of
from qingshan_core.errors import TooManyRequests

router = APIRouter(include_in_schema=False)
CODE = re.compile(r"^[0-9A-Za-z\-]{6,32}$")
UNAVAILABLE = "服务暂不可用，请稍后再试"


def _page(request: Request, name: str, status_code: int = 200, **context: Any) -> Response:
    t: Jinja2Templates = request.app.state.templates
    response = t.TemplateResponse(
        request, name, {"categories": CATEGORIES, **context}, status_code=status_code
    )
    error = context.get("error")
    if isinstance(error, ApiError) and error.retry_after and status_code in (429, 503):
        response.headers["Retry-After"] = error.retry_after
    return response


def _too_many(exc: TooManyRequests, what: str) -> ApiError:
    retry = exc.retry_after or 60
    return ApiError(429, f"{what}过于频繁，请{retry}秒后再试", retry_after=str(retry))


def _public_client(request: Request) -> PublicClient:
    client: PublicClient = request.app.state.public_client
    return client


async def _complaints(
    request: Request, method: str, path: str, *, signed: bool = True, **kw: Any
) -> Any:
    """One call to the complaints API, `signed` with the console's public token (a token it
    refuses, 401, is fetched anew once; ApiError 503 when the provider gives none). Tracking
    by code needs no token, so it keeps working while the provider is away."""
    client = _public_client(request)
    for _ in range(2):
        try:
            token = await client.token() if signed else ""
        except PublicTokenUnavailable as exc:
            raise ApiError(503, UNAVAILABLE) from exc
        try:
            return await api_of(request).call(method, "complaints", path, token, **kw)
        except SignInRequired:  # 401: the token was refused (revoked, keys rotated)
            client.refused(token)
        except ApiError as exc:
            if exc.status >= 500:
                raise ApiError(503, UNAVAILABLE, retry_after=exc.retry_after) from exc
            raise
    raise ApiError(503, UNAVAILABLE)


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
        await limits_of(request).report(request)
        case = await _complaints(
            request,
            "POST",
            "/v1/complaints",
            json=body,
            idempotency_key=form.get("idempotency_key") or None,
        )
    except TooManyRequests as exc:
        error = _too_many(exc, "提交")
        return _page(request, "h5/report.html", status_code=429, form=form, error=error)
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
    limits = limits_of(request)
    try:
        await limits.lookup(request)
        case = await _complaints(request, "GET", f"/v1/track/{quote(code)}", signed=False)
    except TooManyRequests as exc:
        error = _too_many(exc, "查询")
        return _page(request, "h5/track.html", status_code=429, code=code, case=None, error=error)
    except ApiError as exc:
        if exc.status == 404:
            exc = ApiError(404, "没有找到这个查询码对应的举报，请核对后重试")
            try:
                await limits.lookup_failed(request)
            except TooManyRequests:
                pass  # this answer is the 404; the next look-up from here is refused
        return _page(
            request, "h5/track.html", status_code=exc.status, code=code, case=None, error=exc
        )
    return _page(request, "h5/track.html", code=code, case=case)
