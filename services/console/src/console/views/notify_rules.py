"""Notification administration: routing rules — the list (enable/disable, delete), and one
form to create or edit a rule: its event and conditions, channels, whom it reaches first and
the escalation steps that follow when nobody acknowledges, priority, digest. Notify checks
every rule it is given; its refusals are shown next to the field they name."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from console.signin import Session, session
from console.views.common import api_of, render
from console.views.inbox import PRIORITY
from console.views.notify_forms import (
    CHANNELS,
    DIGESTS,
    ESCALATION_STEPS,
    KINDS,
    UNIT_LEVELS,
    conditions,
    directory,
    targets,
    text,
    values,
    whole_number,
)
from console.views.registry import redirect

router = APIRouter(include_in_schema=False)


def rule_body(form: Any, rid: str) -> dict[str, Any]:
    """The submitted form as notify's RuleIn."""
    steps = [targets(form, f"escalation.{i}") for i in range(ESCALATION_STEPS)]
    return {
        "id": rid,
        "name": text(form, "name"),
        "event_type": text(form, "event_type"),
        "channels": values(form, "channels"),
        "targets": targets(form, "targets"),
        "conditions": conditions(form),
        "priority": text(form, "priority") or "normal",
        "template_variant": text(form, "template_variant") or "default",
        "unit_attr": text(form, "unit_attr") or "unit_id",
        "digest": text(form, "digest") or None,
        "ack_within_minutes": whole_number(form, "ack_within_minutes", "确认时限"),
        "escalation": [s for s in steps if s],
        "enabled": text(form, "enabled") == "on",
    }


def describe(rule: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    """A rule's targets and steps as people read them."""

    def who(ts: list[dict[str, str]]) -> str:
        return "、".join(
            UNIT_LEVELS.get(t["ref"], t["ref"])
            if t["kind"] == "unit"
            else f"{KINDS[t['kind']]} {names.get(t['kind'] + ':' + t['ref'], t['ref'])}"
            for t in ts
        )

    return rule | {"who": who(rule["targets"]), "steps": [who(s) for s in rule["escalation"]]}


async def _form_page(
    request: Request, sess: Session, rule: dict[str, Any] | None, new: bool
) -> Response:
    api = api_of(request)
    types, found = await asyncio.gather(
        api.call("GET", "notify", "/v1/event-types", sess.token), directory(api, sess.token)
    )
    picked = {
        "targets": {f"{t['kind']}:{t['ref']}" for t in (rule or {}).get("targets", [])},
        **{
            f"escalation.{i}": {f"{t['kind']}:{t['ref']}" for t in step}
            for i, step in enumerate((rule or {}).get("escalation", []))
        },
    }
    lines = [
        f"{c['attr']} {'!=' if c['negate'] else '='} {', '.join(c['values'])}"
        for c in (rule or {}).get("conditions", [])
    ]
    return await render(
        request,
        sess,
        "notify_rule.html",
        r=rule,
        new=new,
        event_types=types,
        picked=picked,
        condition_text="\n".join(lines),
        channels=CHANNELS,
        digests=DIGESTS,
        levels=UNIT_LEVELS,
        priority=PRIORITY,
        steps=ESCALATION_STEPS,
        **found,
    )


@router.get("/admin/notify/rules")
async def rules_page(request: Request, sess: Session = Depends(session)) -> Response:
    api = api_of(request)
    rules, found = await asyncio.gather(
        api.call("GET", "notify", "/v1/rules", sess.token), directory(api, sess.token)
    )
    names = {f"recipient:{p['id']}": p["name"] for p in found["recipients"]} | {
        f"group:{g['id']}": g["name"] for g in found["groups"]
    }
    return await render(
        request,
        sess,
        "notify_rules.html",
        rules=[describe(r, names) for r in sorted(rules, key=lambda r: r["event_type"])],
        channels=CHANNELS,
        digests=DIGESTS,
        priority=PRIORITY,
    )


@router.get("/admin/notify/rules/new")
async def new_rule_page(request: Request, sess: Session = Depends(session)) -> Response:
    return await _form_page(request, sess, None, new=True)


@router.get("/admin/notify/rules/{rid}")
async def rule_page(rid: str, request: Request, sess: Session = Depends(session)) -> Response:
    rule = await api_of(request).call("GET", "notify", f"/v1/rules/{quote(rid)}", sess.token)
    return await _form_page(request, sess, rule, new=False)


@router.post("/admin/notify/rules")
async def create_rule(request: Request, sess: Session = Depends(session)) -> Response:
    """Create a rule (notify: 409 if the id is taken, 422 naming the field)."""
    form = await request.form()
    body = rule_body(form, text(form, "id"))
    await api_of(request).call("POST", "notify", "/v1/rules", sess.token, json=body)
    return redirect(f"/admin/notify/rules?done=created&rule={quote(body['id'])}")


@router.post("/admin/notify/rules/{rid}")
async def save_rule(rid: str, request: Request, sess: Session = Depends(session)) -> Response:
    """Replace a rule with the form's content."""
    body = rule_body(await request.form(), rid)
    await api_of(request).call("PUT", "notify", f"/v1/rules/{quote(rid)}", sess.token, json=body)
    return redirect(f"/admin/notify/rules?done=saved&rule={quote(rid)}")


@router.post("/admin/notify/rules/{rid}/enabled")
async def toggle_rule(rid: str, request: Request, sess: Session = Depends(session)) -> Response:
    """Enable or disable a rule (the rule as notify holds it, with `enabled` flipped)."""
    api = api_of(request)
    rule = await api.call("GET", "notify", f"/v1/rules/{quote(rid)}", sess.token)
    rule["enabled"] = text(await request.form(), "enabled") == "on"
    await api.call("PUT", "notify", f"/v1/rules/{quote(rid)}", sess.token, json=rule)
    return redirect(f"/admin/notify/rules?done={'on' if rule['enabled'] else 'off'}")


@router.post("/admin/notify/rules/{rid}/delete")
async def delete_rule(rid: str, request: Request, sess: Session = Depends(session)) -> Response:
    await api_of(request).call("DELETE", "notify", f"/v1/rules/{quote(rid)}", sess.token)
    return redirect("/admin/notify/rules?done=deleted")
