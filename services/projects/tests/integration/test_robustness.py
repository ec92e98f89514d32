"""Bad input never yields a 500, and the API documents itself."""

from __future__ import annotations

from typing import Any

import pytest

from qingshan_core.auth import Role

from .conftest import Service
from .helpers import first_subitem

pytestmark = pytest.mark.integration


async def test_openapi_documents_the_endpoints(seeded: Service) -> None:
    r = await seeded.client.get("/openapi.json")
    assert r.status_code == 200
    doc = r.json()
    assert doc["info"]["title"] == "qingshan projects"
    paths = set(doc["paths"])
    for path in (
        "/v1/imports",
        "/v1/export",
        "/v1/subitems",
        "/v1/subitems/{subitem_id}/advance",
        "/v1/subitems/{subitem_id}/adjustments",
        "/v1/subitems/{subitem_id}/progress",
        "/v1/subitems/{subitem_id}/evaluations",
        "/v1/rollups",
        "/v1/rollups/preamble",
        "/v1/indicators",
        "/v1/dispatch/check",
    ):
        assert path in paths, path
    upload = doc["paths"]["/v1/imports"]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in upload


async def test_bad_input_is_4xx_never_500(seeded: Service) -> None:
    item = await first_subitem(seeded)
    base = f"/v1/subitems/{item['id']}"
    h = seeded.auth(Role.ADMIN)
    c = seeded.client
    cases: list[tuple[str, str, dict[str, Any]]] = [
        ("GET", "/v1/rollups", {"params": {"by": "colour"}}),
        ("GET", "/v1/rollups", {"params": {"by": "field", "as_of": "yesterday"}}),
        ("GET", "/v1/subitems", {"params": {"stage": "开工", "limit": 0}}),
        ("GET", "/v1/subitems", {"params": {"year": 1800}}),
        ("GET", "/v1/subitems/%E6%97%A0", {}),
        ("GET", "/v1/projects/none", {}),
        ("GET", "/v1/export", {"params": {"format": "pdf"}}),
        ("POST", f"{base}/advance", {"content": b"{not json"}),
        ("POST", f"{base}/advance", {"json": {"to_stage": 3, "on": "2025-13-01"}}),
        (
            "POST",
            f"{base}/return",
            {"json": {"to_stage": "储备", "on": "2025-01-01", "reason": "x"}},
        ),
        ("POST", f"{base}/withdraw", {"json": {"reason": ""}}),
        ("POST", f"{base}/reinstate", {"json": {"reason": "在库"}}),
        ("POST", f"{base}/milestones", {"json": {"stage": "储备", "due": "2025-01-01"}}),
        ("POST", f"{base}/adjustments", {"json": {"kind": "years", "years": "x", "reason": "r"}}),
        (
            "POST",
            f"{base}/adjustments",
            {
                "json": {
                    "kind": "investment",
                    "investment_wan": "10",
                    "funding": {"central": "20"},
                    "reason": "r",
                }
            },
        ),
        ("POST", f"{base}/adjustments", {"json": {"kind": "investment", "reason": "r"}}),
        ("POST", f"{base}/adjustments/none/approve", {"json": {}}),
        ("POST", f"{base}/adjustments/none/reject", {"json": {"reason": "r"}}),
        (
            "POST",
            f"{base}/progress",
            {"json": {"period": "2025-01", "percent_complete": "5", "invested_to_date_wan": "1"}},
        ),
        ("POST", f"{base}/evaluations", {"json": {"year": 2025, "score": "NaN"}}),
        (
            "POST",
            "/v1/imports",
            {"content": b"--x\r\n\r\n", "headers": {"content-type": "multipart/form-data"}},
        ),
        ("POST", "/v1/imports", {"files": {"other": ("a.txt", b"hello", "text/plain")}}),
        ("POST", "/v1/imports", {"content": "序号,领域\n1,二\n".encode("gb18030")}),
        ("POST", "/v1/indicators/1/targets", {"json": {"target": "Infinity"}}),
        ("GET", "/v1/indicators/0", {}),
    ]
    for method, url, kw in cases:
        headers = {**h, **kw.pop("headers", {})}
        r = await c.request(method, url, headers=headers, **kw)
        assert 400 <= r.status_code < 500, (method, url, r.status_code, r.text)
        assert r.json()  # a JSON body explaining the problem
