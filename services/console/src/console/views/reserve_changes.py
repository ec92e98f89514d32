"""A planner's changes to the reserve: the import (every refused row and column, or what the
import will change, before anything is written), a sub-item's page (stage history and gates,
adjustments requested and decided — never by the requester —, progress reports, evaluations)
and the adjustments waiting for a decision."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from fastapi import APIRouter, Depends, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from console.api import ApiError, FieldError
from console.signin import Session, session
from console.views.common import api_of, render

router = APIRouter(include_in_schema=False)
MAX_UPLOAD = 20 * 1024 * 1024
# What each gate asks for (projects' domain/stages.py), shown beside the advance form.
GATES = {
    "可研": "可研批复文号",
    "初设": "初设批复文号",
    "招投标": "招标公告或中标通知书编号",
    "实施": "开工日期",
    "完工": "完工日期",
    "验收": "验收批复文号",
    "绩效评价": "评价日期",
}
KINDS = {
    "site": "建设地点",
    "scale": "建设规模",
    "technical": "技术方案",
    "investment": "投资额",
    "years": "实施年度",
}
TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _refused(exc: ApiError) -> list[FieldError]:
    return sorted(exc.fields, key=lambda f: (f.row or 0, f.field))


async def _imports(request: Request, sess: Session) -> list[dict[str, Any]]:
    recent: list[dict[str, Any]] = await api_of(request).call(
        "GET", "projects", "/v1/imports", sess.token, params={"limit": 10}
    )
    return recent


@router.get("/reserve/import")
async def import_page(request: Request, sess: Session = Depends(session)) -> Response:
    return await render(request, sess, "import.html", recent=await _imports(request, sess))


async def _send(
    request: Request, sess: Session, name: str, data: bytes, *, dry_run: bool
) -> tuple[dict[str, Any] | None, ApiError | None]:
    kind = TYPES["xlsx" if name.lower().endswith(".xlsx") else "csv"]
    try:
        out = await api_of(request).call(
            "POST",
            "projects",
            "/v1/imports",
            sess.token,
            params={"dry_run": "true" if dry_run else None},
            files={"file": (name, data, kind)},
        )
    except ApiError as exc:
        if exc.status != 422:
            raise
        return None, exc
    return out, None


@router.post("/reserve/import")
async def check_import(
    request: Request, file: UploadFile, sess: Session = Depends(session)
) -> Response:
    """The file checked by the API (nothing written): every refused row, or what it changes."""
    data = await file.read(MAX_UPLOAD + 1)
    name = file.filename or "reserve.csv"
    if not data:
        raise ApiError(422, "没有上传文件", [FieldError("file", "文件", "请选择 CSV 或 XLSX 文件")])
    if len(data) > MAX_UPLOAD:
        raise ApiError(413, "提交的内容过大", [FieldError("file", "文件", "文件超过 20 MB")])
    preview, refused = await _send(request, sess, name, data, dry_run=True)
    return await render(
        request,
        sess,
        "import.html",
        status_code=422 if refused else 200,
        file_name=name,
        preview=preview,
        refused=refused and {"message": refused.message, "fields": _refused(refused)},
        payload=base64.b64encode(data).decode() if preview else None,
        recent=await _imports(request, sess),
    )


@router.post("/reserve/import/confirm")
async def confirm_import(
    request: Request,
    file_name: str = Form(...),
    payload: str = Form(...),
    sess: Session = Depends(session),
) -> Response:
    """The checked file imported for real (the API checks it again: all or nothing)."""
    try:
        data = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ApiError(
            422, "文件内容已损坏，请重新上传", [FieldError("file", "文件", "请重新上传")]
        ) from exc
    done, refused = await _send(request, sess, file_name, data, dry_run=False)
    return await render(
        request,
        sess,
        "import.html",
        status_code=422 if refused else 200,
        file_name=file_name,
        done=done,
        refused=refused and {"message": refused.message, "fields": _refused(refused)},
        recent=await _imports(request, sess),
    )


@router.get("/reserve/subitems/{sid}")
async def subitem(sid: str, request: Request, sess: Session = Depends(session)) -> Response:
    item = await api_of(request).call("GET", "projects", f"/v1/subitems/{sid}", sess.token)
    return await render(
        request,
        sess,
        "subitem.html",
        item=item,
        gates=GATES,
        kinds=KINDS,
        me_subject=sess.principal.subject,
        done=request.query_params.get("done"),
    )


def _clean(form: dict[str, str], names: tuple[str, ...]) -> dict[str, Any]:
    return {n: form[n].strip() for n in names if form.get(n, "").strip()}


ACTIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "advance": ("advance", ("to_stage", "on", "document_no", "note")),
    "adjust": ("adjustments", ("kind", "reason", "content", "investment_wan", "years", "location")),
    "progress": ("progress", ("period", "percent_complete", "invested_to_date_wan", "note")),
    "evaluate": ("evaluations", ("year", "score", "note")),
}


@router.post("/reserve/subitems/{sid}/{action}")
async def change(
    sid: str, action: str, request: Request, sess: Session = Depends(session)
) -> Response:
    if action not in ACTIONS:
        raise ApiError(404, "未知的操作")
    path, names = ACTIONS[action]
    form = {k: str(v) for k, v in (await request.form()).items()}
    await api_of(request).call(
        "POST", "projects", f"/v1/subitems/{sid}/{path}", sess.token, json=_clean(form, names)
    )
    return Response(
        status_code=204, headers={"HX-Redirect": f"/reserve/subitems/{sid}?done={action}"}
    )


@router.post("/reserve/subitems/{sid}/adjustments/{aid}/{decision}")
async def decide(
    sid: str, aid: str, decision: str, request: Request, sess: Session = Depends(session)
) -> Response:
    if decision not in ("approve", "reject"):
        raise ApiError(404, "未知的操作")
    form = {k: str(v) for k, v in (await request.form()).items()}
    body = _clean(form, ("note",) if decision == "approve" else ("reason",))
    await api_of(request).call(
        "POST",
        "projects",
        f"/v1/subitems/{sid}/adjustments/{aid}/{decision}",
        sess.token,
        json=body,
    )
    if request.headers.get("HX-Request"):
        return Response(
            status_code=204, headers={"HX-Redirect": f"/reserve/subitems/{sid}?done={decision}"}
        )
    return RedirectResponse(f"/reserve/subitems/{sid}?done={decision}", status_code=303)


@router.get("/reserve/adjustments")
async def pending(request: Request, sess: Session = Depends(session)) -> Response:
    rows = await api_of(request).call("GET", "projects", "/v1/adjustments", sess.token)
    return await render(
        request, sess, "adjustments.html", rows=rows, kinds=KINDS, me_subject=sess.principal.subject
    )
