"""The console's part 2 in a real browser: a planner imports a table (two bad rows refused,
then fixed and imported), reads the roll-ups (108.1905亿元) and asks for an adjustment a
supervisor approves; an emergency officer registers an incident and sees it on the map with its
clock; the unit head acknowledges a critical notice; an administrator previews a template."""

from __future__ import annotations

import csv
import io
import uuid
from typing import Any

import httpx
import jwt
import pytest
from playwright.async_api import Page, expect

from qingshan_core.testing.browser import http_port
from qingshan_core.testing.identity import Provider

from .console_pages import PASSWORDS, console, document, sign_in, token

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
CSV = "text/csv"


async def call(service: str, method: str, path: str, role: str, **kw: Any) -> httpx.Response:
    base = f"http://127.0.0.1:{http_port(service)}"
    headers = {"Authorization": f"Bearer {token(role)}"}
    async with httpx.AsyncClient(base_url=base, timeout=30) as c:
        r = await c.request(method, path, headers=headers, **kw)
    assert r.status_code < 300, r.text
    return r


async def reserve_rows() -> list[dict[str, str]]:
    r = await call("projects", "GET", "/v1/export", "supervisor", params={"format": "csv"})
    return list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))


def table(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO(newline="")
    w = csv.DictWriter(out, fieldnames=list(rows[0]))
    w.writeheader()
    w.writerows(rows)
    return out.getvalue().encode("utf-8")


async def test_a_planner_imports_two_bad_rows_fixes_them_and_reads_the_rollups(
    live_stack, page: Page
) -> None:
    rows = await reserve_rows()
    await sign_in(page, "planner", "/reserve")
    assert page.url.endswith("/reserve")
    await expect(page.get_by_test_id("total")).to_contain_text("共")
    await document(page, "reserve-table")

    bad = [dict(r) for r in rows]
    bad[1]["years"] = "2025-2021"
    bad[3]["investment_wan"] = "一百五十"
    await page.goto(console() + "/reserve/import")
    await page.set_input_files(
        "#file", files=[{"name": "储备库.csv", "mimeType": CSV, "buffer": table(bad)}]
    )
    await page.click("[data-form=import] button")
    refused = page.get_by_test_id("refused")
    await expect(refused).to_contain_text("未写入任何数据")
    await expect(refused.locator("tr[data-refused-row]")).to_have_count(2)
    await expect(refused.locator("tr[data-refused-row='3']")).to_contain_text("实施年度")
    await expect(refused.locator("tr[data-refused-row='5']")).to_contain_text("投资")
    await document(page, "reserve-import-refused")

    fixed = [dict(r) for r in rows]
    extra = "、区发展改革委"
    lead = fixed[0]["lead_units"]
    fixed[0]["lead_units"] = lead[: -len(extra)] if lead.endswith(extra) else lead + extra
    await page.set_input_files(
        "#file", files=[{"name": "储备库.csv", "mimeType": CSV, "buffer": table(fixed)}]
    )
    await page.click("[data-form=import] button")
    preview = page.get_by_test_id("preview")
    await expect(preview.locator("[data-count=corrected]")).to_have_text("1")
    await expect(preview.locator("[data-count=added]")).to_have_text("0")
    await document(page, "reserve-import-preview")
    await page.click("[data-confirm=import]")
    await expect(page.get_by_test_id("imported")).to_contain_text("导入成功")
    assert (await reserve_rows())[0]["lead_units"] == fixed[0]["lead_units"]

    await page.goto(console() + "/reserve/rollups")
    await expect(page.get_by_test_id("total-sentence")).to_contain_text("108.1905亿元")
    await document(page, "reserve-rollups")
    await page.fill("#as-of", "2020-01-01")
    await page.click("form[aria-label='截至日期'] button")
    await expect(page).to_have_url(console() + "/reserve/rollups?as_of=2020-01-01")
    await expect(page.get_by_test_id("total-sentence")).not_to_contain_text("108.1905亿元")
    await page.goto(console() + "/reserve/indicators")
    await expect(page.locator("tr[data-indicator]").first).to_be_visible()
    await document(page, "reserve-indicators")


async def test_a_planner_asks_for_an_adjustment_and_a_supervisor_approves_it(
    live_stack, page: Page, browser
) -> None:
    sid = (await call("projects", "GET", "/v1/subitems", "supervisor", params={"limit": 1})).json()[
        "items"
    ][0]["id"]
    place = f"东城街道工业园{uuid.uuid4().hex[:4]}号地块"
    await sign_in(page, "planner", f"/reserve/subitems/{sid}")
    await page.select_option("#adj-kind", "site")
    await page.fill("#adj-reason", "原址用地未落实，调整至工业园")
    await page.fill("#adj-location", place)
    await page.click("[data-action=adjust] button")
    await page.wait_for_url(f"**/reserve/subitems/{sid}?done=adjust")
    mine = page.locator("tr[data-status=pending]").last
    await expect(mine).to_contain_text("本人申请，须由他人审批")
    await expect(mine.locator("[data-decide=approve]")).to_have_count(0)
    await document(page, "reserve-subitem")

    boss = await (
        await browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    ).new_page()
    await sign_in(boss, "supervisor", "/reserve/adjustments")
    await expect(boss.locator("tbody")).to_contain_text("原址用地未落实")
    await boss.goto(console() + f"/reserve/subitems/{sid}")
    await boss.locator("tr[data-status=pending]").last.locator("[data-decide=approve]").click()
    await boss.wait_for_url(f"**/reserve/subitems/{sid}?done=approve")
    await expect(boss.get_by_test_id("location")).to_have_text(place)
    await page.reload()
    await expect(page.get_by_test_id("location")).to_have_text(place)


async def test_an_emergency_officer_registers_an_incident_and_sees_it_on_the_map(
    live_stack, page: Page
) -> None:
    title = f"大溪河油污带 {uuid.uuid4().hex[:4]}"
    await sign_in(page, "emergency", "/risk/incidents")
    await page.fill("#i-title", title)
    await page.select_option("#i-grade", "IV")
    await page.check("input[name=media][value=water]")
    await page.fill("#i-river", "大溪河")
    await page.fill("#lat", "29.15")
    await page.fill("#lon", "107.2")
    await document(page, "risk-incident-register")
    await page.click("[data-form=incident] button[type=submit]")
    await page.wait_for_url("**/risk/incidents/*?done=register")
    clock = page.get_by_test_id("report-clock")
    await expect(clock).to_have_attribute("data-hours", "4")
    await expect(clock.locator(".countdown")).to_contain_text("剩余 3:")
    first = await clock.locator(".countdown").inner_text()
    await expect(clock.locator(".countdown")).not_to_have_text(first)  # it counts down
    await expect(page.get_by_test_id("cross-boundary")).to_contain_text("武隆区")
    await document(page, "risk-incident")

    await page.goto(console() + "/risk/map")
    await expect(page.locator("#riskmap[data-loaded]")).to_have_count(1)
    item = page.get_by_test_id("map-list").locator("li[data-kind=incident]", has_text=title)
    await expect(item).to_have_count(1)
    await document(page, "risk-map")
    await page.uncheck("[data-layer=incident]")
    await expect(item).to_have_count(0)
    await page.check("[data-layer=incident]")
    await item.locator("a").click()
    await page.wait_for_url("**/risk/incidents/*")
    await expect(page.locator("h1")).to_have_text(title)


async def test_the_unit_head_acknowledges_a_critical_notice(
    live_stack, page: Page, identity: Provider
) -> None:
    # The inbox is the token subject's: the unit head's subject is the provider's id of them.
    token_ = await identity.password("head-town-01", PASSWORDS["head-town-01"])
    subject = jwt.decode(token_, options={"verify_signature": False})["sub"]
    rid = "demo-unit-head-01"
    body = {"id": rid, "name": "黄伟", "unit": "town-01", "subject": subject}
    base = f"http://127.0.0.1:{http_port('notify')}"
    async with httpx.AsyncClient(base_url=base, timeout=30) as c:
        r = await c.post(
            "/v1/recipients", json=body, headers={"Authorization": f"Bearer {token('admin')}"}
        )
        assert r.status_code in (200, 201, 409), r.text
    tag = uuid.uuid4().hex[:6]
    await call(
        "notify",
        "POST",
        "/v1/notifications",
        "supervisor",
        json={
            "idempotency_key": tag,
            "recipient_ids": [rid],
            "channels": ["inbox"],
            "title": f"东城街道案件超期未办结 {tag}",
            "body": "请立即督促办理并回复。",
            "priority": "critical",
        },
    )
    await sign_in(page, "head-town-01", "/inbox")
    assert page.url.endswith("/inbox")
    item = page.locator(".inbox-item", has_text=tag)
    await expect(item).to_have_attribute("data-priority", "critical")
    await expect(item.get_by_test_id("escalation")).to_be_visible()
    await document(page, "inbox")
    await item.locator("[data-ack]").click()
    await expect(
        page.locator(".inbox-item", has_text=tag).get_by_test_id("acknowledged")
    ).to_be_visible()
    await page.reload()
    await expect(page.locator(".inbox-item", has_text=tag)).to_have_class(
        "inbox-item critical read"
    )


async def test_an_administrator_previews_a_template(live_stack, page: Page) -> None:
    await sign_in(page, "admin", "/admin/notify")
    await document(page, "notify-admin")
    await page.locator("[data-template*='IncidentRegistered']").first.click()
    await page.wait_for_url("**/admin/notify/templates/*")
    shown = page.locator("#preview .preview-title")
    await expect(shown).to_contain_text("突发环境事件")  # rendered from the sample event
    sample = await shown.inner_text()
    await page.fill("#t-title", "【预览测试】{{ data.title }}")  # unsaved: previewed as typed
    await expect(shown).to_contain_text("【预览测试】")
    assert (await shown.inner_text()).replace("【预览测试】", "") in sample
    await document(page, "notify-template")
