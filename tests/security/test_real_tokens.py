"""Real tokens from the real identity provider (the Keycloak `make test` started), through HTTP
and gRPC of all four services, and the tokens that must be refused.

The four services run in process with `oidc_issuer` set to the suite's Keycloak realm, so they
fetch its discovery document and JWKS like a deployment does.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from typing import Any

import grpc
import jwt
import pytest

from qingshan.complaints.v1 import complaints_service_pb2 as cpb
from qingshan.complaints.v1 import complaints_service_pb2_grpc as cgrpc
from qingshan.notify.v1 import notify_service_pb2 as npb
from qingshan.notify.v1 import notify_service_pb2_grpc as ngrpc
from qingshan.projects.v1 import projects_service_pb2 as ppb
from qingshan.projects.v1 import projects_service_pb2_grpc as pgrpc
from qingshan.risk.v1 import risk_service_pb2 as rpb
from qingshan.risk.v1 import risk_service_pb2_grpc as rgrpc
from qingshan_core.auth import Principal, Role, TokenCodec
from qingshan_core.testing.identity import Provider, TestKey, development

from .conftest import SERVICES, Running, running

pytestmark = pytest.mark.integration
ROLES = ("operator", "unit_handler", "supervisor", "admin", "integration", "public")
STAFF = {"operator", "unit_handler", "supervisor", "admin", "integration"}
# One staff read per service over HTTP, and one gRPC method with the roles it is open to.
HTTP_READ = {
    "complaints": "/v1/complaints",
    "projects": "/v1/subitems",
    "risk": "/v1/risk-sources",
    "notify": "/v1/deliveries",
}
GRPC_CALL: dict[str, tuple[Any, str, Any, set[str]]] = {
    "complaints": (
        cgrpc.ComplaintServiceStub,
        "ListComplaints",
        cpb.ListComplaintsRequest(),
        {"operator", "supervisor", "admin", "integration"},
    ),
    "projects": (pgrpc.ProjectsServiceStub, "GetIndicators", ppb.GetIndicatorsRequest(), STAFF),
    # Handling units have no risk access (services/risk/README.md, "Who may read what").
    "risk": (
        rgrpc.RiskRegistryStub,
        "ListRiskSources",
        rpb.ListRiskSourcesRequest(),
        STAFF - {"unit_handler"},
    ),
    "notify": (
        ngrpc.NotifyServiceStub,
        "ListDeliveries",
        npb.ListDeliveriesRequest(),
        {"supervisor", "admin", "integration"},
    ),
}


def unit_of(role: str) -> str | None:
    return "town-01" if role == "unit_handler" else None


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


REFETCH = 2.0  # seconds between JWKS fetches for unknown kids (10 s by default)


@pytest.fixture(scope="module")
async def services(infra: dict[str, str], identity: Provider) -> AsyncIterator[dict[str, Running]]:
    over = {"oidc_issuer": identity.issuer, "oidc_refetch_seconds": REFETCH}
    async with AsyncExitStack() as stack:
        started = {
            name: await stack.enter_async_context(running(name, infra, **over)) for name in SERVICES
        }
        yield started


async def grpc_call(svc: Running, token: str | None) -> grpc.StatusCode:
    stub_class, method, request, _ = GRPC_CALL[svc.name]
    meta = (("authorization", f"bearer {token}"),) if token else ()  # scheme in lower case
    async with grpc.aio.insecure_channel(f"127.0.0.1:{svc.settings.grpc_port}") as channel:
        try:
            await getattr(stub_class(channel), method)(request, metadata=meta, timeout=10)
        except grpc.aio.AioRpcError as exc:
            return exc.code()
    return grpc.StatusCode.OK


async def test_demo_users_tokens_name_their_role_and_unit(
    services: dict[str, Running], identity: Provider
) -> None:
    verifier = services["complaints"].app.state.token_verifier
    for role in ROLES:
        p: Principal = await verifier.verify(await identity.token(role, unit_of(role)))
        assert p.role is Role(role), role
        assert p.unit == unit_of(role), role
    two = await verifier.verify(await identity.token("unit_handler", "town-02"))
    assert (two.role, two.unit) == (Role.UNIT_HANDLER, "town-02")


@pytest.mark.parametrize("name", SERVICES)
async def test_every_role_is_accepted_over_http(
    services: dict[str, Running], identity: Provider, name: str
) -> None:
    svc = services[name]
    allowed = {"supervisor", "admin", "integration"} if name == "notify" else STAFF
    seen = {}
    for role in ROLES:
        r = await svc.client.get(
            HTTP_READ[name], headers=bearer(await identity.token(role, unit_of(role)))
        )
        seen[role] = r.status_code
    assert all(code != 401 for code in seen.values()), seen  # every real token authenticates
    assert seen["admin"] == 200 and seen["public"] == 403, seen
    assert {r for r, code in seen.items() if code == 200} <= allowed, seen


@pytest.mark.parametrize("name", SERVICES)
async def test_every_role_is_accepted_over_grpc(
    services: dict[str, Running], identity: Provider, name: str
) -> None:
    svc = services[name]
    allowed = GRPC_CALL[name][3]
    for role in ROLES:
        code = await grpc_call(svc, await identity.token(role, unit_of(role)))
        want = grpc.StatusCode.OK if role in allowed else grpc.StatusCode.PERMISSION_DENIED
        assert code == want, (role, code)
    assert await grpc_call(svc, None) == grpc.StatusCode.UNAUTHENTICATED


def one_byte_changed(token: str) -> str:
    head, body, sig = token.split(".")
    i = len(sig) // 2
    return ".".join([head, body, sig[:i] + ("A" if sig[i] != "A" else "B") + sig[i + 1 :]])


@pytest.mark.parametrize("name", SERVICES)
async def test_the_same_token_with_one_byte_changed_is_refused(
    services: dict[str, Running], identity: Provider, name: str
) -> None:
    svc = services[name]
    token = await identity.token("admin")
    assert (await svc.client.get(HTTP_READ[name], headers=bearer(token))).status_code == 200
    changed = one_byte_changed(token)
    r = await svc.client.get(HTTP_READ[name], headers=bearer(changed))
    assert r.status_code == 401, r.text
    assert await grpc_call(svc, changed) == grpc.StatusCode.UNAUTHENTICATED


async def test_a_token_for_another_audience_is_refused(
    services: dict[str, Running], identity: Provider
) -> None:
    """The 12345 platform's service account may call complaints only (its token's audience)."""
    secret = development()["client_secrets"]["QINGSHAN_CITY_12345_SECRET"]
    token = await identity.client_credentials("city-12345", secret)
    assert jwt.decode(token, options={"verify_signature": False})["aud"] == "qingshan-complaints"
    ok = await services["complaints"].client.get("/v1/complaints", headers=bearer(token))
    assert ok.status_code == 200, ok.text
    for name in ("projects", "risk", "notify"):
        r = await services[name].client.get(HTTP_READ[name], headers=bearer(token))
        assert r.status_code == 401 and "受众" in r.text, (name, r.text)
        assert await grpc_call(services[name], token) == grpc.StatusCode.UNAUTHENTICATED


@pytest.fixture(scope="module")
async def test_key(services: dict[str, Running], identity: Provider) -> AsyncIterator[TestKey]:
    """Added after the services cached the realm's keys: their first use of its kid refetches."""
    await services["risk"].client.get(
        "/v1/risk-sources", headers=bearer(await identity.token("admin"))
    )
    key = await identity.add_signing_key()
    await asyncio.sleep(REFETCH)  # past the last fetch's cooldown
    try:
        yield key
    finally:
        await identity.remove_signing_key(key)


