"""Notification administration in a real browser: an administrator edits a template, previews
it from its event's sample and saves it (notify then holds the new text); and resends a dead
letter from the page (notify marks it resent by them, once)."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest
from playwright.async_api import Page, expect

from qingshan_core.testing.browser import http_port

from .console_pages import console, document, sign_in, token

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


async def notify(method: str, path: str, **kw: Any) -> httpx.Response:
    base = f"http://127.0.0.1:{http_port('notify')}"
    headers = {"Authorization": f"Bearer {token('admin')}"}
    async with httpx.AsyncClient(base_url=base, timeout=30) as c:
        return await c.request(method, path, headers=headers, **kw)


async def a_dead_letter() -> dict[str, Any]:
    """A direct SMS to a person: the suite's stack has no SMS gateway, so it fails for good
    and goes to the dead-letter topic. The person keeps no quiet hours, so the SMS goes at
    once whatever the hour the suite runs at (otherwise it would be held until 07:00)."""
    rid = f"dl-{uuid.uuid4().hex[:6]}"
    person = {
        "id": rid,
        "name": "陈静",
        "phone": "13900001111",
        "quiet_hours": {"enabled": False},
    }
    r = await notify("POST", "/v1/recipients", json=person)
    assert r.status_code == 201, r.text
    r = await notify(
        "POST",
        "/v1/notifications",
        json={
            "idempotency_key": rid,
            "recipient_ids": [rid],
            "channels": ["sms"],
            "title": f"值班提醒 {rid}",
        },
    )
    assert r.status_code == 200, r.text
    [delivery] = r.json()["deliveries"]
    for _ in range(100):
        d = (await notify("GET", f"/v1/deliveries/{delivery['id']}")).json()
        if d["dead_lettered"]:
            return dict(d)
        await asyncio.sleep(0.2)
    raise AssertionError(f"never dead-lettered: {d}")


async def test_an_administrator_saves_a_template_and_resends_a_dead_letter(
    live_stack, page: Page
) -> None:
    templates = (await notify("GET", "/v1/templates")).json()
    template = next(t for t in templates if "IncidentRegistered" in t["id"])
    tid = template["id"]
    try:
        await sign_in(page, "admin", f"/admin/notify/templates/{tid}")
        shown = page.locator("#preview .preview-title")
        await expect(shown).to_contain_text("突发环境事件")
        await page.fill("#t-title", "【续报请关注】{{ data.title }}")
        await expect(shown).to_contain_text("【续报请关注】")  # previewed as typed, unsaved
        assert (await notify("GET", f"/v1/templates/{tid}")).json()["title"] == template["title"]
        await page.click("[data-save=template]")
        await page.wait_for_url(f"**/admin/notify/templates/{tid}?done=save")
        await expect(page.get_by_test_id("saved")).to_be_visible()
        await expect(page.locator("#t-title")).to_have_value("【续报请关注】{{ data.title }}")
        saved = (await notify("GET", f"/v1/templates/{tid}")).json()
        assert (
            saved["title"] == "【续报请关注】{{ data.title }}" and saved["body"] == template["body"]
        )

        await page.fill("#t-title", "{{ data.title")  # does not render: refused, nothing saved
        await page.click("[data-save=template]")
        await expect(page.locator("#preview-error .alert")).to_be_visible()
        assert (await notify("GET", f"/v1/templates/{tid}")).json()["title"] == saved["title"]
        await document(page, "notify-template-saved")
    finally:
        keep = {k: template[k] for k in ("event_type", "channel", "variant", "title", "body")}
        r = await notify(
            "PUT",
            f"/v1/templates/{tid}",
            json=keep | {"description": template.get("description", "")},
        )
        assert r.status_code == 200, r.text

    letter = await a_dead_letter()
    await page.goto(console() + "/admin/notify")
    item = page.locator(f"li[data-dead='{letter['id']}']")
    await expect(item).to_contain_text("死信")
    await item.locator("[data-resend]").click()
    await expect(item.get_by_test_id("resent")).to_contain_text("重发")
    stored = (await notify("GET", f"/v1/deliveries/{letter['id']}")).json()
    assert stored["resent_by"].startswith("admin:") and stored["resent_at"]
    resend = (await notify("GET", f"/v1/deliveries/{stored['resent_as']}")).json()
    assert resend["title"] == letter["title"] and resend["recipient"] == letter["recipient"]
    await page.reload()
    await expect(page.locator(f"li[data-dead='{letter['id']}'] [data-resend]")).to_have_count(0)
    await document(page, "notify-dead-letters")
