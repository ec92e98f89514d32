"""Shared HTTP shapes: 422 names the field (in Chinese and English), trace ids, ops endpoints."""

from __future__ import annotations

import re

import httpx
import pytest
from pydantic import BaseModel, Field

from qingshan_core.http import create_service_app, no_lifespan

pytestmark = pytest.mark.unit


class Body(BaseModel):
    channel: str = Field(pattern="^(12345|12369)$")
    count: int


def _app():
    app = create_service_app(title="t", description="t", lifespan=no_lifespan)

    @app.post("/things")
    async def things(body: Body) -> dict[str, str]:
        return {"channel": body.channel}

    return app


async def _client():
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=_app()), base_url="http://t")


async def test_422_names_every_bad_field():
    async with await _client() as c:
        r = await c.post("/things", json={"channel": "999"})
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert {e["field"] for e in body["errors"]} == {"channel", "count"}
    assert "请求参数有误" in body["detail"] and "channel" in body["detail"]
    assert "channel" in body["detail_en"] and body["code"] == "invalid_request"
    missing = next(e for e in body["errors"] if e["field"] == "count")
    assert missing["detail"] == "必填" and missing["detail_en"] == "Field required"


async def test_trace_id_is_continued_or_started():
    tp = "00-" + "c" * 32 + "-" + "d" * 16 + "-01"
    async with await _client() as c:
        r = await c.post(
            "/things", json={"channel": "12345", "count": 1}, headers={"traceparent": tp}
        )
        assert r.headers["X-Trace-Id"] == "c" * 32
        r2 = await c.get("/healthz")
        assert len(r2.headers["X-Trace-Id"]) == 32 and r2.json() == {"status": "ok"}


async def test_readyz_is_503_until_started_and_metrics_are_served():
    async with await _client() as c:
        assert (await c.get("/readyz")).status_code == 503
        m = await c.get("/metrics")
    assert m.status_code == 200 and "qingshan_http_requests_total" in m.text


async def test_api_docs_use_only_assets_the_service_serves_itself():
    """/docs and /redoc name no other host: every script, style sheet and icon they load is a
    local path, and each answers 200 with JavaScript, CSS or an image."""
    async with await _client() as c:
        for page in ("/docs", "/redoc"):
            r = await c.get(page)
            assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
            urls = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", r.text)
            urls += re.findall(r"""(?:url)\s*:\s*["']([^"']+)["']""", r.text)
            assert urls, page
            assert not [u for u in urls if "//" in u], f"{page} loads from another host"
            assets = [u for u in urls if u.startswith("/docs-assets/")]
            assert any(u.endswith(".js") for u in assets), urls
            for url in assets:
                a = await c.get(url)
                assert a.status_code == 200, url
                kind = a.headers["content-type"]
                expected = {".js": "javascript", ".css": "text/css", ".png": "image/png"}
                assert expected[url[url.rfind(".") :]] in kind, (url, kind)
                assert len(a.content) > 100, url
            assert "/openapi.json" in r.text
        assert '"validatorUrl": null' in (await c.get("/docs")).text  # no online validator
        assert (await c.get("/openapi.json")).json()["paths"]["/things"]
