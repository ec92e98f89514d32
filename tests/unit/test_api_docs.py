"""Every service's /docs and /redoc work without internet: the pages load only assets the
service serves itself (qingshan_core.http builds every app), and those assets answer."""

from __future__ import annotations

import importlib
import re

import httpx
import pytest

pytestmark = pytest.mark.unit
SERVICES = ("complaints", "projects", "risk", "notify")
KINDS = {".js": "javascript", ".css": "text/css", ".png": "image/png"}


@pytest.mark.parametrize("svc", SERVICES)
async def test_docs_pages_load_only_local_assets(svc: str) -> None:
    app = importlib.import_module(f"{svc}.bootstrap").create_app()  # no lifespan needed
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=f"http://{svc}") as c:
        for page in ("/docs", "/redoc"):
            r = await c.get(page)
            assert r.status_code == 200, page
            urls = re.findall(r"""(?:src|href|spec-url)\s*=\s*["']([^"']+)["']""", r.text)
            urls += re.findall(r"""\burl\s*:\s*["']([^"']+)["']""", r.text)
            assert [u for u in urls if "//" in u or not u.startswith("/")] == [], page
            scripts = [u for u in urls if u.endswith((".js", ".css"))]
            assert any(u.endswith(".js") for u in scripts), (page, urls)
            for url in scripts:
                asset = await c.get(url)
                assert asset.status_code == 200, url
                assert KINDS[url[url.rfind(".") :]] in asset.headers["content-type"], url
                assert len(asset.content) > 10_000, url  # the bundle, not an error page
        spec = (await c.get("/openapi.json")).json()
        assert spec["info"]["title"] == f"qingshan {svc}" and spec["paths"]
