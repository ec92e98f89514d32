"""The work queues and the case page: operators, handling units and supervisors work here.

Lists page on the server (the API's limit/offset), keep their filters and sort in the URL, and
refresh themselves (htmx polling). The case page shows every deadline clock and only the
actions the API says the person may take now.
"""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from console.api import ApiError, FieldError
from console.labels import ACTION_LABELS, CATEGORIES, STATUSES
from console.signin import Session, session
from console.views.common import api_of, is_htmx, local_instant, render

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 20
FILTERS = ("queue", "status", "category", "unit_id", "number", "phone", "q", "sort")
SORTS = {"newest": "最新受理", "oldest": "最早受理", "pressing": "时限最紧"}


def _filters(request: Request) -> dict[str, str]:
    return {k: v for k in FILTERS if (v := request.query_params.get(k, "").strip())}


def _page(request: Request) -> int:
    raw = request.query_params.get("page", "1")
    return max(1, int(raw)) if raw.isdigit() else 1


async def _counts(request: Request, sess: Session) -> list[dict[str, Any]]:
    body = await api_of(request).call("GET", "complaints", "/v1/complaints/queues", sess.token)
    items: list[dict[str, Any]] = body["items"]
    if sess.role.value == "unit_handler":  # a unit never assigns: no 待交办 / 被退回 queues
        items = [i for i in items if i["queue"] not in ("unassigned", "returned")]
    return items


@router.get("/cases")
async def cases(request: Request, sess: Session = Depends(session)) -> Response:
    filters, page = _filters(request), _page(request)
    params = {**filters, "limit": PAGE_SIZE, "offset": (page - 1) * PAGE_SIZE}
    if sess.role.value == "unit_handler":
        params.pop("phone", None)  # units never search by the caller's identity
    body = await api_of(request).call(
        "GET", "complaints", "/v1/complaints", sess.token, params=params
    )
    pages = max(1, math.ceil(body["total"] / PAGE_SIZE))
    context = {
        "items": body["items"],
        "total": body["total"],
        "page": page,
        "pages": pages,
        "filters": filters,
        "query": urlencode(filters),
        "page_url": lambda n: "/cases?" + urlencode({**filters, "page": n}),
        "statuses": STATUSES,
        "categories": CATEGORIES,
        "sorts": SORTS,
    }
    if is_htmx(request) and request.headers.get("HX-Target") == "rows":
        return await render(request, sess, "_rows.html", **context)
    context["counts"] = await _counts(request, sess)
    return await render(request, sess, "cases.html", **context)


@router.get("/cases/counts")
async def counts(request: Request, sess: Session = Depends(session)) -> Response:
    filters = _filters(request)
    return await render(
        request, sess, "_counts.html", counts=await _counts(request, sess), filters=filters
    )


@router.post("/cases/bulk-assign")
async def bulk_assign(request: Request, sess: Session = Depends(session)) -> Response:
    form = await request.form()
    ids = [str(i) for i in form.getlist("ids")]
    unit_id = str(form.get("unit_id") or "")
    if not ids:
        raise ApiError(422, "请先勾选要交办的案件", [FieldError("ids", "案件", "请勾选")])
    if not unit_id:
        raise ApiError(422, "请选择承办单位", [FieldError("unit_id", "承办单位", "必填")])
    done, failed = [], []
    for cid in ids:
        try:
            await api_of(request).call(
                "POST",
                "complaints",
                f"/v1/complaints/{cid}/assign",
                sess.token,
                json={"unit_id": unit_id},
            )
            done.append(cid)
        except ApiError as exc:
            failed.append((cid, exc.message))
    return await render(request, sess, "_bulk_result.html", done=done, failed=failed)


async def _case_context(request: Request, sess: Session, cid: str) -> dict[str, Any]:
    api = api_of(request)
    case = await api.call("GET", "complaints", f"/v1/complaints/{cid}", sess.token)
    history = await api.call("GET", "complaints", f"/v1/complaints/{cid}/history", sess.token)
    notes = await api.call("GET", "complaints", f"/v1/complaints/{cid}/notes", sess.token)
    return {
        "case": case,
        "history": history,
        "notes": notes["items"],
        "action_labels": ACTION_LABELS,
        "done": request.query_params.get("done"),
        "templates": request.app.state.reply_templates,
    }


@router.get("/cases/{cid}")
async def case_page(cid: str, request: Request, sess: Session = Depends(session)) -> Response:
    return await render(request, sess, "case.html", **await _case_context(request, sess, cid))


ACTION_FIELDS = {
    "assign": ("unit_id",),
    "return": ("reason",),
    "extend": ("amount", "reason"),
    "reject-extension": ("reason",),
    "approve-extension": (),
    "accept": (),
    "reply": ("text",),
    "close": ("substantiated", "note"),
    "follow-up": ("satisfaction",),
    "reopen": ("unit_id", "reason"),
    "merge": ("into_id",),
    "bureau-supervise": ("reason", "deadline"),
}


def action_body(action: str, form: dict[str, str]) -> dict[str, Any]:
    """The API body of an action from the form's fields (blank fields are left out)."""
    body: dict[str, Any] = {}
    for name in ACTION_FIELDS.get(action, ()):
        value = form.get(name, "").strip()
        if not value:
            continue
        if name == "amount":
            body[name] = int(value) if value.isdigit() else value
        elif name == "substantiated":
            body[name] = value == "true"
        elif name == "deadline":
            body[name] = local_instant(value, name, "回复期限")
        else:
            body[name] = value
    return body


@router.post("/cases/{cid}/act/{action}")
async def act(
    cid: str, action: str, request: Request, sess: Session = Depends(session)
) -> Response:
    if action not in ACTION_FIELDS:
        raise ApiError(404, "未知的操作")
    form = {k: str(v) for k, v in (await request.form()).items()}
    await api_of(request).call(
        "POST",
        "complaints",
        f"/v1/complaints/{cid}/{action}",
        sess.token,
        json=action_body(action, form),
    )
    return Response(status_code=204, headers={"HX-Redirect": f"/cases/{cid}?done={action}"})


@router.post("/cases/{cid}/notes")
async def add_note(
    cid: str, request: Request, text: str = Form(""), sess: Session = Depends(session)
) -> Response:
    await api_of(request).call(
        "POST", "complaints", f"/v1/complaints/{cid}/notes", sess.token, json={"text": text}
    )
    notes = await api_of(request).call(
        "GET", "complaints", f"/v1/complaints/{cid}/notes", sess.token
    )
    return await render(request, sess, "_notes.html", notes=notes["items"], case={"id": cid})


@router.post("/cases/{cid}/reveal")
async def reveal(
    cid: str, request: Request, purpose: str = Form(""), sess: Session = Depends(session)
) -> Response:
    person = await api_of(request).call(
        "GET",
        "complaints",
        f"/v1/complaints/{cid}/complainant",
        sess.token,
        params={"purpose": purpose.strip()},
    )
    return await render(request, sess, "_identity.html", person=person, purpose=purpose.strip())
