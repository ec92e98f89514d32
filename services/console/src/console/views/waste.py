"""Hazardous waste in the risk registry: licences (holder, codes and categories covered,
validity), transfer manifests (created on the page; a receiver whose licence does not cover the
waste is refused with the API's own message and field, nothing saved) and storage ledgers."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from console.api import ApiError
from console.signin import Session, session
from console.views.common import api_of, local_instant, render
from console.views.registry import redirect
from qingshan_core.workdays import SHANGHAI

router = APIRouter(include_in_schema=False)
MANIFEST_STATUS = {
    "created": "已创建",
    "shipped": "运输中",
    "received": "已接收",
    "discrepancy": "有差异",
    "closed": "已办结",
    "cancelled": "已作废",
}
LEDGER_KINDS = {
    "licensed_business": "持证经营单位",
    "producer": "产废单位",
    "medical_institution": "医疗机构",
}


def licence_state(lic: dict[str, Any], today: date | None = None) -> str:
    """有效 / 已过期 / 已吊销 / 未生效 on `today`."""
    on = (today or date.today()).isoformat()
    if lic.get("revoked_on") and lic["revoked_on"] <= on:
        return "已吊销"
    if lic["valid_until"] < on:
        return "已过期"
    if lic["valid_from"] > on:
        return "未生效"
    return "有效"


def _split(text: str) -> list[str]:
    return [p.strip() for p in text.replace("，", ",").replace("、", ",").split(",") if p.strip()]


@router.get("/risk/licences")
async def licences(request: Request, sess: Session = Depends(session)) -> Response:
    holder = request.query_params.get("holder", "").strip()
    rows = await api_of(request).call(
        "GET", "risk", "/v1/licences", sess.token, params={"holder": holder, "limit": 500}
    )
    return await render(
        request,
        sess,
        "licences.html",
        rows=[lic | {"state": licence_state(lic)} for lic in rows],
        holder=holder,
        today=date.today().isoformat(),
    )


@router.post("/risk/licences")
async def issue_licence(request: Request, sess: Session = Depends(session)) -> Response:
    form = {k: str(v).strip() for k, v in (await request.form()).items()}
    body: dict[str, Any] = {
        "number": form.get("number", ""),
        "holder_credit_code": form.get("holder_credit_code", ""),
        "holder_name": form.get("holder_name", ""),
        "kind": form.get("kind", "综合"),
        "valid_from": form.get("valid_from", ""),
        "codes": _split(form.get("codes", "")),
        "categories": _split(form.get("categories", "")),
    }
    if form.get("valid_until"):
        body["valid_until"] = form["valid_until"]
    await api_of(request).call("POST", "risk", "/v1/licences", sess.token, json=body)
    return redirect("/risk/licences?done=issue")


@router.get("/risk/manifests")
async def manifests(request: Request, sess: Session = Depends(session)) -> Response:
    status = request.query_params.get("status", "")
    rows = await api_of(request).call(
        "GET", "risk", "/v1/manifests", sess.token, params={"status": status, "limit": 200}
    )
    return await render(
        request,
        sess,
        "manifests.html",
        rows=rows,
        status=status,
        statuses=MANIFEST_STATUS,
        key=str(uuid.uuid4()),
        today=date.today().isoformat(),
        done=request.query_params.get("done"),
    )


def manifest_body(form: dict[str, str]) -> dict[str, Any]:
    """The API's ManifestCreate from the page's form (one waste line)."""
    return {
        "number": form.get("number", ""),
        "producer": {
            "credit_code": form.get("producer_credit_code", ""),
            "name": form.get("producer_name", ""),
        },
        "receiver": {
            "credit_code": form.get("receiver_credit_code", ""),
            "name": form.get("receiver_name", ""),
        },
        "vehicle_plate": form.get("vehicle_plate", ""),
        "lines": [
            {
                "waste_code": form.get("waste_code", ""),
                "quantity": form.get("quantity", ""),
                "unit": form.get("unit", "t") or "t",
            }
        ],
        "planned_ship_date": form.get("planned_ship_date", ""),
    }


@router.post("/risk/manifests")
async def create_manifest(request: Request, sess: Session = Depends(session)) -> Response:
    form = {k: str(v).strip() for k, v in (await request.form()).items()}
    body = manifest_body(form)
    made = await api_of(request).call("POST", "risk", "/v1/manifests", sess.token, json=body)
    return redirect(f"/risk/manifests?done={made['number']}")


@router.get("/risk/storage")
async def storage(request: Request, sess: Session = Depends(session)) -> Response:
    """A holder's ledger (the API keeps one per holder: looked up by credit code)."""
    holder = request.query_params.get("holder", "").strip()
    api = api_of(request)
    ledger, missing = None, False
    if holder:
        try:
            ledger = await api.call("GET", "risk", f"/v1/storage-ledgers/{holder}", sess.token)
        except ApiError as exc:  # a holder without a ledger: say so, offer to open one
            if exc.status != 404:
                raise
            missing = True
    return await render(
        request,
        sess,
        "storage.html",
        holder=holder,
        ledger=ledger,
        missing=missing,
        kinds=LEDGER_KINDS,
        now=datetime.now(SHANGHAI).strftime("%Y-%m-%dT%H:%M"),
        done=request.query_params.get("done"),
    )


@router.post("/risk/storage")
async def open_ledger(request: Request, sess: Session = Depends(session)) -> Response:
    form = {k: str(v).strip() for k, v in (await request.form()).items()}
    holder = form.get("holder_credit_code", "")
    body = {"holder_credit_code": holder, "kind": form.get("kind", "")}
    await api_of(request).call("POST", "risk", "/v1/storage-ledgers", sess.token, json=body)
    return redirect(f"/risk/storage?holder={holder}&done=open")


@router.post("/risk/storage/{holder}/movements")
async def move(holder: str, request: Request, sess: Session = Depends(session)) -> Response:
    form = {k: str(v).strip() for k, v in (await request.form()).items()}
    body: dict[str, Any] = {
        "direction": form.get("direction", ""),
        "waste_code": form.get("waste_code", ""),
        "quantity": form.get("quantity", ""),
        "unit": form.get("unit", "t") or "t",
        "reference": form.get("reference", ""),
    }
    if at := local_instant(form.get("at", ""), "at", "时间"):
        body["at"] = at
    path = f"/v1/storage-ledgers/{holder}/movements"
    await api_of(request).call("POST", "risk", path, sess.token, json=body)
    return redirect(f"/risk/storage?holder={holder}&done=move")
