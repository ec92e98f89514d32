"""Notification administration that changes things (the pages that read are in views/inbox.py):
a template saved after its live preview, and a dead letter resent (notify resends it once, as a
new delivery, and records who and when)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from console.signin import Session, session
from console.views.common import api_of, render

router = APIRouter(include_in_schema=False)


@router.post("/admin/notify/templates/{tid}")
async def save_template(
    tid: str,
    request: Request,
    event_type: str = Form(...),
    channel: str = Form("*"),
    variant: str = Form("default"),
    title: str = Form(""),
    body: str = Form(""),
    description: str = Form(""),
    sess: Session = Depends(session),
) -> Response:
    """Replace the template's text (notify checks it renders; a refusal names the field)."""
    template = {
        "event_type": event_type,
        "channel": channel,
        "variant": variant,
        "title": title,
        "body": body,
        "description": description,
    }
    await api_of(request).call("PUT", "notify", f"/v1/templates/{tid}", sess.token, json=template)
    return Response(
        status_code=204, headers={"HX-Redirect": f"/admin/notify/templates/{tid}?done=save"}
    )


@router.post("/admin/notify/deliveries/{did}/resend")
async def resend(did: str, request: Request, sess: Session = Depends(session)) -> Response:
    """Resend a dead letter; asked twice, notify answers with the same resend."""
    out = await api_of(request).call(
        "POST", "notify", f"/v1/deliveries/{did}/resend", sess.token, json={}
    )
    return await render(request, sess, "_dead_letter.html", d=out["dead_letter"], new=out["resend"])
