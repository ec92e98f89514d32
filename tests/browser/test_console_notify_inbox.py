"""The inbox in a real browser: a case assigned to 东城街道 fires a critical rule that needs
acknowledgement; the unit head sees the notice with its escalation chain as notify holds it
(the rule's steps, whom each reaches, which were taken) and opens it onto the case page."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import jwt
import pytest
from playwright.async_api import Page, expect

from qingshan_core.testing.browser import http_port
from qingshan_core.testing.identity import Provider

from .console_pages import PASSWORDS, api, document, new_case, sign_in, token

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
ASSIGNED = "qingshan.complaints.v1.ComplaintAssigned"


async def notify(method: str, path: str, **kw: Any) -> httpx.Response:
    base = f"http://127.0.0.1:{http_port('notify')}"
    headers = {"Authorization": f"Bearer {token('admin')}"}
    async with httpx.AsyncClient(base_url=base, timeout=30) as c:
        return await c.request(method, path, headers=headers, **kw)


async def test_the_unit_head_opens_a_critical_notice_onto_its_case(
    live_stack, page: Page, identity: Provider
) -> None:
    # The inbox is the token subject's: the unit head's subject is the provider's id of them.
    token_ = await identity.password("head-town-01", PASSWORDS["head-town-01"])
    subject = jwt.decode(token_, options={"verify_signature": False})["sub"]
    rid = "demo-unit-head-01"
    person = {
        "id": rid,
        "name": "黄伟",
        "unit": "town-01",
        "subject": subject,
        "quiet_hours": {"enabled": False},
    }
    r = await notify("PUT", f"/v1/recipients/{rid}", json=person)
    if r.status_code == 404:
        r = await notify("POST", "/v1/recipients", json=person)
    assert r.status_code in (200, 201), r.text
    case = await new_case()
    rule = {
        "id": f"inbox-{uuid.uuid4().hex[:6]}",
        "name": "交办即告知单位负责人（浏览器测试）",
        "event_type": ASSIGNED,
        "channels": ["inbox"],
        "targets": [{"kind": "recipient", "ref": rid}],
        "conditions": [{"attr": "complaint_id", "values": [case["id"]]}],
        "priority": "critical",
        "ack_within_minutes": 30,
        "escalation": [[{"kind": "unit", "ref": "bureau"}]],
    }
    r = await notify("POST", "/v1/rules", json=rule)
    assert r.status_code == 201, r.text
    try:
        await api(
            "POST", f"/v1/complaints/{case['id']}/assign", "operator", json={"unit_id": "town-01"}
        )
        await sign_in(page, "head-town-01", "/inbox")
        item = page.locator(".inbox-item", has=page.locator(f"a[href='/cases/{case['id']}']"))
        for _ in range(30):  # the event travels complaints → Kafka → notify
            if await item.count():
                break
            await page.wait_for_timeout(1000)
            await page.reload()
        await expect(item).to_have_attribute("data-priority", "critical")
        chain = item.get_by_test_id("escalation")
        steps = chain.locator("ol.chain > li")
        await expect(steps).to_have_count(2)
        await expect(steps.nth(0)).to_contain_text("黄伟")
        await expect(steps.nth(0)).to_contain_text("已通知")
        await expect(steps.nth(1)).to_contain_text("局督办")
        await expect(steps.nth(1)).to_contain_text("未到")
        await document(page, "inbox-chain")
        await item.locator("a[data-subject]").click()
        await page.wait_for_url(f"**/cases/{case['id']}")
        await expect(page.locator("h1")).to_contain_text(case["id"])
    finally:
        await notify("DELETE", f"/v1/rules/{rule['id']}")
