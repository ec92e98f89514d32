"""Authorisation matrix: every HTTP endpoint of every service × every role, plus no token, a
token signed with another secret, an expired token and an unsigned (alg=none) token.

Expected: 401 without a valid token, 403 for a role not allowed, and neither (nor a 5xx) for an
allowed role — whatever its dummy input then earns (2xx, 404, 409, 422). Endpoints are read
from the running app, so a new endpoint without a line in its service's table fails here.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import jwt
import pytest
from fastapi.routing import iter_route_contexts

from qingshan_core.auth import TokenCodec
from qingshan_core.roles import TOKEN_ROLES

from .conftest import SERVICES, Running, running

pytestmark = pytest.mark.integration

PUBLIC = "public endpoint"  # no token needed; any token (even a bad one) changes nothing
ROLES = sorted(r.value for r in TOKEN_ROLES)  # "system" is refused as a token role (401)
ALL = " ".join(ROLES)
SIGNED_IN = "operator unit_handler supervisor admin integration"  # every role but public
MANAGERS = "supervisor admin"
FILERS = "operator integration supervisor admin"
# Risk: the bureau's staff and integrations; handling units have no risk access (issue 14).
RISK_READERS = "operator supervisor admin integration"
STAFF = "operator unit_handler supervisor admin"  # people (an inbox is a person's)
OPS = {
    "GET /healthz": PUBLIC,
    "GET /readyz": PUBLIC,
    "GET /metrics": PUBLIC,
    "GET /openapi.json": PUBLIC,
    "GET /docs": PUBLIC,
    "GET /docs/oauth2-redirect": PUBLIC,
    "GET /redoc": PUBLIC,
}

EXPECTED: dict[str, dict[str, str]] = {
    "complaints": OPS
    | {
        "POST /v1/complaints": "operator integration public supervisor admin",
        "GET /v1/complaints": SIGNED_IN,
        "GET /v1/complaints/{complaint_id}": SIGNED_IN,
        "GET /v1/complaints/{complaint_id}/history": SIGNED_IN,
        "GET /v1/complaints/queues": SIGNED_IN,
        "POST /v1/complaints/duplicates": FILERS,
        "GET /v1/complaints/{complaint_id}/notes": SIGNED_IN,
        "POST /v1/complaints/{complaint_id}/notes": SIGNED_IN,
        "GET /v1/complaints/{complaint_id}/complainant": MANAGERS,
        "POST /v1/complaints/{complaint_id}/erase": "admin",
        "GET /v1/admin/reveals": "admin",
        "GET /v1/admin/retention": "admin",
        "POST /v1/complaints/{complaint_id}/{action}": SIGNED_IN,
        "GET /v1/track/{tracking_code}": PUBLIC,
        "GET /v1/metrics/rates": SIGNED_IN,
        "GET /v1/metrics/issue-list": SIGNED_IN,
        "GET /v1/admin/policies": MANAGERS,
        "PUT /v1/admin/policies": "admin",
        "GET /v1/admin/calendar": MANAGERS,
        "PUT /v1/admin/calendar/{day}": "admin",
        "POST /v1/admin/calendar/years/{year}/confirm": "admin",
        "GET /v1/units": SIGNED_IN,
        "GET /v1/units/{unit_id}": SIGNED_IN,
        "POST /v1/units": "admin",
        "PATCH /v1/units/{unit_id}": "admin",
        "POST /v1/units/{unit_id}/retire": "admin",
        "GET /open311/v2/services.json": PUBLIC,
        "GET /open311/v2/services/{service_code}.json": PUBLIC,
        "POST /open311/v2/requests.json": "public integration operator supervisor admin",
        "GET /open311/v2/requests.json": "public integration operator supervisor admin",
        "GET /open311/v2/requests/{service_request_id}.json": (
            "public integration operator supervisor admin"
        ),
        # The city platforms' own API on the orders they sent: their service accounts only.
        **{
            f"{method} /v1/platforms/{{platform}}/orders/{{order_number}}{tail}": "integration"
            for method, tail in (
                ("GET", ""),
                ("POST", "/urge"),
                ("POST", "/supervise"),
                ("POST", "/extension-decision"),
                ("POST", "/follow-up"),
                ("POST", "/withdraw"),
                ("POST", "/redispatch"),
            )
        },
    },
    "projects": OPS
    | {
        "POST /v1/imports": MANAGERS,
        "GET /v1/imports": SIGNED_IN,
        "GET /v1/export": SIGNED_IN,
        "GET /v1/subitems": SIGNED_IN,
        "GET /v1/subitems/{subitem_id}": SIGNED_IN,
        "GET /v1/projects/{project_id}": SIGNED_IN,
        "POST /v1/subitems/{subitem_id}/advance": MANAGERS,
        "POST /v1/subitems/{subitem_id}/return": MANAGERS,
        "POST /v1/subitems/{subitem_id}/withdraw": MANAGERS,
        "POST /v1/subitems/{subitem_id}/reinstate": MANAGERS,
        "POST /v1/subitems/{subitem_id}/milestones": MANAGERS,
        "POST /v1/subitems/{subitem_id}/adjustments": "unit_handler supervisor admin",
        "GET /v1/adjustments": "unit_handler supervisor admin",
        "POST /v1/subitems/{subitem_id}/adjustments/{adjustment_id}/approve": MANAGERS,
        "POST /v1/subitems/{subitem_id}/adjustments/{adjustment_id}/reject": MANAGERS,
        "POST /v1/subitems/{subitem_id}/progress": "unit_handler supervisor admin",
        "POST /v1/subitems/{subitem_id}/evaluations": MANAGERS,
        "POST /v1/dispatch/check": MANAGERS,
        "GET /v1/rollups": SIGNED_IN,
        "GET /v1/rollups/preamble": SIGNED_IN,
        "GET /v1/indicators": SIGNED_IN,
        "GET /v1/indicators/{no}": SIGNED_IN,
        "POST /v1/indicators/{no}/values": MANAGERS,
        "POST /v1/indicators/{no}/targets": MANAGERS,
    },
    "risk": OPS
    | {
        "POST /v1/risk-sources": MANAGERS,
        "GET /v1/risk-sources": RISK_READERS,
        "GET /v1/risk-sources/{source_id}": RISK_READERS,
        "PATCH /v1/risk-sources/{source_id}": MANAGERS,
        "POST /v1/risk-sources/{source_id}/grading": MANAGERS,
        "GET /v1/park-clusters": RISK_READERS,
        "GET /v1/grading-rules": RISK_READERS,
        "GET /v1/waste-codes/{code}": RISK_READERS,
        "GET /v1/waste-catalogues": RISK_READERS,
        "POST /v1/waste-catalogues": "admin",
        "POST /v1/licences": MANAGERS,
        "GET /v1/licences": RISK_READERS,
        "GET /v1/licences/{number}": RISK_READERS,
        "POST /v1/licences/{number}/revocation": MANAGERS,
        "GET /v1/licence-check": RISK_READERS,
        "POST /v1/manifests": FILERS,
        "GET /v1/manifests": RISK_READERS,
        "GET /v1/manifests/{number}": RISK_READERS,
        "POST /v1/manifests/{number}/shipment": FILERS,
        "POST /v1/manifests/{number}/receipt": FILERS,
        "POST /v1/manifests/{number}/rejection": FILERS,
        "POST /v1/manifests/{number}/closure": FILERS,
        "POST /v1/manifests/{number}/cancellation": FILERS,
        "POST /v1/storage-ledgers": FILERS,
        "GET /v1/storage-ledgers/{holder}": RISK_READERS,
        "POST /v1/storage-ledgers/{holder}/movements": FILERS,
        "POST /v1/incidents": FILERS,
        "GET /v1/incidents": RISK_READERS,
        "GET /v1/incidents/{incident_id}": RISK_READERS,
        "POST /v1/incidents/{incident_id}/reports": FILERS,
        "POST /v1/incidents/{incident_id}/grade": MANAGERS,
        "PUT /v1/incidents/{incident_id}/facts": FILERS,
        "GET /v1/admin/rules/{name}": RISK_READERS,
        "PUT /v1/admin/rules/{name}": "admin",
        "GET /v1/admin/rules/{name}/versions": RISK_READERS,
        "POST /v1/incidents/{incident_id}/neighbours/{neighbour}/notified": FILERS,
        "POST /v1/emergency-plans": MANAGERS,
        "GET /v1/emergency-plans": RISK_READERS,
        "GET /v1/emergency-plans/{plan_id}": RISK_READERS,
        "POST /v1/emergency-plans/{plan_id}/filing": MANAGERS,
        "POST /v1/emergency-plans/{plan_id}/review": MANAGERS,
        "POST /v1/emergency-plans/{plan_id}/supersession": MANAGERS,
        "GET /v1/indicators": RISK_READERS,
        # Staff see the whole map; the public layer is off by default, so public gets 403.
        "GET /v1/map.geojson": RISK_READERS,
        "POST /v1/sweeps": "admin",
    },
    "notify": OPS
    | {
        **{
            f"{method} /v1/{path}": "admin"  # the configuration is the administrators'
            for kind, item in (
                ("recipients", "{recipient_id}"),
                ("groups", "{group_id}"),
                ("rules", "{rule_id}"),
                ("templates", "{template_id}"),
            )
            for method, path in (
                ("GET", kind),
                ("POST", kind),
                ("GET", f"{kind}/{item}"),
                ("PUT", f"{kind}/{item}"),
                ("DELETE", f"{kind}/{item}"),
            )
        },
        "GET /v1/escalation-chains": "admin",
        "GET /v1/admin/unreachable": "admin",
        "PUT /v1/escalation-chains/{unit}": "admin",
        "DELETE /v1/escalation-chains/{unit}": "admin",
        "GET /v1/event-types": "admin",
        "POST /v1/templates/preview": "admin",
        "GET /v1/inbox": STAFF,  # one's own inbox: staff, the token's subject
        "POST /v1/inbox/{delivery_id}/ack": STAFF,
        "GET /v1/deliveries": "supervisor admin integration",
        "GET /v1/deliveries/{delivery_id}": "supervisor admin integration",
        "POST /v1/deliveries/{delivery_id}/resend": "admin",  # a dead letter, once
        "GET /v1/channels": "supervisor admin integration",
        # Direct messages by people; integrations reach people through the rules only.
        "POST /v1/notifications": MANAGERS,
    },
}

# The generic action route (POST /v1/complaints/{complaint_id}/{action}) lets every signed-in
# role in and leaves who may do which action to the domain: the actions whose role table this
# matrix checks too, on a real case in a state that allows them (403 before 409/422).
ACTION_EXPECTED: dict[str, str] = {
    "bureau-supervise": MANAGERS,  # 督办 by the bureau's supervisors (issue 15)
}

# Dummy input where the route reads its input before it checks the caller.
FORMS = {"POST /open311/v2/requests.json": {"service_code": "noise", "description": "权限矩阵"}}


def endpoints(app: Any) -> set[str]:
    """`METHOD /path` of every route the app serves (HEAD aside), docs and ops included."""
    return {
        f"{method} {route.path}"
        for route in iter_route_contexts(app.routes)
        for method in route.methods or ()
        if method != "HEAD"
    }


def callers(svc: Running) -> dict[str, dict[str, str]]:
    """Headers per caller: each role, no token, and three tokens that must not be accepted."""
    secret = svc.settings.jwt_secret.get_secret_value()
    out = {r: svc.auth(r, unit="town-01" if r == "unit_handler" else None) for r in ROLES}
    bad = {
        "no token": None,
        "other secret": TokenCodec("another-secret-of-32-characters-or-more").issue("x", "admin"),
        "expired": TokenCodec(secret).issue("x", "admin", ttl=timedelta(seconds=-120)),  # > leeway
        "unsigned": jwt.encode({"sub": "x", "role": "admin", "exp": 9e9}, None, algorithm="none"),
    }
    for name, token in bad.items():
        out[name] = {"Authorization": f"Bearer {token}"} if token else {}
    return out


def expectation(rule: str, caller: str) -> str:
    if rule == PUBLIC:
        return "open"
    if caller not in ROLES:
        return "401"
    return "open" if caller in rule.split() else "403"


def meets(expected: str, status: int) -> bool:
    if expected == "open":
        return status not in (401, 403) and status < 500
    return status == int(expected)


@pytest.fixture(scope="module", params=SERVICES)
async def svc(request: pytest.FixtureRequest, infra: dict[str, str]) -> AsyncIterator[Running]:
    async with running(request.param, infra) as s:
        yield s


def test_every_endpoint_has_an_expectation(svc: Running) -> None:
    served, listed = endpoints(svc.app), set(EXPECTED[svc.name])
    assert served - listed == set(), f"{svc.name}: endpoints without an expectation"
    assert listed - served == set(), f"{svc.name}: expectations for endpoints that are gone"
    for key, rule in EXPECTED[svc.name].items():
        assert rule == PUBLIC or set(rule.split()) <= set(ROLES), f"{key}: {rule!r}"


async def test_authorisation_matrix(svc: Running) -> None:
    wrong = []
    cells = 0
    for key in sorted(EXPECTED[svc.name]):
        method, path = key.split(" ", 1)
        url = re.sub(r"\{[^}]+\}", "x", path)
        body: dict[str, Any] = {"data": FORMS[key]} if key in FORMS else {}
        if not body and method in ("POST", "PUT", "PATCH"):
            body = {"json": {}}
        for caller, headers in callers(svc).items():
            cells += 1
            r = await svc.client.request(method, url, headers=headers, **body)
            expected = expectation(EXPECTED[svc.name][key], caller)
            if not meets(expected, r.status_code):
                wrong.append(f"{key} as {caller}: {r.status_code}, expected {expected}")
    assert not wrong, f"{svc.name}: {len(wrong)} of {cells} cells wrong:\n" + "\n".join(wrong)


async def test_actions_of_the_generic_route_by_role(infra: dict[str, str]) -> None:
    wrong = []
    async with running("complaints", infra) as svc:
        body = {
            "channel": "12345",
            "external_id": "GD-MATRIX-1",
            "category": "noise",
            "description": "权限矩阵",
            "location": {"address": "南川区东城街道金山路18号"},
            "complainant": {"anonymous": True},
        }
        r = await svc.client.post("/v1/complaints", json=body, headers=svc.auth("operator"))
        assert r.status_code == 201, r.text
        cid = r.json()["id"]
        r = await svc.client.post(
            f"/v1/complaints/{cid}/assign", json={"unit_id": "town-01"}, headers=svc.auth("admin")
        )
        assert r.status_code == 200, r.text
        for action, rule in ACTION_EXPECTED.items():
            for caller, headers in callers(svc).items():
                r = await svc.client.post(
                    f"/v1/complaints/{cid}/{action}", json={"reason": "权限矩阵"}, headers=headers
                )
                expected = expectation(rule, caller)
                if not meets(expected, r.status_code) or (expected == "open" and r.is_error):
                    wrong.append(f"{action} as {caller}: {r.status_code}, expected {expected}")
    assert not wrong, "\n".join(wrong)
