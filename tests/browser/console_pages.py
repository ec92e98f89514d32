"""What the console's browser tests share: its address on the suite's profile, signing in as a
demo user of the development realm through the provider's real login page, axe-core on the
page, the documentation's screenshots, and direct API calls to set up what a journey starts
from."""

from __future__ import annotations

import os
import uuid
from typing import Any
from urllib.parse import quote

import httpx
from playwright.async_api import Page

from qingshan_core.auth import TokenCodec
from qingshan_core.settings import DEV_JWT_SECRET
from qingshan_core.testing.browser import http_port, shoot
from qingshan_core.testing.identity import development
from qingshan_core.testing.pytest_plugin import ROOT

AXE = ROOT / "services" / "console" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "services" / "console" / "docs" / "screenshots"
CODEC = TokenCodec(os.environ.get("QINGSHAN_JWT_SECRET", DEV_JWT_SECRET))
# The development realm's demo users (deploy/local/keycloak/development.json): username → password.
PASSWORDS = {u["username"]: u["credentials"][0]["value"] for u in development()["users"]}


def console() -> str:
    return f"http://127.0.0.1:{http_port('console')}"


def complaints() -> str:
    return f"http://127.0.0.1:{http_port('complaints')}"


async def sign_in(page: Page, person: str, then: str = "/") -> None:
    """Sign in as a demo user (`operator`, `handler-town-01`, `handler-town-02`, `supervisor`,
    `admin`): the console's /signin, then Keycloak's own login page, then back to `then`."""
    await page.goto(console() + "/signin?next=" + quote(then, safe=""))
    await page.click("#signin-start")
    await provider_login(page, person)


async def provider_login(page: Page, person: str) -> None:
    """Fill in the provider's login page (the browser is on it) and wait to be back."""
    await page.wait_for_selector("#kc-form-login")
    await page.fill("#username", person)
    await page.fill("#password", PASSWORDS[person])
    await page.click("#kc-login")
    await page.wait_for_url(console() + "/**")
    await page.wait_for_load_state("networkidle")


async def accessible(page: Page, name: str) -> None:
    """axe-core on the page as it is now: no serious or critical violation."""
    await page.add_script_tag(path=str(AXE))
    result = await page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations']})"
    )
    bad = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    lines = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes'][:3]]}"
        for v in bad
    ]
    assert not bad, f"{name}: accessibility violations:\n" + "\n".join(lines)


async def document(page: Page, name: str) -> None:
    """The page's screenshot for the README, after its accessibility check."""
    await accessible(page, name)
    await shoot(page, SCREENSHOTS, name)


def token(role: str, unit: str | None = None, sub: str | None = None) -> str:
    return CODEC.issue(sub or f"browser-{role}", role, unit=unit)


async def api(method: str, path: str, role: str, unit: str | None = None, **kw: Any) -> Any:
    """One call to the complaints API as `role` (for setting up and checking journeys)."""
    headers = {"Authorization": f"Bearer {token(role, unit)}"}
    async with httpx.AsyncClient(base_url=complaints(), timeout=20) as c:
        r = await c.request(method, path, headers=headers, **kw)
    assert r.status_code < 300, r.text
    return r.json()


async def new_case(**over: Any) -> dict[str, Any]:
    """A case taken in over the API, at an address of its own."""
    tag = uuid.uuid4().hex[:6]
    body: dict[str, Any] = {
        "channel": "12345",
        "external_id": f"GD{tag}",
        "category": "air",
        "description": f"化工厂排放刺鼻气体 {tag}",
        "location": {"address": f"东城街道工业园{tag}号", "town": "东城街道"},
        "complainant": {"name": "王五", "phone": "13700001111"},
        **over,
    }
    case: dict[str, Any] = await api("POST", "/v1/complaints", "operator", json=body)
    return case
