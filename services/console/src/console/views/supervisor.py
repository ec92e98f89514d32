"""督办看板: 交办率 and 按时回复率 per unit and period (with the target line), the 问题清单
(督办 from its rows), the extension requests waiting for approval, and export of the lists and
rates (CSV, XLSX)."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from openpyxl import Workbook

from console.api import ApiError, FieldError
from console.labels import STAGES
from console.signin import Session, session
from console.units import units
from console.views.common import api_of, render
from console.views.work import action_body

router = APIRouter(include_in_schema=False)


def period(request: Request) -> tuple[str, str]:
    """The period asked for (ISO dates), this month so far by default."""
    today = date.today()
    start = request.query_params.get("from") or today.replace(day=1).isoformat()
    end = request.query_params.get("to") or today.isoformat()
    for name, value in (("from", start), ("to", end)):
        try:
            date.fromisoformat(value)
        except ValueError as exc:
            label = "开始日期" if name == "from" else "结束日期"
            raise ApiError(
                422, "日期格式不正确", [FieldError(name, label, "格式应为 YYYY-MM-DD")]
            ) from exc
    return start, end


def _percent(rate: dict[str, Any]) -> float | None:
    return None if rate["percent"] is None else float(rate["percent"])


async def rates(request: Request, sess: Session, start: str, end: str) -> list[dict[str, Any]]:
    """The district's rates, then each unit's, for the period."""
    api = api_of(request)
    scopes: list[tuple[str | None, str]] = [(None, "全区")]
    scopes += [(u.id, u.name) for u in await units(api, sess.token)]

    async def one(unit_id: str | None, name: str) -> dict[str, Any]:
        params = {"from": start, "to": end, "unit_id": unit_id}
        r = await api.call("GET", "complaints", "/v1/metrics/rates", sess.token, params=params)
        return {
            "unit_id": unit_id,
            "name": name,
            "target": float(r["target_percent"]),
            "assignment": r["assignment_rate"],
            "on_time": r["on_time_reply_rate"],
            "assignment_pct": _percent(r["assignment_rate"]),
            "on_time_pct": _percent(r["on_time_reply_rate"]),
        }

    return list(await asyncio.gather(*(one(u, n) for u, n in scopes)))


async def issues(request: Request, sess: Session) -> list[dict[str, Any]]:
    lines: list[dict[str, Any]] = await api_of(request).call(
        "GET", "complaints", "/v1/metrics/issue-list", sess.token
    )
    return lines


@router.get("/dashboard")
async def dashboard(request: Request, sess: Session = Depends(session)) -> Response:
    start, end = period(request)
    api = api_of(request)
    rows, lines, pending = await asyncio.gather(
        rates(request, sess, start, end),
        issues(request, sess),
        api.call(
            "GET",
            "complaints",
            "/v1/complaints",
            sess.token,
            params={"queue": "extension", "limit": 50},
        ),
    )
    chart = {
        "units": [r["name"] for r in rows],
        "assignment": [r["assignment_pct"] for r in rows],
        "on_time": [r["on_time_pct"] for r in rows],
        "target": rows[0]["target"] if rows else 100.0,
    }
    return await render(
        request,
        sess,
        "dashboard.html",
        rows=rows,
        chart=chart,
        lines=lines,
        pending=pending["items"],
        start=start,
        end=end,
        stages=STAGES,
    )


@router.post("/dashboard/issues/{cid}/supervise")
async def supervise(cid: str, request: Request, sess: Session = Depends(session)) -> Response:
    """督办 from the 问题清单: the API decides (422 naming the field, 409, 403 come back into
    the row's form); done, the list's rows again, the case marked 已督办."""
    form = {k: str(v) for k, v in (await request.form()).items()}
    await api_of(request).call(
        "POST",
        "complaints",
        f"/v1/complaints/{cid}/bureau-supervise",
        sess.token,
        json=action_body("bureau-supervise", form),
    )
    return await render(
        request, sess, "_issue_rows.html", lines=await issues(request, sess), stages=STAGES
    )


def _table(kind: str, rows: list[dict[str, Any]], names: dict[str, str]) -> list[list[Any]]:
    if kind == "rates":
        head = [
            "单位",
            "交办数",
            "应交办数",
            "交办率(%)",
            "按时回复数",
            "应回复数",
            "按时回复率(%)",
        ]
        body = [
            [
                r["name"],
                r["assignment"]["numerator"],
                r["assignment"]["denominator"],
                r["assignment_pct"],
                r["on_time"]["numerator"],
                r["on_time"]["denominator"],
                r["on_time_pct"],
            ]
            for r in rows
        ]
    else:
        head = ["案件编号", "承办单位", "环节", "时限", "状态", "局督办次数"]
        body = [
            [
                r["complaint_id"],
                names.get(r["unit_id"] or "", r["unit_id"] or ""),
                STAGES.get(r["stage"], r["stage"]),
                r["due"],
                "已超期" if r["overdue"] else "即将超期",
                r.get("bureau_supervisions", 0),
            ]
            for r in rows
        ]
    return [head, *body]


@router.get("/dashboard/export")
async def export(request: Request, sess: Session = Depends(session)) -> Response:
    kind = request.query_params.get("what", "rates")
    fmt = request.query_params.get("format", "csv")
    if kind not in ("rates", "issues") or fmt not in ("csv", "xlsx"):
        raise ApiError(404, "没有这种导出")
    start, end = period(request)
    names = {u.id: u.name for u in await units(api_of(request), sess.token, active_only=False)}
    data = (
        await rates(request, sess, start, end) if kind == "rates" else await issues(request, sess)
    )
    table = _table(kind, data, names)
    stem = f"{'rates' if kind == 'rates' else 'issue-list'}-{start}-{end}"
    if fmt == "csv":
        buf = io.StringIO()
        csv.writer(buf).writerows(table)
        # A BOM so that Excel opens the Chinese headers as UTF-8.
        content = ("\ufeff" + buf.getvalue()).encode("utf-8")
        media = "text/csv; charset=utf-8"
    else:
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.title = "交办率与按时回复率" if kind == "rates" else "问题清单"
        for row in table:
            sheet.append(row)
        out = io.BytesIO()
        book.save(out)
        content = out.getvalue()
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    disposition = f'attachment; filename="{stem}.{fmt}"'
    return Response(content, media_type=media, headers={"Content-Disposition": disposition})
