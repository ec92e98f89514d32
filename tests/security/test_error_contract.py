"""One error contract: a malformed body, an unknown id, a forbidden role and an impossible
transition sent to each of the four services come back as the same RFC 9457 problem details
(application/problem+json), each valid against the `Problem` schema its service's OpenAPI
declares for that answer.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import jsonschema
import pytest

from .conftest import Running, running

pytestmark = pytest.mark.integration

MEMBERS = {"type", "title", "title_en", "status", "detail", "detail_en", "code", "instance"}
CJK = re.compile(r"[\u4e00-\u9fff]")
Probe = Callable[[Running], Awaitable[httpx.Response]]


async def _complaint(svc: Running) -> str:
    body = {
        "channel": "12345",
        "category": "noise",
        "description": "夜间施工噪声扰民",
        "location": {"address": "东城街道金山路18号", "town": "东城街道"},
        "complainant": {"name": "张三", "phone": "13812345678"},
    }
    r = await svc.client.post("/v1/complaints", json=body, headers=svc.auth("operator"))
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def _complaints_transition(svc: Running) -> httpx.Response:
    cid = await _complaint(svc)
    return await svc.client.post(f"/v1/complaints/{cid}/close", headers=svc.auth("supervisor"))


async def _projects_transition(svc: Running) -> httpx.Response:
    listed = await svc.client.get("/v1/subitems", headers=svc.auth("admin"))
    item = listed.json()["items"][0]
    return await svc.client.post(
        f"/v1/subitems/{item['id']}/advance",
        json={"to_stage": "实施", "on": "2025-03-01"},
        headers=svc.auth("admin"),
    )


async def _risk_transition(svc: Running) -> httpx.Response:
    incident = {
        "title": "大溪河油类泄漏",
        "occurred_at": datetime.now(UTC).isoformat(),
        "grade": "IV",
        "media": ["water"],
        "location": {"lon": "107.25", "lat": "29.05"},
        "river": "大溪河",
    }
    h = svc.auth("operator")
    r = await svc.client.post("/v1/incidents", json=incident, headers=h)
    assert r.status_code == 201, r.text
    # A follow-up report (续报) before the first one (初报).
    return await svc.client.post(
        f"/v1/incidents/{r.json()['id']}/reports", json={"kind": "续报"}, headers=h
    )


RECIPIENT = {"id": "contract-zoe", "name": "契约测试", "email": "zoe@example.org"}


async def _notify_duplicate(svc: Running) -> httpx.Response:
    # notify has no state machine a caller drives: its 409 is a record that exists already.
    h = svc.auth("admin")
    first = await svc.client.post("/v1/recipients", json=RECIPIENT, headers=h)
    assert first.status_code == 201, first.text
    return await svc.client.post("/v1/recipients", json=RECIPIENT, headers=h)


def _post(path: str, json: Any, role: str = "admin") -> Probe:
    async def probe(svc: Running) -> httpx.Response:
        return await svc.client.post(path, json=json, headers=svc.auth(role))

    return probe


def _get(path: str, role: str) -> Probe:
    async def probe(svc: Running) -> httpx.Response:
        kw = {"unit": "town-01"} if role == "unit_handler" else {}
        return await svc.client.get(path, headers=svc.auth(role, **kw))

    return probe


# service → (malformed body, unknown id, forbidden role, impossible transition)
PROBES: dict[str, tuple[Probe, Probe, Probe, Probe]] = {
    "complaints": (
        _post("/v1/complaints", {"channel": "fax"}, "operator"),
        _get("/v1/complaints/TS0000000000000", "supervisor"),
        _get("/v1/admin/policies", "operator"),
        _complaints_transition,
    ),
    "projects": (
        _post("/v1/subitems/x/advance", {"to_stage": 3, "on": "2025-13-01"}),
        _get("/v1/subitems/no-such-item", "admin"),
        _get("/v1/subitems", "public"),
        _projects_transition,
    ),
    "risk": (
        _post("/v1/incidents", {"title": ""}, "operator"),
        _get("/v1/incidents/no-such-incident", "operator"),
        _get("/v1/incidents", "public"),
        _risk_transition,
    ),
    "notify": (
        _post("/v1/rules", {"id": "r", "channels": "sms"}),
        _get("/v1/rules/no-such-rule", "admin"),
        _get("/v1/rules", "operator"),
        _notify_duplicate,
    ),
}
EXPECTED = (422, 404, 403, 409)


def _declared(openapi: dict[str, Any], svc: Running, r: httpx.Response) -> dict[str, Any]:
    """The schema the service's OpenAPI declares for this answer (resolved against it)."""
    route = r.request.url.path
    for template, ops in openapi["paths"].items():
        pattern = "^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"
        op = ops.get(r.request.method.lower())
        if op and re.match(pattern, route) and str(r.status_code) in op["responses"]:
            content = op["responses"][str(r.status_code)]["content"]
            schema = content["application/problem+json"]["schema"]
            return {**schema, "components": openapi["components"]}
    raise AssertionError(f"{svc.name}: {r.request.method} {route} {r.status_code} undeclared")


def _check(openapi: dict[str, Any], svc: Running, r: httpx.Response, status: int) -> set[str]:
    assert r.status_code == status, (svc.name, status, r.text)
    assert r.headers["content-type"] == "application/problem+json", (svc.name, status)
    body = r.json()
    assert set(body) >= MEMBERS, (svc.name, status, body)
    assert body["status"] == status and body["type"].startswith("urn:qingshan:problem:")
    assert body["code"] and re.fullmatch(r"[a-z_]+", body["code"]), body
    assert CJK.search(body["title"]) and CJK.search(body["detail"]), body  # Chinese first
    assert body["title_en"] and body["detail_en"] and not CJK.search(body["title_en"]), body
    jsonschema.validate(body, _declared(openapi, svc, r))
    if status == 422:
        assert body["field"] and body["errors"], body
        assert {"field", "detail", "detail_en"} <= set(body["errors"][0])
        assert body["field"] == body["errors"][0]["field"]
    if status == 409:
        assert body["current"]["state"] if svc.name != "notify" else body["code"], body
    if status == 404:
        assert body["code"] == "not_found" and body["type"].endswith(":not_found")
    if status == 403:
        assert body["code"] == "forbidden"
    return set(body) & (MEMBERS | {"field", "errors", "current"})


@pytest.mark.parametrize("name", list(PROBES))
async def test_four_kinds_of_refusal_are_the_same_problem_details(infra, name):
    over = {"seed_on_start": True} if name == "projects" else {}
    async with running(name, infra, **over) as svc:
        openapi = (await svc.client.get("/openapi.json")).json()
        assert "Problem" in openapi["components"]["schemas"]
        seen = []
        for probe, status in zip(PROBES[name], EXPECTED, strict=True):
            seen.append(_check(openapi, svc, await probe(svc), status))
    # The members every answer carries, whatever the service and the refusal.
    assert all(s >= MEMBERS for s in seen)
    assert {"field", "errors"} <= seen[0]
    if name != "notify":
        assert "current" in seen[3]