def claims(identity: Provider, **over: Any) -> dict[str, Any]:
    now = int(time.time())
    base = {
        "iss": identity.issuer,
        "sub": "crafted",
        "aud": ["qingshan-complaints", "qingshan-projects", "qingshan-risk", "qingshan-notify"],
        "iat": now,
        "exp": now + 300,
        "roles": ["admin"],
    }
    return base | over


async def test_a_well_formed_token_signed_by_a_published_key_is_accepted(
    services: dict[str, Running], identity: Provider, test_key: TestKey
) -> None:
    """The control for the refusals below: the same key and claims, valid, are accepted (a kid
    the services had not seen made them fetch the JWKS again)."""
    token = test_key.sign(claims(identity))
    for name in SERVICES:
        r = await services[name].client.get(HTTP_READ[name], headers=bearer(token))
        assert r.status_code == 200, (name, r.text)
        assert await grpc_call(services[name], token) == grpc.StatusCode.OK


async def test_unknown_kids_refetch_the_keys_at_most_once_per_interval(
    services: dict[str, Running], identity: Provider, test_key: TestKey
) -> None:
    """Made-up kids, many at once: one JWKS fetch per interval (the rest are refused at once)."""
    svc = services["projects"]
    client = svc.app.state.token_verifier.oidc._client
    fetches = []
    real_fetch = client.fetch_data

    def counting() -> Any:
        fetches.append(time.monotonic())
        return real_fetch()

    client.fetch_data = counting
    await asyncio.sleep(REFETCH)
    try:
        for i in range(20):
            forged = jwt.encode(claims(identity), test_key.pem, "RS256", headers={"kid": f"k{i}"})
            r = await svc.client.get(HTTP_READ["projects"], headers=bearer(forged))
            assert r.status_code == 401 and "未知签名密钥" in r.text, r.text
    finally:
        del client.fetch_data
    # At least one fetch; any further one only an interval after the one before (a slow
    # machine may take longer than one interval for the twenty requests).
    gaps = [b - a for a, b in itertools.pairwise(fetches)]
    assert fetches and all(g >= REFETCH * 0.99 for g in gaps), gaps
    assert len(fetches) < 20


