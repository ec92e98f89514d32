"""受理登记: the operator takes a call. Possible duplicates show while the form is filled in,
and the report can be attached to the case that exists (并单: submitted, then merged into it)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from console.api import ApiError
from console.labels import CATEGORIES, CHANNELS, URGENCIES
from console.signin import Session, session
from console.views.common import api_of, render

router = APIRouter(include_in_schema=False)


def _number(value: str) -> float | None:
    try:
        return float(value) if value.strip() else None
    except ValueError:
        return None


def location_of(form: dict[str, str]) -> dict[str, Any]:
    return {
        "address": form.get("address", "").strip(),
        "town": form.get("town", "").strip(),
        "lat": _number(form.get("lat", "")),
        "lon": _number(form.get("lon", "")),
    }


def complainant_of(form: dict[str, str]) -> dict[str, Any]:
    if form.get("anonymous"):
        return {"anonymous": True}
    return {
        "anonymous": False,
        "name": form.get("name", "").strip() or None,
        "phone": form.get("phone", "").strip() or None,
    }


async def _form(request: Request) -> dict[str, str]:
    return {k: str(v) for k, v in (await request.form()).items()}


@router.get("/intake")
async def intake_page(request: Request, sess: Session = Depends(session)) -> Response:
    return await render(
        request,
        sess,
        "intake.html",
        channels=CHANNELS,
        categories=CATEGORIES,
        urgencies=URGENCIES,
    )


@router.post("/intake/duplicates")
async def duplicates(request: Request, sess: Session = Depends(session)) -> Response:
    form = await _form(request)
    items: list[dict[str, Any]] = []
    if form.get("category") and form.get("address", "").strip():
        body = {
            "category": form["category"],
            "location": location_of(form),
            "phone": None if form.get("anonymous") else (form.get("phone") or None),
        }
        try:
            found = await api_of(request).call(
                "POST", "complaints", "/v1/complaints/duplicates", sess.token, json=body
            )
            items = found["items"]
        except ApiError as exc:
            if exc.status != 422:  # half-typed input is no error while typing
                raise
    return await render(request, sess, "_duplicates.html", items=items)


@router.post("/intake")
async def submit(request: Request, sess: Session = Depends(session)) -> Response:
    form = await _form(request)
    body = {
        "channel": form.get("channel") or "12345",
        "external_id": form.get("external_id", "").strip() or None,
        "category": form.get("category") or None,
        "urgency": form.get("urgency") or "normal",
        "description": form.get("description", ""),
        "location": location_of(form),
        "complainant": complainant_of(form),
    }
    body = {k: v for k, v in body.items() if v is not None}  # unselected: "required"
    headers_key = form.get("idempotency_key") or None
    api = api_of(request)
    case = await api.call(
        "POST", "complaints", "/v1/complaints", sess.token, json=body, idempotency_key=headers_key
    )
    target = form.get("attach_to", "").strip()
    if target and target != case["id"]:
        await api.call(
            "POST",
            "complaints",
            f"/v1/complaints/{case['id']}/merge",
            sess.token,
            json={"into_id": target},
        )
        return Response(status_code=204, headers={"HX-Redirect": f"/cases/{target}?done=attach"})
    return Response(status_code=204, headers={"HX-Redirect": f"/cases/{case['id']}?done=intake"})
