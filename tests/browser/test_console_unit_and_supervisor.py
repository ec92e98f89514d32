"""The handling unit's workbench and the supervisor's dashboard in a real browser: the unit
signs and replies with a template, notes apart from the reply, never sees who reported, and
cannot open another unit's case; the supervisor sees the rates change, exports them, approves
an extension and reveals an identity with its purpose (audited)."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from playwright.async_api import Page, expect

from .console_pages import api, console, document, new_case, sign_in

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
