"""Notification administration: whom notify reaches — recipients (addresses, quiet hours),
groups (members, group robots, quiet hours), each unit's escalation chain (handlers → unit
heads → bureau) — and the gaps page: every rule target that reached nobody, linked to the
form that fixes it. Notify checks what it is given; its refusals show next to the field."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from console.signin import Session, session
from console.units import units
from console.views.common import api_of, render
from console.views.notify_forms import directory, quiet_hours, refuse, robot, text, values
from console.views.registry import redirect

router = APIRouter(include_in_schema=False)
CHAINS = "/admin/notify/chains"


def recipient_body(form: Any, rid: str) -> dict[str, Any]:
    return {
        "id": rid,
        "name": text(form, "name"),
        "unit": text(form, "unit"),
        "subject": text(form, "subject"),
        "email": text(form, "email"),
        "phone": text(form, "phone"),
        "wecom": robot(form, "wecom"),
        "dingtalk": robot(form, "dingtalk"),
        "quiet_hours": quiet_hours(form),
        "active": text(form, "active") == "on",
    }


def group_body(form: Any, gid: str) -> dict[str, Any]:
    return {
        "id": gid,
        "name": text(form, "name"),
        "members": values(form, "members"),
        "wecom": robot(form, "wecom"),
        "dingtalk": robot(form, "dingtalk"),
        "quiet_hours": quiet_hours(form),
    }


def fix_link(gap: dict[str, Any]) -> tuple[str, str]:
    """The form that fills a gap: the unit's chain, the group, or the person."""
    scope = quote(gap["scope"], safe="")
    if gap["kind"] == "unit_level":
        return f"{CHAINS}#chain-{scope}", f"设置{gap['scope_name'] or gap['scope']}的升级链"
    if gap["kind"] == "group":
        return f"/admin/notify/groups/{scope}", "编辑分组成员"
    return f"/admin/notify/recipients/{scope}", "编辑接收人"


@router.get("/admin/notify/recipients")
async def recipients_page(request: Request, sess: Session = Depends(session)) -> Response:
    found = await directory(api_of(request), sess.token)
    return await render(request, sess, "notify_recipients.html", **found)


async def _person_page(
    request: Request, sess: Session, template: str, item: dict[str, Any] | None
) -> Response:
    found = await directory(api_of(request), sess.token)
    return await render(request, sess, template, item=item, new=item is None, **found)


@router.get("/admin/notify/recipients/new")
async def new_recipient(request: Request, sess: Session = Depends(session)) -> Response:
    return await _person_page(request, sess, "notify_recipient.html", None)


@router.get("/admin/notify/recipients/{rid}")
async def recipient_page(rid: str, request: Request, sess: Session = Depends(session)) -> Response:
    item = await api_of(request).call("GET", "notify", f"/v1/recipients/{quote(rid)}", sess.token)
    return await _person_page(request, sess, "notify_recipient.html", item)


@router.post("/admin/notify/recipients")
async def create_recipient(request: Request, sess: Session = Depends(session)) -> Response:
    form = await request.form()
    body = recipient_body(form, text(form, "id"))
    await api_of(request).call("POST", "notify", "/v1/recipients", sess.token, json=body)
    return redirect(f"/admin/notify/recipients?done=created&id={quote(body['id'])}")


@router.post("/admin/notify/recipients/{rid}")
async def save_recipient(rid: str, request: Request, sess: Session = Depends(session)) -> Response:
    body = recipient_body(await request.form(), rid)
    path = f"/v1/recipients/{quote(rid)}"
    await api_of(request).call("PUT", "notify", path, sess.token, json=body)
    return redirect(f"/admin/notify/recipients?done=saved&id={quote(rid)}")


@router.post("/admin/notify/recipients/{rid}/delete")
async def delete_recipient(
    rid: str, request: Request, sess: Session = Depends(session)
) -> Response:
    await api_of(request).call("DELETE", "notify", f"/v1/recipients/{quote(rid)}", sess.token)
    return redirect("/admin/notify/recipients?done=deleted")


