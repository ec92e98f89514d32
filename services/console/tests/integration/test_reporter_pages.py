"""The reporter pages against the real stack: the console's public token comes from the
suite's Keycloak by client credentials (qingshan-console-public) and is fetched once for its
lifetime however many reporters come at once, a token the API refuses is fetched anew once,
the provider away is a Chinese 503 page, and the pages' limits answer 429 with Retry-After.

The console runs in-process (its own app, its own limits) against the running complaints
service and Keycloak; token requests are counted on the console's own HTTP client."""

from __future__ import annotations

import asyncio
import socket
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import jwt
import pytest
from fastapi import FastAPI

from console.app import create_app
from console.config import Settings
from qingshan_core.testing.browser import http_port
from qingshan_core.testing.identity import Provider

pytestmark = [pytest.mark.e2e]


def _complaints() -> str:
    return f"http://127.0.0.1:{http_port('complaints')}"


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@asynccontextmanager
async def console(
    issuer: str, peer: str = "127.0.0.1", **over: Any
) -> AsyncIterator[tuple[httpx.AsyncClient, FastAPI, list[str]]]:
    """The console app (lifespan run), a client for it and the token requests it made."""
    settings = Settings(
        environment="test",
        oidc_issuer=issuer,
        complaints_url=_complaints(),
        log_json=False,
        **over,
    )
    app = create_app(settings)
    token_requests: list[str] = []
    async with app.router.lifespan_context(app):
        http = app.state.public_client.http

        async def count(request: httpx.Request) -> None:
            if request.url.path.endswith("/protocol/openid-connect/token"):
                token_requests.append(str(request.url))

        http.event_hooks["request"] = [*http.event_hooks["request"], count]
        transport = httpx.ASGITransport(app=app, client=(peer, 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://console") as c:
            yield c, app, token_requests


async def _report(c: httpx.AsyncClient, tag: str) -> str:
    r = await c.post(
        "/h5/report",
        data={
            "category": "water",
            "description": f"河道有异味，疑似偷排 {tag}",
            "address": f"南城街道永隆村{tag}组",
            "idempotency_key": uuid.uuid4().hex,
        },
    )
    assert r.status_code == 303, r.text
    assert r.headers["location"].startswith("/h5/receipt/")
    return r.headers["location"].rsplit("/", 1)[1]


async def test_one_token_serves_every_reporter_for_its_lifetime(
    live_stack: None, identity: Provider
) -> None:
    async with console(identity.issuer, h5_rate_limit_reports="50/minute") as (
        c,
        app,
        token_requests,
    ):
        tag = uuid.uuid4().hex[:6]
        codes = await asyncio.gather(*(_report(c, f"{tag}{i}") for i in range(8)))
        assert len(set(codes)) == 8
        assert len(token_requests) == 1, token_requests  # eight reporters at once, one token
        page = await c.get("/h5/track", params={"code": codes[0]})
        assert page.status_code == 200 and 'data-testid="public-status">受理' in page.text
        assert len(token_requests) == 1  # tracking by code needs no token
        token = await app.state.public_client.token()
        claims = await _claims(identity, token)
        assert "public" in claims["roles"]
        assert "qingshan-complaints" in claims["aud"]
        assert claims["azp"] == "qingshan-console-public"
        assert len(token_requests) == 1


async def _claims(identity: Provider, token: str) -> dict[str, Any]:
    """The token's claims, verified against the realm's JWKS (a real RS256 token)."""
    jwks = jwt.PyJWKClient(f"{identity.issuer}/protocol/openid-connect/certs")
    key = await asyncio.to_thread(jwks.get_signing_key_from_jwt, token)
    claims: dict[str, Any] = jwt.decode(
        token, key.key, algorithms=["RS256"], issuer=identity.issuer, options={"verify_aud": False}
    )
    return claims


async def test_a_token_the_api_refuses_is_fetched_anew_once(
    live_stack: None, identity: Provider
) -> None:
    async with console(identity.issuer) as (c, app, token_requests):
        client = app.state.public_client
        good = await client.token()
        forged = good[:-6] + ("AAAAAA" if not good.endswith("AAAAAA") else "BBBBBB")
        client._token = forged  # a token the API refuses (its signature no longer holds)
        await _report(c, uuid.uuid4().hex[:6])  # answered, with a new token
        assert len(token_requests) == 2
        assert await client.token() not in (forged, "")


@pytest.mark.parametrize("failure", ["provider-down", "wrong-secret"])
async def test_no_token_from_the_provider_is_a_chinese_503_page(
    live_stack: None, identity: Provider, failure: str
) -> None:
    if failure == "provider-down":
        issuer = f"http://127.0.0.1:{_closed_port()}/realms/qingshan"
        secret = "console-public-development-secret"
    else:
        issuer, secret = identity.issuer, "not-the-secret"
    async with console(issuer, public_client_secret=secret) as (c, _, __):
        report = await c.post("/h5/report", data={"category": "water", "description": "黑水"})
        track = await c.get("/h5/track", params={"code": "AAAA-BBBB-CCCC"})
    assert report.status_code == 503, report.text
    assert "服务暂不可用，请稍后再试" in report.text and "黑水" in report.text  # typed text kept
    assert report.headers["content-type"].startswith("text/html")
    assert track.status_code == 404 and "没有找到" in track.text  # tracking needs no token


async def test_the_pages_limits_answer_429_with_retry_after(
    live_stack: None, identity: Provider
) -> None:
    limits = {
        "h5_rate_limit_reports": "2/minute",
        "h5_rate_limit_lookups": "4/minute",
        "h5_rate_limit_failed_lookups": "2/hour",
    }
    async with console(identity.issuer, peer="198.51.100.30", **limits) as (c, _, token_requests):
        tag = uuid.uuid4().hex[:6]
        code = await _report(c, tag)
        await _report(c, tag + "b")
        third = await c.post("/h5/report", data={"category": "water", "description": "又一条"})
        assert third.status_code == 429
        assert 0 < int(third.headers["Retry-After"]) <= 60
        assert "提交过于频繁" in third.text
        assert "又一条" in third.text  # what was typed is kept

        for wrong in ("AAAA-BBBB-CCCC", "DDDD-EEEE-FFFF"):  # two guesses: both 404
            assert (await c.get("/h5/track", params={"code": wrong})).status_code == 404
        guessed = await c.get("/h5/track", params={"code": code})  # even the right code now
        assert guessed.status_code == 429, guessed.text
        assert 60 < int(guessed.headers["Retry-After"]) <= 3600
        assert "查询过于频繁" in guessed.text
        assert len(token_requests) == 1

    async with console(identity.issuer, peer="198.51.100.31", **limits) as (c, _, __):
        pages = [await c.get("/h5/track", params={"code": code}) for _ in range(5)]
        assert [p.status_code for p in pages] == [200, 200, 200, 200, 429]
        assert 0 < int(pages[-1].headers["Retry-After"]) <= 60
