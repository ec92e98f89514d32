"""Notify's administration forms in a real browser. An administrator creates a recipient (a
refused phone number is shown next to its field), an empty group and a rule that addresses
the group; a case assigned over the API fires the rule, nobody is reached, and the gap shows
on the gaps page with a link to the group's form; the administrator adds the recipient to the
group there and the gap is gone. Then they set the recipient's own quiet hours, give a unit
outside the registry an escalation chain and delete it, disable and delete the rule — each
checked against what notify holds. Every page passes axe."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from playwright.async_api import Dialog, Page, expect

from qingshan_core.testing.browser import http_port

from .console_pages import api, console, document, new_case, sign_in, token

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
ASSIGNED = "qingshan.complaints.v1.ComplaintAssigned"


async def notify(method: str, path: str, **kw: Any) -> httpx.Response:
    base = f"http://127.0.0.1:{http_port('notify')}"
    headers = {"Authorization": f"Bearer {token('admin')}"}
    async with httpx.AsyncClient(base_url=base, timeout=30) as c:
        return await c.request(method, path, headers=headers, **kw)


async def accept(dialog: Dialog) -> None:
    await dialog.accept()  # hx-confirm's 确定删除？


async def saved(page: Page, path: str) -> None:
    """The form went through: htmx follows notify's answer to the list page."""
    await page.wait_for_url(f"**{path}?done=*")
    await expect(page.get_by_test_id("done")).to_be_visible()


async def a_recipient(page: Page, rid: str) -> None:
    """A malformed phone is refused next to its field, nothing is stored; then corrected."""
    await sign_in(page, "admin", "/admin/notify/recipients/new")
    await page.fill("#p-id", rid)
    await page.fill("#p-name", "周敏")
    await page.fill("#p-phone", "12345")
    await page.click("[data-save=recipient]")
    await expect(page.locator("[data-error-for=phone]")).to_contain_text("手机号")
    await expect(page.locator("#p-phone")).to_have_attribute("aria-invalid", "true")
    assert (await notify("GET", f"/v1/recipients/{rid}")).status_code == 404
    await document(page, "notify-recipient-form")
    await page.fill("#p-phone", "13900002222")
    await page.click("[data-save=recipient]")
    await saved(page, "/admin/notify/recipients")
    await expect(page.locator(f"tr[data-recipient='{rid}']")).to_contain_text("默认 22:00–07:00")


async def an_empty_group(page: Page, gid: str, name: str) -> None:
    await page.goto(console() + "/admin/notify/groups/new")
    await page.fill("#g-id", gid)
    await page.fill("#g-name", name)
    await page.click("[data-save=group]")
    await saved(page, "/admin/notify/recipients")
    await expect(page.locator(f"tr[data-group='{gid}']")).to_contain_text("无成员")


async def a_rule_for_the_group(page: Page, rule_id: str, gid: str, case_id: str) -> None:
    """Critical (sent whatever the hour), for this case only, escalating to the bureau."""
    await page.goto(console() + "/admin/notify/rules/new")
    await page.fill("#r-id", rule_id)
    await page.fill("#r-name", f"交办即告知值班组 {rule_id}")
    await page.select_option("#r-event", ASSIGNED)
    await expect(page.locator("#r-attrs")).to_contain_text("complaint_id")
    await page.select_option("#r-priority", "critical")
    await page.select_option("#r-targets", [f"group:{gid}"])
    await page.fill("#r-cond", f"complaint_id = {case_id}")
    await page.fill("#r-ack", "半小时")  # refused by the console, named like notify names it
    await page.click("[data-save=rule]")
    await expect(page.locator("[data-error-for=ack_within_minutes]")).to_contain_text("整数")
    await page.fill("#r-ack", "30")
    await page.select_option("#r-esc-0", ["unit:bureau"])
    await document(page, "notify-rule-form")
    await page.click("[data-save=rule]")
    await saved(page, "/admin/notify/rules")
    row = page.locator(f"tr[data-rule='{rule_id}']")
    await expect(row).to_contain_text("分组 夜间值班组")
    await expect(row).to_contain_text("局督办")
    stored = (await notify("GET", f"/v1/rules/{rule_id}")).json()
    assert stored["targets"] == [{"kind": "group", "ref": gid}]
    assert stored["conditions"] == [{"attr": "complaint_id", "values": [case_id], "negate": False}]
    assert stored["ack_within_minutes"] == 30 and stored["priority"] == "critical"
    assert stored["escalation"] == [[{"kind": "unit", "ref": "bureau"}]]
    await document(page, "notify-rules")

    # Edited: the form holds the rule as stored; a new name is saved, the rest kept.
    await row.get_by_role("link", name=f"交办即告知值班组 {rule_id}").click()
    await page.wait_for_url(f"**/admin/notify/rules/{rule_id}")
    await expect(page.locator("#r-cond")).to_have_value(f"complaint_id = {case_id}")
    picked = "el => Array.from(el.selectedOptions).map(o => o.value)"
    assert await page.locator("#r-targets").evaluate(picked) == [f"group:{gid}"]
    assert await page.locator("#r-esc-0").evaluate(picked) == ["unit:bureau"]
    await page.fill("#r-name", f"交办即告知夜间值班组 {rule_id}")
    await page.click("[data-save=rule]")
    await saved(page, "/admin/notify/rules")
    again = (await notify("GET", f"/v1/rules/{rule_id}")).json()
    assert again["name"] == f"交办即告知夜间值班组 {rule_id}"
    assert {k: v for k, v in again.items() if k != "name"} == {
        k: v for k, v in stored.items() if k != "name"
    }


