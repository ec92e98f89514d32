"""Abuse limits: the body limit counts streamed bytes; 429 with Retry-After per address and per
client; X-Forwarded-For believed only from trusted proxies; limits are configuration."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import Depends, FastAPI
from pydantic import BaseModel, ValidationError

from qingshan_core.auth import Principal, Role, TokenCodec, require_roles
from qingshan_core.http import create_service_app, no_lifespan
from qingshan_core.oidc import TokenVerifier
from qingshan_core.ratelimit import (
    PER_ADDRESS,
    RequestLimiter,
    TooManyRequests,
    parse_limit,
    per_client,
)
from qingshan_core.settings import ServiceSettings

pytestmark = pytest.mark.unit
codec = TokenCodec("x" * 40)
MB = 1 << 20


class Body(BaseModel):
    text: str


def _app(limiter: RequestLimiter | None = None) -> FastAPI:
    app = create_service_app(title="t", description="t", lifespan=no_lifespan)
    app.state.token_verifier = TokenVerifier(None, codec)
    app.state.rate_limiter = limiter or RequestLimiter(service="t")
    signed_in = require_roles(Role.OPERATOR, Role.PUBLIC)

    @app.post("/upload")
    async def upload(body: Body, p: Principal = Depends(signed_in)) -> dict[str, str]:
        return {"sub": p.subject}

    @app.get("/track", dependencies=[PER_ADDRESS])
    async def track() -> dict[str, str]:
        return {"ok": "yes"}

    @app.get("/mine")
    async def mine(p: Principal = Depends(per_client(signed_in))) -> dict[str, str]:
        return {"sub": p.subject}

    return app


def _client(app: FastAPI, peer: str = "127.0.0.1") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(peer, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://t")


def _bearer(sub: str, role: str = "public") -> dict[str, str]:
    return {"Authorization": f"Bearer {codec.issue(sub, role)}"}


async def test_a_chunked_20_mb_body_is_refused_413_after_the_first_megabyte():
    pulled = 0

    async def chunks() -> AsyncIterator[bytes]:
        nonlocal pulled
        for _ in range(20 * 16):  # 20 MB in 64 KiB chunks, no Content-Length
            pulled += 1
            yield b"x" * (64 * 1024)

    async with _client(_app()) as c:
        r = await c.post("/upload", content=chunks(), headers={"Content-Type": "application/json"})
    assert r.status_code == 413, r.text  # not 401: the body was never read to its end
    assert "请求体过大" in r.json()["detail"]
    assert pulled * 64 * 1024 <= 2 * MB


async def test_a_declared_length_over_the_limit_and_a_small_body():
    async with _client(_app()) as c:
        big = await c.post("/upload", content=b"x" * (MB + 1))
        assert big.status_code == 413 and "请求体过大" in big.json()["detail"]
        assert (await c.post("/upload", json={"text": "hi"})).status_code == 401
        ok = await c.post("/upload", json={"text": "hi"}, headers=_bearer("p1"))
        assert ok.status_code == 200 and ok.json() == {"sub": "p1"}


async def test_per_address_limit_answers_429_with_retry_after():
    app = _app(RequestLimiter(service="t", per_address="3/minute"))
    async with _client(app) as c:
        answers = [await c.get("/track") for _ in range(4)]
        other = await _client(app, peer="192.0.2.7").get("/track")
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert 1 <= int(answers[-1].headers["Retry-After"]) <= 60
    body = answers[-1].json()
    assert "请求过于频繁" in body["detail"] and body["code"] == "too_many_requests"
    assert body["retry_after"] == int(answers[-1].headers["Retry-After"])
    assert other.status_code == 200  # another address has its own count


async def test_per_client_limit_is_by_token_subject_and_tighter_for_the_public():
    limiter = RequestLimiter(service="t", per_public_client="2/minute", per_account="4/minute")
    async with _client(_app(limiter)) as c:
        mine = [(await c.get("/mine", headers=_bearer("app-1"))).status_code for _ in range(3)]
        assert mine == [200, 200, 429]
        assert (await c.get("/mine", headers=_bearer("app-2"))).status_code == 200
        staff = [
            (await c.get("/mine", headers=_bearer("op-1", "operator"))).status_code
            for _ in range(5)
        ]
        assert staff == [200, 200, 200, 200, 429]
        # An invalid token is refused as before (and still counted against its address).
        assert (await c.get("/mine", headers={"Authorization": "Bearer junk"})).status_code == 401


async def test_forwarded_for_is_believed_only_from_trusted_proxies():
    async def statuses(limiter: RequestLimiter, peer: str) -> list[int]:
        async with _client(_app(limiter), peer=peer) as c:
            return [
                (await c.get("/track", headers={"X-Forwarded-For": f"198.51.100.{i}"})).status_code
                for i in range(3)
            ]

    # A caller that names itself a new address each time stays in its own bucket...
    assert await statuses(RequestLimiter(service="t", per_address="2/minute"), "203.0.113.9") == [
        200,
        200,
        429,
    ]
    # ...while behind the trusted proxy each forwarded address counts on its own.
    proxied = RequestLimiter(service="t", per_address="2/minute", trusted_proxies=["10.0.0.0/8"])
    assert await statuses(proxied, "10.1.2.3") == [200, 200, 200]


async def test_limits_can_be_switched_off():
    off = RequestLimiter(service="t", enabled=False, per_address="1/minute")
    async with _client(_app(off)) as c:
        assert {(await c.get("/track")).status_code for _ in range(5)} == {200}


def test_settings_refuse_a_malformed_limit_or_proxy():
    assert ServiceSettings(environment="test").http_rate_limit_per_public_client == "60/minute"
    for bad in (
        {"http_rate_limit_per_address": "many"},
        {"trusted_proxies": ["10.0.0.0/33"]},
    ):
        kwargs: dict[str, Any] = {"environment": "test", **bad}
        with pytest.raises(ValidationError):
            ServiceSettings(**kwargs)


async def test_check_refuses_a_used_up_window_without_counting():
    limiter = RequestLimiter(service="t")
    item = parse_limit("2/hour")
    await limiter.check(item, "miss", "a")  # nothing counted yet: allowed, and not counted
    await limiter.hit(item, "miss", "a")
    await limiter.check(item, "miss", "a")
    await limiter.check(item, "miss", "a")  # checking twice counted nothing
    await limiter.hit(item, "miss", "a")
    with pytest.raises(TooManyRequests) as refused:
        await limiter.check(item, "miss", "a")
    assert 3000 < refused.value.retry_after <= 3600
    await limiter.check(item, "miss", "b")  # another key has its own window
    off = RequestLimiter(service="t", enabled=False)
    for _ in range(3):
        await off.hit(item, "miss", "a")
    await off.check(item, "miss", "a")
