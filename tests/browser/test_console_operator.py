"""The operator console in a real browser against the running stack: a call taken in shows in
待交办 and is assigned; duplicates are hinted before submit and a repeat call is attached;
errors come back in Chinese naming their field; an expired session keeps what was typed; the
keyboard shortcuts have their cheat sheet."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.async_api import Page, expect

from .console_pages import accessible, console, document, new_case, provider_login, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


async def _fill_call(page: Page, tag: str, *, category: str = "noise") -> None:
    await page.fill("#external_id", f"GD{tag}")
    await page.select_option("#category", category)
    await page.fill("#description", f"工地夜间施工噪声扰民 {tag}")
    await page.fill("#town", "东城街道")
    await page.fill("#address", f"东城街道金山路{tag}号")
    await page.fill("#name", "张三")
    await page.fill("#phone", "13812345678")


async def test_operator_takes_a_call_and_assigns_it(live_stack, page: Page) -> None:
    await sign_in(page, "operator")
    await expect(page.get_by_test_id("me")).to_contain_text("话务员 演示")  # the token's name
    await expect(page.get_by_test_id("me")).to_contain_text("话务员")
    before = int(await page.locator("[data-count=unassigned]").inner_text())

    await page.goto(console() + "/intake")
    tag = uuid.uuid4().hex[:6]
    await _fill_call(page, tag)
    await page.locator("#map").click(position={"x": 300, "y": 120})
    await expect(page.locator("#pin-text")).to_contain_text("已标注位置")
    await document(page, "operator-intake")
    await page.click("text=提交受理")
    await page.wait_for_url("**/cases/*?done=intake")
    await expect(page.locator(".notice")).to_contain_text("已受理登记")
    case_id = page.url.split("/cases/")[1].split("?")[0]
    await expect(page.get_by_test_id("status")).to_have_text("受理")
    await expect(page.locator(".clock")).to_have_count(3)  # 交办, 答复, 办结
    await expect(page.locator(".clock.light-green").first).to_be_visible()
    await expect(page.locator("[data-action=assign]")).to_be_visible()
    await expect(page.locator("[data-action=accept]")).to_have_count(0)  # not the operator's

    # It is in 待交办, counted there, and found by its order number and the caller's phone.
    await page.goto(console() + "/cases?queue=unassigned")
    await expect(page.locator(f"tr[data-case='{case_id}']")).to_be_visible()
    assert int(await page.locator("[data-count=unassigned]").inner_text()) == before + 1
    await page.goto(console() + f"/cases?number=GD{tag}")
    await expect(page.locator("tr[data-case]")).to_have_count(1)
    await page.goto(console() + "/cases?phone=138%201234%205678&queue=unassigned")
    await expect(page.locator(f"tr[data-case='{case_id}']")).to_be_visible()
    await expect(page.locator(f"tr[data-case='{case_id}']")).not_to_contain_text("13812345678")
    await document(page, "operator-queue")

    await page.goto(console() + f"/cases/{case_id}")
    await page.select_option("#assign-unit", "town-01")
    await page.click("[data-action=assign] button")
    await page.wait_for_url(f"**/cases/{case_id}?done=assign")
    await expect(page.get_by_test_id("status")).to_have_text("交办")
    await expect(page.locator(".clock")).to_have_count(4)  # 签收 joined
    await document(page, "operator-case")


async def test_duplicate_hint_before_submit_and_attach(live_stack, page: Page) -> None:
    first = await new_case(
        category="water", location={"address": "西城街道滨江路8号", "town": "西城街道"}
    )
    await sign_in(page, "operator", "/intake")
    await page.select_option("#category", "water")
    await page.fill("#town", "西城街道")
    await page.fill("#address", "西城街道滨江路8号")
    await page.locator("#address").dispatch_event("change")
    hint = page.locator(f"[data-dup='{first['id']}']")
    await expect(hint).to_be_visible()
    await page.fill("#description", "河面漂浮油污，气味难闻")
    await page.check("#anonymous")
    await accessible(page, "intake with duplicates")
    await hint.check()
    await page.click("text=提交受理")
    await page.wait_for_url(f"**/cases/{first['id']}?done=attach")
    await expect(page.locator(".notice")).to_contain_text("已并入本案件")


async def test_errors_name_their_field_in_chinese(live_stack, page: Page) -> None:
    await sign_in(page, "operator", "/intake")
    await page.select_option("#category", "air")
    await page.fill("#address", "东城街道某处")
    await page.fill("#description", "   ")
    await page.fill("#phone", "12345")
    await page.click("text=提交受理")
    alert = page.locator("#intake-error .alert")
    await expect(alert).to_be_visible()
    await expect(alert).to_contain_text("电话")
    await expect(alert).to_contain_text("不是有效的大陆手机或座机号码")
    await expect(page.locator("#phone")).to_have_attribute("aria-invalid", "true")
    assert "/intake" in page.url


async def test_expired_session_keeps_what_was_typed(live_stack, page: Page) -> None:
    await sign_in(page, "operator", "/intake")
    tag = uuid.uuid4().hex[:6]
    await _fill_call(page, tag, category="soil")
    await page.context.clear_cookies()  # the session ends while the operator types
    await page.click("text=提交受理")
    # Leaving the last field also asks for duplicate hints: both requests are sent to sign-in,
    # so one navigation may replace the other; what counts is where the page ends up.
    await expect(page).to_have_url(re.compile(r"/signin\?next=.*expired=1"), timeout=15_000)
    await expect(page.locator(".signin .alert")).to_contain_text("登录已过期")
    await page.click("#signin-start")
    await provider_login(page, "operator")
    await page.wait_for_url("**/intake")
    await expect(page.locator("#description")).to_have_value(f"工地夜间施工噪声扰民 {tag}")
    await expect(page.locator("#category")).to_have_value("soil")
    await expect(page.locator("#phone")).to_have_value("13812345678")
    await page.click("text=提交受理")
    await page.wait_for_url("**/cases/*?done=intake")


async def test_keyboard_shortcuts_and_their_cheat_sheet(live_stack, page: Page) -> None:
    await new_case()
    await sign_in(page, "operator", "/cases?queue=open")
    await page.keyboard.press("?")
    dialog = page.locator("#shortcuts")
    await expect(dialog).to_be_visible()
    await expect(dialog).to_contain_text("新建受理登记")
    await document(page, "operator-shortcuts")
    await page.keyboard.press("Escape")
    await expect(dialog).to_be_hidden()
    await page.keyboard.press("j")
    await expect(page.locator("tr[data-case].selected")).to_have_count(1)
    selected = await page.locator("tr[data-case].selected").get_attribute("data-case")
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"**/cases/{selected}")
    await page.keyboard.press("n")
    await page.wait_for_url("**/intake")