async def the_gap_filled_from_its_link(page: Page, rule_id: str, gid: str, rid: str) -> None:
    await page.goto(console() + "/admin/notify/gaps")
    gap = page.locator(f"tr[data-rule='{rule_id}']")
    for _ in range(30):  # complaints → Kafka → notify
        if await gap.count():
            break
        await page.wait_for_timeout(1000)
        await page.reload()
    await expect(gap).to_contain_text("分组无人可达")
    await document(page, "notify-gaps")
    await gap.locator("a[data-fix]").click()
    await page.wait_for_url(f"**/admin/notify/groups/{gid}")
    await page.select_option("#g-members", [rid])
    await page.click("[data-save=group]")
    await saved(page, "/admin/notify/recipients")
    assert (await notify("GET", f"/v1/groups/{gid}")).json()["members"] == [rid]
    await page.goto(console() + "/admin/notify/gaps")
    await expect(page.locator(f"tr[data-rule='{rule_id}']")).to_have_count(0)
    await page.goto(console() + "/admin/notify/gaps?closed=1")
    await expect(page.locator(f"tr[data-rule='{rule_id}']")).to_contain_text("已补齐")


async def own_quiet_hours(page: Page, rid: str) -> None:
    await page.goto(console() + f"/admin/notify/recipients/{rid}")
    await page.check("input[name='quiet_hours.mode'][value=custom]")
    await page.fill("#qh-start", "23:30")
    await page.fill("#qh-end", "06:00")
    await page.click("[data-save=recipient]")
    await saved(page, "/admin/notify/recipients")
    await expect(page.locator(f"td[data-quiet='{rid}']")).to_have_text("23:30–06:00")
    person = (await notify("GET", f"/v1/recipients/{rid}")).json()
    assert person["quiet_hours"] == {
        "start": "23:30:00",
        "end": "06:00:00",
        "tz": "Asia/Shanghai",
        "enabled": True,
    }
    assert person["phone"] == "13900002222"  # the rest of the person as it was
    await document(page, "notify-recipients")


async def a_chain_for_another_unit(page: Page, unit: str, rid: str) -> None:
    """A unit outside the registry gets a chain of its own, shown and then deleted."""
    await page.goto(console() + "/admin/notify/chains")
    await page.fill("#c-unit", unit)
    await page.select_option("#h-new", [rid])
    await page.select_option("#b-new", [rid])
    await page.click("[data-save-chain-new]")
    await saved(page, "/admin/notify/chains")
    section = page.locator(f"section[id='chain-{unit}']")
    await expect(section.locator(f"#h-{unit} option[value='{rid}']")).to_have_js_property(
        "selected", True
    )
    chains = {c["unit"]: c for c in (await notify("GET", "/v1/escalation-chains")).json()}
    assert chains[unit]["handlers"] == [rid] and chains[unit]["bureau"] == [rid]
    assert chains[unit]["unit_heads"] == []
    await expect(page.locator("#chain-town-01")).to_be_visible()
    await document(page, "notify-chains")
    page.once("dialog", accept)
    await section.get_by_role("button", name="删除升级链").click()
    await saved(page, "/admin/notify/chains")
    await expect(page.locator(f"section[id='chain-{unit}']")).to_have_count(0)
    assert unit not in {c["unit"] for c in (await notify("GET", "/v1/escalation-chains")).json()}


async def disabled_then_deleted(page: Page, rule_id: str) -> None:
    await page.goto(console() + "/admin/notify/rules")
    await page.click(f"[data-toggle='{rule_id}']")
    await saved(page, "/admin/notify/rules")
    await expect(page.locator(f"tr[data-rule='{rule_id}']")).to_contain_text("停用")
    assert (await notify("GET", f"/v1/rules/{rule_id}")).json()["enabled"] is False
    page.once("dialog", accept)
    await page.click(f"[data-delete='{rule_id}']")
    await saved(page, "/admin/notify/rules")
    await expect(page.locator(f"tr[data-rule='{rule_id}']")).to_have_count(0)
    assert (await notify("GET", f"/v1/rules/{rule_id}")).status_code == 404


async def test_an_administrator_fills_a_gap_and_sets_quiet_hours(live_stack, page: Page) -> None:
    tag = uuid.uuid4().hex[:6]
    rid, gid, rule_id = f"p-{tag}", f"duty-{tag}", f"gap-{tag}"
    case = await new_case()
    try:
        await a_recipient(page, rid)
        await an_empty_group(page, gid, f"夜间值班组{tag}")
        await a_rule_for_the_group(page, rule_id, gid, case["id"])
        # The rule fires for the case and reaches nobody: the gap links to the group's form.
        await api(
            "POST", f"/v1/complaints/{case['id']}/assign", "operator", json={"unit_id": "town-01"}
        )
        await the_gap_filled_from_its_link(page, rule_id, gid, rid)
        await own_quiet_hours(page, rid)
        await a_chain_for_another_unit(page, f"park-{tag}", rid)
        await disabled_then_deleted(page, rule_id)
    finally:
        await notify("DELETE", f"/v1/rules/{rule_id}")
        await notify("DELETE", f"/v1/escalation-chains/park-{tag}")
        await notify("DELETE", f"/v1/groups/{gid}")
        await notify("DELETE", f"/v1/recipients/{rid}")
