"""Small helpers the integration tests share."""

from __future__ import annotations

from typing import Any

from qingshan_core.auth import Role

from .conftest import Service

DOC = "南川发改〔2025〕1号"
# Gate evidence for walking a sub-item forward, stage by stage (dates in the past).
WALK = [
    ("feasibility", "2025-01-02", DOC),
    ("preliminary_design", "2025-01-03", DOC),
    ("tendering", "2025-01-04", DOC),
    ("implementation", "2025-01-05", None),
    ("completed", "2025-02-20", None),
    ("accepted", "2025-02-25", DOC),
]


async def first_subitem(svc: Service, **params: Any) -> dict[str, Any]:
    r = await svc.client.get(
        "/v1/subitems", params={"limit": 1, **params}, headers=svc.auth(Role.OPERATOR)
    )
    assert r.status_code == 200, r.text
    item: dict[str, Any] = r.json()["items"][0]
    return item


async def walk(svc: Service, subitem_id: str, to: str, who: str = "planner") -> dict[str, Any]:
    """Advance step by step with valid evidence until `to` is reached."""
    h = svc.auth(Role.SUPERVISOR, sub=who)
    body: dict[str, Any] = {}
    for stage, on, doc in WALK:
        r = await svc.client.post(
            f"/v1/subitems/{subitem_id}/advance",
            json={"to_stage": stage, "on": on, "document_no": doc},
            headers=h,
        )
        assert r.status_code == 200, r.text
        body = r.json()
        if stage == to:
            return body
    raise AssertionError(f"{to} is not on the walk")