REFUSED = {
    "expired": lambda now: {"iat": now - 900, "exp": now - 120},
    "not yet valid": lambda now: {"iat": now + 600, "nbf": now + 600, "exp": now + 900},
    "100-year token": lambda now: {"exp": now + 100 * 365 * 86400},
    "foreign issuer": lambda now: {"iss": "http://127.0.0.1:1/realms/elsewhere"},
    "wrong audience": lambda now: {"aud": "qingshan-somebody-else"},
    "system role": lambda now: {"roles": ["system"]},
}


@pytest.mark.parametrize("case", list(REFUSED))
async def test_refused_tokens(
    services: dict[str, Running], identity: Provider, test_key: TestKey, case: str
) -> None:
    token = test_key.sign(claims(identity, **REFUSED[case](int(time.time()))))
    for name in SERVICES:
        r = await services[name].client.get(HTTP_READ[name], headers=bearer(token))
        assert r.status_code == 401, (case, name, r.text)
        assert await grpc_call(services[name], token) == grpc.StatusCode.UNAUTHENTICATED, name


async def test_hs256_is_refused_outside_development(
    infra: dict[str, str], identity: Provider
) -> None:
    """A staging service takes the provider's tokens and no development token, not even one
    signed with its own configured secret."""
    async with running("risk", infra, environment="staging", oidc_issuer=identity.issuer) as svc:
        hs = TokenCodec(svc.settings.jwt_secret.get_secret_value()).issue("dev", "admin")
        r = await svc.client.get("/v1/risk-sources", headers=bearer(hs))
        assert r.status_code == 401 and "开发" in r.text, r.text
        assert await grpc_call(svc, hs) == grpc.StatusCode.UNAUTHENTICATED
        real = await identity.token("admin")
        assert (await svc.client.get("/v1/risk-sources", headers=bearer(real))).status_code == 200
