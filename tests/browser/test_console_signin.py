"""Signing in to the console through the real identity provider (Keycloak of the suite's stack):
authorization code + PKCE on Keycloak's own login page, the person and unit read from the
provider's token, a token the four services accept, refreshed before it expires, sign-out that
ends the provider's session too, and what no session or a forged one gets."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
from playwright.async_api import BrowserContext, Page, expect

from console.config import DEV_SESSION_SECRET
from console.cookie_session import SessionCodec
from qingshan_core.testing.browser import http_port, local_script
from qingshan_core.testing.pytest_plugin import ROOT

from .console_pages import console, provider_login, sign_in

CODEC = SessionCodec(DEV_SESSION_SECRET, 3600)  # the console's development/test secret
# One read each service lets a supervisor make: answered only for a token naming its audience.
READS = {
    "complaints": "/v1/complaints?limit=1",
    "projects": "/v1/indicators",
    "risk": "/v1/emergency-plans",
    "notify": "/v1/inbox",
}


async def _session(context: BrowserContext) -> dict[str, Any]:
    cookie = next(c for c in await context.cookies() if c["name"] == "qingshan_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    data = CODEC.decode(cookie["value"])
    assert data is not None, "the session cookie is not the console's"
    return data


async def test_the_start_is_authorization_code_with_pkce(live_stack, page: Page) -> None:
    seen: list[str] = []
    page.on(
        "request",
        lambda r: seen.append(r.url) if "/protocol/openid-connect/auth" in r.url else None,
    )
    await page.goto(console() + "/signin")
    await page.click("#signin-start")
    await page.wait_for_selector("#kc-form-login")
    query = parse_qs(urlsplit(seen[0]).query)
    assert query["response_type"] == ["code"]
    assert query["client_id"] == ["qingshan-console"]
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) == 43
    assert query["redirect_uri"] == [console() + "/signin/callback"]
    assert "openid" in query["scope"][0].split() and query["state"] and query["nonce"]


async def test_a_handler_signs_in_with_the_unit_of_the_token(live_stack, page: Page) -> None:
    await sign_in(page, "handler-town-01")
    assert urlsplit(page.url).path == "/cases"
    me = page.locator("[data-testid='me']")
    await expect(me).to_contain_text("承办单位")
    await expect(me).to_contain_text("东城街道")  # town-01, from the token's `unit` claim
    data = await _session(page.context)
    assert data["person"]["unit"] == "town-01" and data["person"]["role"] == "unit_handler"
    claims = jwt.decode(data["tokens"]["access_token"], options={"verify_signature": False})
    assert claims["azp"] == "qingshan-console" and claims["unit"] == "town-01"


async def test_the_console_token_is_accepted_by_all_four_services(live_stack, page: Page) -> None:
    await sign_in(page, "supervisor", "/dashboard")
    token = (await _session(page.context))["tokens"]["access_token"]
    claims = jwt.decode(token, options={"verify_signature": False})
    assert {f"qingshan-{s}" for s in READS} <= set(claims["aud"])
    async with httpx.AsyncClient(timeout=20) as c:
        for service, path in READS.items():
            url = f"http://127.0.0.1:{http_port(service)}{path}"
            r = await c.get(url, headers={"Authorization": f"Bearer {token}"})
            assert r.status_code == 200, (service, r.status_code, r.text)
            forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
            r = await c.get(url, headers={"Authorization": f"Bearer {forged}"})
            assert r.status_code == 401, (service, r.text)


async def test_the_token_is_refreshed_before_it_expires(live_stack, page: Page) -> None:
    await sign_in(page, "operator", "/cases?queue=open")
    data = await _session(page.context)
    old = data["tokens"]["access_token"]
    data["tokens"]["expires_at"] = time.time() + 5  # within the refresh margin
    host = urlsplit(console()).hostname
    await page.context.add_cookies(
        [
            {
                "name": "qingshan_session",
                "value": CODEC.encode(data),
                "domain": host,
                "path": "/",
                "httpOnly": True,
                "sameSite": "Lax",
            }
        ]
    )
    await page.goto(console() + "/cases?queue=open")
    await expect(page.locator("[data-testid='me']")).to_contain_text("话务员")
    fresh = await _session(page.context)
    assert fresh["tokens"]["access_token"] != old
    assert fresh["tokens"]["expires_at"] > time.time() + 600  # the realm's 900 s lifetime
    assert fresh["person"] == data["person"]


async def test_sign_out_ends_the_providers_session_too(live_stack, page: Page) -> None:
    await sign_in(page, "operator", "/cases?queue=open")
    await page.click("text=退出登录")
    await page.wait_for_url("**/signin?signed_out=1*")
    await expect(page.locator(".signin .notice")).to_contain_text("已退出登录")
    assert not [c for c in await page.context.cookies() if c["name"] == "qingshan_session"]
    await page.goto(console() + "/cases?queue=open")
    await page.wait_for_url("**/signin?next=*")
    await page.click("#signin-start")
    # Keycloak asks again: its SSO session ended with ours (no silent sign-in).
    await expect(page.locator("#kc-form-login")).to_be_visible()
    await provider_login(page, "operator")
    assert urlsplit(page.url).path == "/cases"


async def test_a_public_account_gets_no_console(live_stack, page: Page) -> None:
    await page.goto(console() + "/signin")
    await page.click("#signin-start")
    await page.wait_for_selector("#kc-form-login")
    await page.fill("#username", "public")
    await page.fill("#password", "public-demo")
    await page.click("#kc-login")
    await page.wait_for_url("**/signin/callback*")
    await expect(page.get_by_test_id("signin-error")).to_contain_text("没有工作台角色")
    r = await page.request.get(console() + "/cases?queue=open", max_redirects=0)
    assert r.status == 303 and r.headers["location"].startswith("/signin?next=")


async def test_no_session_or_a_forged_one_goes_to_sign_in(live_stack) -> None:
    async with httpx.AsyncClient(base_url=console(), timeout=20) as c:
        r = await c.get("/cases?queue=open")
        assert (
            r.status_code == 303 and r.headers["location"] == "/signin?next=%2Fcases%3Fqueue%3Dopen"
        )
        c.cookies.set("qingshan_session", SessionCodec("another-secret", 3600).encode({"x": 1}))
        r = await c.get("/cases?queue=open")
        assert r.status_code == 303 and r.headers["location"].endswith("&expired=1")
        r = await c.get("/signin/callback?code=stolen&state=made-up")
        assert r.status_code == 400 and "登录未完成或已失效" in r.text


def test_the_console_client_comes_back_to_every_profile() -> None:
    """Every profile's console (its HTTP base port) is a redirect and post-logout URI."""
    realm = json.loads((ROOT / "deploy" / "keycloak" / "qingshan-realm.json").read_text())
    client = next(c for c in realm["clients"] if c["clientId"] == "qingshan-console")
    logout = client["attributes"]["post.logout.redirect.uris"].split("##")
    assert client["attributes"]["pkce.code.challenge.method"] == "S256"
    assert client["publicClient"] and client["standardFlowEnabled"]
    assert not client["implicitFlowEnabled"] and not client["directAccessGrantsEnabled"]
    for name, (http_base, _) in local_script("services").BASES.items():
        for host in ("127.0.0.1", "localhost"):
            url = f"http://{host}:{http_base}/*"
            assert url in client["redirectUris"] and url in logout, (name, url)
