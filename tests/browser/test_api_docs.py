"""Each service's API documentation opens in a real browser and lists its operations.

Swagger UI must load from the service itself (an intranet has no CDN): until the services serve
its assets locally, the page stays empty and this test fails.
"""

from __future__ import annotations

import pytest
from playwright.async_api import Page

from qingshan_core.testing.browser import http_port

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.mark.parametrize("name", ["complaints", "projects", "risk", "notify"])
async def test_docs_list_the_operations(live_stack, page: Page, name: str) -> None:
    port = http_port(name)
    spec = await (await page.request.get(f"http://127.0.0.1:{port}/openapi.json")).json()
    operations = [
        op for path in spec["paths"].values() for op in path.values() if isinstance(op, dict)
    ]
    assert operations, f"{name} documents no operation"
    await page.goto(f"http://127.0.0.1:{port}/docs")
    blocks = page.locator(".opblock")
    await blocks.first.wait_for(timeout=10_000)
    assert await blocks.count() == len(operations)
    summary = operations[0].get("summary")
    if summary:
        await page.get_by_text(summary, exact=False).first.wait_for()
