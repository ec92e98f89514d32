"""What `make fuzz` found, kept as fixed examples: each input once crashed a service (a 500) or
was answered with the wrong status; now each gets the 4xx (or 2xx) it documents."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from .conftest import SERVICES, Running, running

pytestmark = pytest.mark.integration

FAR_PAST = "0001-01-01T00:00:00+16:10"  # year 0 once turned into UTC
HUGE = 10**24  # beyond what the store can encode as a skip

# service -> (method, path, role, request kwargs, expected status)
CASES: dict[str, list[tuple[str, str, str, dict[str, object], int]]] = {
    "complaints": [
        ("GET", f"/v1/complaints?offset={HUGE}", "operator", {}, 422),
        ("GET", "/v1/metrics/rates?from=0001-01-01&to=0001-01-01", "supervisor", {}, 422),
        ("GET", "/v1/metrics/rates?from=2026-01-01&to=9999-12-31", "supervisor", {}, 422),
        (
            "POST",
            "/v1/complaints",
            "operator",
            {
                "json": {
                    "channel": "visit",
                    "category": "ecology",
                    "description": "0",
                    "location": {"address": "0"},
                    "complainant": {"anonymous": True},
                    "received_at": "0001-01-01T00:00:00Z",
                }
            },
            422,
        ),
        ("GET", "/open311/v2/requests.json", "public", {"params": {"start_date": FAR_PAST}}, 400),
        (
            "GET",
            "/open311/v2/requests.json",
            "public",
            {"params": {"end_date": "9999-12-31T23:59:59-14:00"}},
            400,
        ),
    ],
    "projects": [("GET", f"/v1/subitems?offset={HUGE}", "operator", {}, 422)],
    "risk": [
        *(
            ("GET", f"/v1/{path}?offset={HUGE}", "operator", {}, 422)
            for path in ("incidents", "manifests", "emergency-plans", "risk-sources", "licences")
        ),
        (
            "POST",
            "/v1/incidents",
            "operator",
            {"json": {"title": "0", "occurred_at": FAR_PAST}},
            422,
        ),
    ],
    "notify": [
        ("POST", "/v1/templates/preview", "admin", {"json": {}}, 422),
        *(
            (
                "POST",
                "/v1/recipients",
                "admin",
                {"json": {"id": f"qh-{i}", "name": "值班员", "quiet_hours": quiet}},
                422,
            )
            for i, quiet in enumerate(
                ({"start": "13:57:24.7+16:52"}, {"tz": "Mars/Base"}, {"tz": "../../etc/passwd"})
            )
        ),
    ],
}


async def risk_source_lists_null_clears_them(risk: Running) -> None:
    admin = risk.auth("admin")
    body = {"name": "模糊测试企业", "lists": ["土壤污染防治重点监控企业"]}
    made = await risk.client.post("/v1/risk-sources", json=body, headers=admin)
    assert made.status_code == 201, made.text
    url = f"/v1/risk-sources/{made.json()['id']}"
    r = await risk.client.patch(url, json={"lists": None}, headers=admin)
    assert r.status_code == 200, r.text  # was a 500 (TypeError on None)
    assert r.json()["lists"] == []


async def notify_quiet_hours_and_template_ids(notify: Running) -> None:
    admin = notify.auth("admin")
    body = {"id": "qh-ok", "name": "值班员", "quiet_hours": {"start": "23:00", "end": "06:30"}}
    r = await notify.client.post("/v1/recipients", json=body, headers=admin)
    assert r.status_code == 201, r.text
    assert r.json()["quiet_hours"]["start"] == "23:00:00"
    t = (await notify.client.get("/v1/templates", headers=admin)).json()[0]
    mismatch = {k: t[k] for k in ("event_type", "channel", "variant", "title", "body")}
    r = await notify.client.put("/v1/templates/not-its-id", json=mismatch, headers=admin)
    assert r.status_code == 422, r.text  # was a 404 for a body that names another id


SCENARIOS = {
    "risk": risk_source_lists_null_clears_them,
    "notify": notify_quiet_hours_and_template_ids,
}


@pytest.fixture(scope="module", params=SERVICES)
async def svc(request: pytest.FixtureRequest, infra: dict[str, str]) -> AsyncIterator[Running]:
    async with running(request.param, infra) as s:
        yield s


async def test_inputs_that_once_failed(svc: Running) -> None:
    wrong = []
    for method, path, role, kwargs, expected in CASES[svc.name]:
        r = await svc.client.request(method, path, headers=svc.auth(role), **kwargs)
        if r.status_code != expected:
            wrong.append(f"{method} {path} {kwargs}: {r.status_code} {r.text[:200]}")
    assert not wrong, "\n".join(wrong)
    if svc.name in SCENARIOS:
        await SCENARIOS[svc.name](svc)
