"""The risk registry in a real browser: an emergency officer finds an enterprise with the
filters kept in the URL, re-grades it from its page (Q/M/E classes → the HJ 941 label), files
its emergency plan and sees the filing clock, reads the licences, and tries a transfer manifest
whose receiver's licence does not cover the waste: the page refuses it with the API's Chinese
message and field, and nothing is saved."""

from __future__ import annotations

import random
import re
import uuid
from typing import Any

import httpx
import pytest
from playwright.async_api import Page, expect

from qingshan_core.testing.browser import http_port
from risk.domain.credit_code import CHARSET, make_credit_code

from .console_pages import console, document, sign_in, token

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def credit_code() -> str:
    return make_credit_code("91500119" + "".join(random.choices(CHARSET, k=9))).value


async def risk(method: str, path: str, **kw: Any) -> httpx.Response:
    base = f"http://127.0.0.1:{http_port('risk')}"
    headers = {"Authorization": f"Bearer {token('supervisor')}"}
    async with httpx.AsyncClient(base_url=base, timeout=30) as c:
        return await c.request(method, path, headers=headers, **kw)


async def enterprise() -> dict[str, Any]:
    name = f"南川某化工有限公司{uuid.uuid4().hex[:4]}"
    r = await risk(
        "POST",
        "/v1/risk-sources",
        json={"name": name, "credit_code": credit_code(), "park_cluster": None},
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


async def test_an_emergency_officer_grades_files_a_plan_and_is_refused_a_manifest(
    live_stack, page: Page
) -> None:
    firm = await enterprise()
    await sign_in(page, "emergency", "/risk/enterprises")
    await expect(page.get_by_test_id("total")).to_contain_text("家企业")
    await page.select_option("#f-level", "一般")
    await page.click("form[aria-label='筛选'] button")
    await expect(page).to_have_url(re.compile(r"/risk/enterprises\?level=%E4%B8%80%E8%88%AC"))
    await expect(page.locator("#f-level")).to_have_value("一般")  # the filter stays in the URL
    await document(page, "risk-enterprises")

    await regrade(page, firm)
    await file_a_plan(page, firm)
    receiver = await refused_manifest(page, firm)
    await open_a_ledger(page, receiver)


async def regrade(page: Page, firm: dict[str, Any]) -> None:
    """Re-grading from the enterprise's page: the classes per medium give the label."""
    await page.goto(console() + f"/risk/sources/{firm['id']}")
    await expect(page.get_by_test_id("label")).to_contain_text("尚未分级")
    for medium, q, m, e in (("air", "Q1", "M1", "E2"), ("water", "Q2", "M1", "E1")):
        await page.select_option(f"#{medium}-q", q)
        await page.select_option(f"#{medium}-m", m)
        await page.select_option(f"#{medium}-e", e)
    await page.click("[data-form=grading] button")
    await page.wait_for_url(f"**/risk/sources/{firm['id']}?done=grade")
    label = page.get_by_test_id("label")
    await expect(label).to_contain_text("较大")
    await expect(label).to_contain_text("Q2-M1-E1")
    await expect(page.locator("tr[data-medium=水]")).to_contain_text("较大")
    await document(page, "risk-enterprise")


async def file_a_plan(page: Page, firm: dict[str, Any]) -> None:
    """A signed plan, registered on the page: its filing clock runs; filing it stops it."""
    await page.goto(console() + f"/risk/plans?credit_code={firm['credit_code']}")
    await page.fill("#p-title", f"{firm['name']}突发环境事件应急预案")
    await page.click("[data-form=plan] button")
    await page.wait_for_url("**/risk/plans/*?done=register")
    filing = page.locator("[data-clock=备案]")
    await expect(filing).to_have_attribute("data-light", "green")
    await expect(filing).to_contain_text("正常")
    await document(page, "risk-plan")
    await page.fill("#f-number", f"500119-2026-{random.randint(100, 999)}-L")
    await page.click("[data-form=filing] button")
    await page.wait_for_url("**/risk/plans/*?done=filing")
    await expect(page.get_by_test_id("plan-status")).to_have_text("已备案")
    await expect(filing).to_have_attribute("data-light", "done")
    await expect(page.locator("[data-clock=回顾评估]")).to_have_attribute("data-light", "green")
    await page.goto(console() + f"/risk/sources/{firm['id']}")
    await expect(page.locator("#plans-title")).to_have_text("应急预案（1）")


async def refused_manifest(page: Page, firm: dict[str, Any]) -> str:
    """A receiver licensed for HW49 only; a manifest of 900-249-08 (HW08) to it is refused."""
    receiver = credit_code()
    number = f"渝危废经{receiver[-8:]}"
    r = await risk(
        "POST",
        "/v1/licences",
        json={
            "number": number,
            "holder_credit_code": receiver,
            "holder_name": "南川某环保处置公司",
            "kind": "综合",
            "valid_from": "2025-01-01",
            "categories": ["HW49"],
        },
    )
    assert r.status_code == 201, r.text
    await page.goto(console() + f"/risk/licences?holder={receiver}")
    row = page.locator(f"tr[data-licence='{number}']")
    await expect(row).to_contain_text("HW49")
    await expect(row).to_contain_text("有效")
    await document(page, "risk-licences")

    manifest = f"2026500{random.randint(1, 9)}{random.randint(1, 999_999):06d}"
    await page.goto(console() + "/risk/manifests")
    for field, value in (
        ("#m-number", manifest),
        ("#m-pcode", firm["credit_code"]),
        ("#m-pname", firm["name"]),
        ("#m-rcode", receiver),
        ("#m-rname", "南川某环保处置公司"),
        ("#m-plate", "渝G12345"),
        ("#m-code", "900-249-08"),
        ("#m-qty", "2.5"),
    ):
        await page.fill(field, value)
    await page.click("[data-form=manifest] button")
    error = page.locator("#manifest-error .alert")
    await expect(error).to_contain_text("许可证")
    await expect(error.locator("li")).to_contain_text("接受单位")
    await document(page, "risk-manifest-refused")
    assert (await risk("GET", f"/v1/manifests/{manifest}")).status_code == 404
    return receiver


async def open_a_ledger(page: Page, receiver: str) -> None:
    """The receiver's ledger: none yet; opened from the page, then a movement in."""
    await page.goto(console() + f"/risk/storage?holder={receiver}")
    await expect(page.get_by_test_id("no-ledger")).to_be_visible()
    await page.select_option("#o-kind", "licensed_business")
    await page.click("[data-form=ledger] button")
    await page.wait_for_url("**/risk/storage?holder=*&done=open")
    await page.fill("#mv-code", "900-041-49")
    await page.fill("#mv-qty", "1.2")
    await page.click("[data-form=movement] button")
    await page.wait_for_url("**/risk/storage?holder=*&done=move")
    await expect(page.locator("tr[data-stock='900-041-49']")).to_contain_text("1.2")
    await document(page, "risk-storage")
