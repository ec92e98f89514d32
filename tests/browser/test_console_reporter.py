"""The reporter's pages on a phone-sized screen: report with a map pin and no contact, get the
tracking code, follow the case by it and read the reply once the unit answered."""

from __future__ import annotations

import uuid

import pytest
from playwright.async_api import Browser, expect

from qingshan_core.testing.browser import PHONE, new_page

from .console_pages import api, console, document

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


async def test_a_reporter_submits_on_a_phone_and_follows_the_case(
    live_stack, browser: Browser
) -> None:
    page = await new_page(browser, PHONE)
    try:
        await page.goto(console() + "/h5/report")
        await page.click("text=提交举报")  # nothing filled in: told what is missing, in Chinese
        await expect(page.locator(".alert")).to_contain_text("问题类别：必填")
        await page.goto(console() + "/h5/report")
        tag = uuid.uuid4().hex[:6]
        await page.select_option("#category", "water")
        await page.fill("#description", f"小河沟有人偷排黑水 {tag}")
        await page.fill("#address", f"南城街道永隆村{tag}组")
        await page.locator("#map").click(position={"x": 180, "y": 100})
        await expect(page.locator("#pin-text")).to_contain_text("已标注位置")
        await document(page, "h5-report")
        await page.click("text=提交举报")
        await page.wait_for_url("**/h5/receipt/*")
        code = await page.get_by_test_id("tracking-code").inner_text()
        await document(page, "h5-receipt")

        await page.get_by_role("link", name="查询办理进度").click()
        await expect(page.get_by_test_id("public-status")).to_have_text("受理")
        found = await api("GET", "/v1/complaints", "operator", params={"q": tag})
        cid = found["items"][0]["id"]
        assert found["items"][0]["complainant"] == {"anonymous": True}
        await api("POST", f"/v1/complaints/{cid}/assign", "operator", json={"unit_id": "town-02"})
        await api("POST", f"/v1/complaints/{cid}/accept", "unit_handler", "town-02")
        await api(
            "POST",
            f"/v1/complaints/{cid}/reply",
            "unit_handler",
            "town-02",
            json={"text": "已查实并责令停止排放"},
        )
        await page.reload()
        await expect(page.get_by_test_id("public-status")).to_have_text("回复")
        await expect(page.get_by_test_id("public-reply")).to_have_text("已查实并责令停止排放")
        await document(page, "h5-track")

        await page.goto(console() + "/h5/track?code=AAAA-BBBB-CCCC")
        await expect(page.locator(".alert")).to_contain_text("没有找到")
        assert code.count("-") == 2
    finally:
        await page.context.close()


async def test_sign_in_page_is_accessible(live_stack, page) -> None:
    await page.goto(console() + "/signin")
    await document(page, "signin")