@router.get("/admin/notify/groups/new")
async def new_group(request: Request, sess: Session = Depends(session)) -> Response:
    return await _person_page(request, sess, "notify_group.html", None)


@router.get("/admin/notify/groups/{gid}")
async def group_page(gid: str, request: Request, sess: Session = Depends(session)) -> Response:
    item = await api_of(request).call("GET", "notify", f"/v1/groups/{quote(gid)}", sess.token)
    return await _person_page(request, sess, "notify_group.html", item)


@router.post("/admin/notify/groups")
async def create_group(request: Request, sess: Session = Depends(session)) -> Response:
    form = await request.form()
    body = group_body(form, text(form, "id"))
    await api_of(request).call("POST", "notify", "/v1/groups", sess.token, json=body)
    return redirect(f"/admin/notify/recipients?done=group-created&id={quote(body['id'])}")


@router.post("/admin/notify/groups/{gid}")
async def save_group(gid: str, request: Request, sess: Session = Depends(session)) -> Response:
    body = group_body(await request.form(), gid)
    await api_of(request).call("PUT", "notify", f"/v1/groups/{quote(gid)}", sess.token, json=body)
    return redirect(f"/admin/notify/recipients?done=group-saved&id={quote(gid)}")


@router.post("/admin/notify/groups/{gid}/delete")
async def delete_group(gid: str, request: Request, sess: Session = Depends(session)) -> Response:
    await api_of(request).call("DELETE", "notify", f"/v1/groups/{quote(gid)}", sess.token)
    return redirect("/admin/notify/recipients?done=group-deleted")


@router.get(CHAINS)
async def chains_page(request: Request, sess: Session = Depends(session)) -> Response:
    """Every unit's chain; a registry unit's handlers and head are the registry's (read only)."""
    api = api_of(request)
    chains, found, registry = await asyncio.gather(
        api.call("GET", "notify", "/v1/escalation-chains", sess.token),
        directory(api, sess.token),
        units(api, sess.token),
    )
    have = {c["unit"] for c in chains}
    missing = [u for u in registry if u.id not in have]
    return await render(
        request, sess, "notify_chains.html", chains=chains, missing=missing, **found
    )


@router.post(CHAINS)
async def create_chain(request: Request, sess: Session = Depends(session)) -> Response:
    """A chain for a unit outside the complaints registry (rules' unit attribute names it)."""
    form = await request.form()
    unit = text(form, "unit")
    if not unit:
        raise refuse("unit", "单位", "请填写单位编号")
    return await _put_chain(request, sess, unit, form)


async def _put_chain(request: Request, sess: Session, unit: str, form: Any) -> Response:
    body = {k: values(form, k) for k in ("handlers", "unit_heads", "bureau")}
    path = f"/v1/escalation-chains/{quote(unit, safe='')}"
    await api_of(request).call("PUT", "notify", path, sess.token, json=body)
    anchor = quote(unit, safe="")
    return redirect(f"{CHAINS}?done=saved&unit={anchor}#chain-{anchor}")


@router.post(CHAINS + "/{unit}")
async def save_chain(unit: str, request: Request, sess: Session = Depends(session)) -> Response:
    """Set a unit's chain (`*`: every unit without its own)."""
    return await _put_chain(request, sess, unit, await request.form())


@router.post(CHAINS + "/{unit}/delete")
async def delete_chain(unit: str, request: Request, sess: Session = Depends(session)) -> Response:
    path = f"/v1/escalation-chains/{quote(unit, safe='')}"
    await api_of(request).call("DELETE", "notify", path, sess.token)
    return redirect(f"{CHAINS}?done=deleted")


@router.get("/admin/notify/gaps")
async def gaps_page(request: Request, sess: Session = Depends(session)) -> Response:
    """Open gaps (and, on request, the ones filled since), each with the form that fixes it."""
    closed = request.query_params.get("closed") == "1"
    found = await api_of(request).call(
        "GET", "notify", "/v1/admin/unreachable", sess.token, params={"include_closed": closed}
    )
    gaps = [g | {"fix": fix_link(g)} for g in found["items"]]
    return await render(request, sess, "notify_gaps.html", gaps=gaps, closed=closed)
