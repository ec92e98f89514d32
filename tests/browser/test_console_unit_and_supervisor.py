"""The handling unit's workbench and the supervisor's dashboard in a real browser: the unit
signs and replies with a template, notes apart from the reply, never sees who reported, and
cannot open another unit's case; the supervisor sees the rates change, exports them, approves
an extension, reveals an identity with its purpose (audited), and issues 督办 from the 问题清单
and the case page, which the unit head finds in the inbox."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import date, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest
from openpyxl import load_workbook
from playwright.async_api import Page, expect

from qingshan_core.testing.browser import http_port
from qingshan_core.testing.identity import Provider
from qingshan_core.workdays import SHANGHAI

from .console_pages import PASSWORDS, api, console, document, new_case, sign_in, token

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


async def _rates_row(page: Page, unit: str) -> tuple[str, str]:
    row = page.locator(f"tr[data-unit='{unit}']")
    return (
        await row.locator("[data-rate=assignment]").inner_text(),
        await row.locator("[data-rate=on_time]").inner_text(),
    )


async def test_unit_signs_and_replies_and_the_supervisor_sees_the_rates(
    live_stack, page: Page, browser
) -> None:
    case = await new_case()
    cid = case["id"]
    await api("POST", f"/v1/complaints/{cid}/assign", "operator", json={"unit_id": "town-01"})
    period = f"from={date.today()}&to={date.today() + timedelta(days=60)}"

    boss = await browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    supervisor = await boss.new_page()
    await sign_in(supervisor, "supervisor", f"/dashboard?{period}")
    before = await _rates_row(supervisor, "town-01")

    await sign_in(page, "handler-town-01")
    await expect(page.get_by_test_id("me")).to_contain_text("东城街道")
    await expect(page.locator(f"tr[data-case='{cid}']")).to_be_visible()  # in 我的
    await expect(page.locator("#f-phone")).to_have_count(0)  # no search by the caller's phone
    await document(page, "unit-workbench")
    await page.goto(console() + f"/cases/{cid}")
    await expect(page.locator("text=对承办单位保密")).to_be_visible()
    await expect(page.locator("body")).not_to_contain_text("138")
    await expect(page.locator("body")).not_to_contain_text("王*")
    await page.click("[data-action=accept] button")
    await page.wait_for_url(f"**/cases/{cid}?done=accept")
    await expect(page.get_by_test_id("status")).to_have_text("签收")

    await page.fill("#note-text", "已约施工方明早现场核查")
    await page.click("#notes button")
    await expect(page.locator("#notes .note-text")).to_have_text("已约施工方明早现场核查")
    await page.select_option("#reply-template", label="已查处整改")
    await expect(page.locator("#reply-text")).to_have_value(
        lambda_text := await page.locator("#reply-template option:checked").get_attribute("value")
        or ""
    )
    await document(page, "unit-case")
    await page.click("[data-action=reply] button")
    await page.wait_for_url(f"**/cases/{cid}?done=reply")
    await expect(page.get_by_test_id("reply")).to_have_text(lambda_text)
    await expect(page.locator("#notes .note-text")).to_have_text("已约施工方明早现场核查")

    await supervisor.reload()
    after = await _rates_row(supervisor, "town-01")
    assert after != before, (before, after)
    await document(supervisor, "supervisor-dashboard")
    async with supervisor.expect_download() as got:
        await supervisor.click("[data-export=rates-csv]")
    rows = list(csv.reader(io.StringIO((await (await got.value).path()).read_text("utf-8-sig"))))
    assert rows[0][0] == "单位" and any(r[0] == "东城街道" for r in rows)
    async with supervisor.expect_download() as got:
        await supervisor.click("[data-export=rates-xlsx]")
    download = await got.value
    assert download.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO((await download.path()).read_bytes())).active
    assert sheet is not None and sheet["A1"].value == "单位" and sheet["D1"].value == "交办率(%)"
    await boss.close()


async def test_a_unit_cannot_open_another_units_case(live_stack, page: Page) -> None:
    case = await new_case()
    await api(
        "POST", f"/v1/complaints/{case['id']}/assign", "operator", json={"unit_id": "town-01"}
    )
    await sign_in(page, "handler-town-02")
    response = await page.goto(console() + f"/cases/{case['id']}")
    assert response is not None and response.status == 404
    await expect(page.locator(".alert")).to_contain_text("未找到")
    await expect(page.locator("body")).not_to_contain_text(case["description"])


async def test_supervisor_approves_an_extension_and_reveals_the_reporter(
    live_stack, page: Page
) -> None:
    case = await new_case(complainant={"name": "赵六", "phone": "13600002222"})
    cid = case["id"]
    await api("POST", f"/v1/complaints/{cid}/assign", "operator", json={"unit_id": "town-02"})
    await api("POST", f"/v1/complaints/{cid}/accept", "unit_handler", "town-02")
    await api(
        "POST",
        f"/v1/complaints/{cid}/extend",
        "unit_handler",
        "town-02",
        json={"amount": 3, "reason": "需等待监测报告"},
    )
    await sign_in(page, "supervisor", "/dashboard")
    await expect(page.locator(f"[data-extension='{cid}']")).to_be_visible()
    await page.locator(f"[data-extension='{cid}'] button").click()
    await page.wait_for_url(f"**/cases/{cid}?done=approve-extension")
    await expect(page.locator(".notice")).to_contain_text("已批准延期")
    await expect(page.locator("body")).to_contain_text("赵*")  # masked until revealed
    await page.click("text=查看举报人身份（留痕）")
    await page.fill("#purpose", "有奖举报核实")
    await page.click(".reveal button")
    await expect(page.get_by_test_id("revealed-phone")).to_have_text("13600002222")
    await expect(page.locator(".identity")).to_contain_text("本次查看已留痕（事由：有奖举报核实）")
    await document(page, "supervisor-case-reveal")


async def notify(method: str, path: str, **kw: Any) -> httpx.Response:
    base = f"http://127.0.0.1:{http_port('notify')}"
    headers = {"Authorization": f"Bearer {token('admin')}"}
    async with httpx.AsyncClient(base_url=base, timeout=30) as c:
        return await c.request(method, path, headers=headers, **kw)


async def town_01_head(identity: Provider) -> str:
    """The demo unit head of 东城街道 as notify's recipient (the inbox is the token subject's)
    and as the head of town-01 in complaints' registry, which notify's chain then follows. No
    quiet hours: the 督办 notice is high priority, not critical, and the suite runs at night."""
    sign_in_token = await identity.password("head-town-01", PASSWORDS["head-town-01"])
    subject = jwt.decode(sign_in_token, options={"verify_signature": False})["sub"]
    rid = "demo-unit-head-01"
    person = {
        "id": rid,
        "name": "黄伟",
        "unit": "town-01",
        "subject": subject,
        "quiet_hours": {"enabled": False},
    }
    r = await notify("POST", "/v1/recipients", json=person)
    if r.status_code == 409:
        r = await notify("PUT", f"/v1/recipients/{rid}", json=person)
    assert r.status_code in (200, 201), r.text
    await api("PATCH", "/v1/units/town-01", "admin", json={"head": rid})
    for _ in range(100):
        chains = (await notify("GET", "/v1/escalation-chains")).json()
        if any(c["unit"] == "town-01" and c["unit_heads"] == [rid] for c in chains):
            return rid
        await asyncio.sleep(0.3)
    raise AssertionError(f"notify never took {rid} as town-01's head")


async def _head_finds_both_notices(browser, cid: str) -> None:  # type: ignore[no-untyped-def]
    """The unit head signs in and finds both 督办 notices in the inbox."""
    head = await browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    inbox = await head.new_page()
    await sign_in(inbox, "head-town-01", "/inbox")
    notice = inbox.locator(".inbox-item", has_text=f"【局督办】投诉{cid}（第1次）")
    again = inbox.locator(".inbox-item", has_text=f"【局督办】投诉{cid}（第2次）")
    for _ in range(60):  # through complaints' outbox, Kafka and notify's rule
        if await notice.count() and await again.count():
            break
        await asyncio.sleep(1)
        await inbox.reload()
    await expect(notice).to_contain_text("群众多次反映，请两日内现场核查并回复")
    await expect(notice).to_have_attribute("data-priority", "high")
    await expect(again).to_contain_text("仍未签收，再次督办")
    await document(inbox, "unit-head-inbox-supervision")
    await head.close()


async def test_supervisor_issues_supervision_from_the_issue_list(
    live_stack, page: Page, browser, identity: Provider
) -> None:
    await town_01_head(identity)
    try:
        # Received long ago: overdue, so at the top of the 问题清单.
        received = datetime.now(SHANGHAI).replace(microsecond=0) - timedelta(days=120)
        case = await new_case(received_at=received.isoformat())
        cid = case["id"]
        await api("POST", f"/v1/complaints/{cid}/assign", "operator", json={"unit_id": "town-01"})

        await sign_in(page, "supervisor", "/dashboard")
        row = page.locator(f"tr[data-issue='{cid}']").first
        await expect(row).to_be_visible()
        await expect(row.get_by_test_id("supervised")).to_have_count(0)
        await row.locator("details.supervise summary").click()
        await row.locator("[data-supervise] button").click()  # no 督办意见: the API says so
        await expect(row.locator(".alert")).to_contain_text("原因")
        await expect(row.locator(".alert")).to_contain_text("请填写")
        await row.locator("textarea[name=reason]").fill("群众多次反映，请两日内现场核查并回复")
        due = (datetime.now(SHANGHAI) + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
        await row.locator("input[name=deadline]").fill(due)
        await document(page, "supervisor-issue-supervise")
        await row.locator("[data-supervise] button").click()
        supervised = page.locator(f"tr[data-issue='{cid}']").first.get_by_test_id("supervised")
        await expect(supervised).to_have_text("已督办")

        await page.goto(console() + f"/cases/{cid}")
        await expect(page.locator(".case-head .tag-escalated")).to_have_text("已督办")
        timeline = page.locator(".timeline")
        await expect(timeline).to_contain_text("督办意见：群众多次反映，请两日内现场核查并回复")
        await expect(timeline).to_contain_text("回复期限：" + due.replace("T", " "))
        # Again from the case page, without a deadline.
        await page.fill("#supervise-reason", "仍未签收，再次督办")
        await page.click("[data-action=bureau-supervise] button")
        await page.wait_for_url(f"**/cases/{cid}?done=bureau-supervise")
        await expect(page.locator(".notice")).to_contain_text("已督办")
        await expect(page.locator(".timeline")).to_contain_text("督办意见：仍未签收，再次督办")
        await expect(page.locator("#supervise-reason")).to_have_value("")  # the draft is gone
        await document(page, "supervisor-case-supervised")
        history = await api("GET", f"/v1/complaints/{cid}/history", "supervisor")
        assert [h["action"] for h in history].count("bureau-supervise") == 2

        await _head_finds_both_notices(browser, cid)
    finally:
        await api("PATCH", "/v1/units/town-01", "admin", json={"head": None})
