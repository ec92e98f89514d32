"""Notifications: my inbox (unread first, acknowledge; critical notices stand out with their
acknowledgement deadline and what follows it) and, for administrators, notify's configuration:
rules, recipients and groups, escalation chains, templates with a live preview from the event's
sample, deliveries with their attempts, dead letters and the gaps nobody is reached for."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from console.signin import Session, session
from console.views.common import api_of, render

router = APIRouter(include_in_schema=False)
PRIORITY = {"critical": "紧急", "high": "重要", "normal": "普通", "low": "一般"}
RANK = {"critical": 0, "high": 1, "normal": 2, "low": 3}


# What an inbox item is about, by its event's type: the page of its subject (the event's
# aggregate id), or the list page where an aggregate has no page of its own.
SUBJECT_PAGES: tuple[tuple[str, str, str], ...] = (
    ("qingshan.complaints.v1.", "/cases/{id}", "查看案件"),
    ("qingshan.risk.v1.Incident", "/risk/incidents/{id}", "查看突发事件"),
    ("qingshan.risk.v1.RiskSource", "/risk/sources/{id}", "查看风险源"),
    ("qingshan.risk.v1.EmergencyPlan", "/risk/plans/{id}", "查看应急预案"),
    ("qingshan.risk.v1.Licence", "/risk/licences", "查看许可证"),
    ("qingshan.risk.v1.Manifest", "/risk/manifests", "查看转移联单"),
    ("qingshan.risk.v1.Stock", "/risk/storage", "查看贮存"),
    ("qingshan.risk.v1.Storage", "/risk/storage", "查看贮存"),
    ("qingshan.risk.v1.MedicalWaste", "/risk/storage", "查看贮存"),
    ("qingshan.projects.v1.Indicator", "/reserve/indicators", "查看绩效指标"),
    ("qingshan.projects.v1.ImportCompleted", "/reserve/import", "查看导入"),
    ("qingshan.projects.v1.", "/reserve/subitems/{id}", "查看项目子项"),
)


def subject_link(event_type: str, subject: str) -> tuple[str, str] | None:
    """The console page an item is about and its link text, or None (a direct message)."""
    for prefix, path, text in SUBJECT_PAGES:
        if event_type.startswith(prefix) and (subject or "{id}" not in path):
            return path.format(id=quote(subject, safe="")), text
    return None


def inbox_order(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Unread first, then the most pressing, then the newest."""
    newest = sorted(items, key=lambda i: i["created_at"], reverse=True)
    return sorted(
        newest, key=lambda i: (i["acknowledged_at"] is not None, RANK.get(i["priority"], 9))
    )


@router.get("/inbox")
async def inbox(request: Request, sess: Session = Depends(session)) -> Response:
    items = await api_of(request).call("GET", "notify", "/v1/inbox", sess.token)
    return await render(
        request,
        sess,
        "inbox.html",
        items=inbox_order(items),
        priority=PRIORITY,
        link=subject_link,
        unread=sum(1 for i in items if i["acknowledged_at"] is None),
    )


@router.post("/inbox/{did}/ack")
async def acknowledge(did: str, request: Request, sess: Session = Depends(session)) -> Response:
    item = await api_of(request).call("POST", "notify", f"/v1/inbox/{did}/ack", sess.token)
    return await render(
        request, sess, "_inbox_item.html", i=item, priority=PRIORITY, link=subject_link
    )


@router.get("/admin/notify")
async def admin(request: Request, sess: Session = Depends(session)) -> Response:
    api = api_of(request)

    async def get(path: str, **params: Any) -> Any:
        return await api.call("GET", "notify", path, sess.token, params=params)

    rules, recipients, groups, chains, templates, deliveries, dead, gaps = await asyncio.gather(
        get("/v1/rules"),
        get("/v1/recipients"),
        get("/v1/groups"),
        get("/v1/escalation-chains"),
        get("/v1/templates"),
        get("/v1/deliveries", limit=30),
        get("/v1/deliveries", status="failed", limit=30),
        get("/v1/admin/unreachable"),
    )
    return await render(
        request,
        sess,
        "notify_admin.html",
        rules=rules,
        recipients=recipients,
        groups=groups,
        chains=chains,
        templates=templates,
        deliveries=deliveries,
        dead=dead,
        gaps=gaps["items"],
        priority=PRIORITY,
    )


@router.get("/admin/notify/templates/{tid}")
async def template_page(tid: str, request: Request, sess: Session = Depends(session)) -> Response:
    api = api_of(request)
    template = await api.call("GET", "notify", f"/v1/templates/{tid}", sess.token)
    preview = await api.call(
        "POST", "notify", "/v1/templates/preview", sess.token, json={"template_id": tid}
    )
    return await render(request, sess, "template.html", t=template, preview=preview)


@router.post("/admin/notify/preview")
async def preview(
    request: Request,
    event_type: str = Form(...),
    channel: str = Form("*"),
    variant: str = Form("default"),
    title: str = Form(""),
    body: str = Form(""),
    sess: Session = Depends(session),
) -> Response:
    """The unsaved template rendered with the event type's sample data (as notify renders it)."""
    out = await api_of(request).call(
        "POST",
        "notify",
        "/v1/templates/preview",
        sess.token,
        json={
            "template": {
                "event_type": event_type,
                "channel": channel,
                "variant": variant,
                "title": title,
                "body": body,
            }
        },
    )
    return await render(request, sess, "_preview.html", preview=out)
