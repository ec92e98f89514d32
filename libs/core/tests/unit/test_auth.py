"""Auth: tokens, roles, units; 401 without or with a bad token, 403 for the wrong role."""

from __future__ import annotations

from datetime import timedelta

import httpx
import jwt
import pytest
from fastapi import Depends, FastAPI

from qingshan_core.auth import (
    AuthError,
    Principal,
    Role,
    TokenCodec,
    bearer_token,
    principal_from_claims,
    require_roles,
)
from qingshan_core.http import create_service_app, no_lifespan
from qingshan_core.oidc import TokenVerifier, verifier_for
from qingshan_core.settings import ServiceSettings

pytestmark = pytest.mark.unit
codec = TokenCodec("x" * 40)


def test_issue_and_verify():
    p = codec.verify(codec.issue("u1", "unit_handler", unit="town-03", name="张三"))
    assert p == Principal("u1", Role.UNIT_HANDLER, "town-03", "张三")


def test_unit_handler_needs_a_unit():
    with pytest.raises(ValueError, match="unit"):
        codec.issue("u1", Role.UNIT_HANDLER)


@pytest.mark.parametrize(
    "token",
    [
        TokenCodec("y" * 40).issue("u", "admin"),  # other secret
        TokenCodec("x" * 40, issuer="elsewhere").issue("u", "admin"),
        TokenCodec("x" * 40, audience="other").issue("u", "admin"),
        codec.issue("u", "admin", ttl=timedelta(seconds=-65)),  # expired beyond the 60 s leeway
        "not-a-jwt",
    ],
)
def test_bad_tokens_are_refused(token):
    with pytest.raises(AuthError):
        codec.verify(token)


def _app() -> FastAPI:
    app = create_service_app(title="t", description="t", lifespan=no_lifespan)
    app.state.token_verifier = TokenVerifier(None, codec)

    @app.get("/only-supervisors")
    async def only(p: Principal = Depends(require_roles(Role.SUPERVISOR, Role.ADMIN))):
        return {"sub": p.subject}

    return app


async def _get(headers: dict[str, str]) -> httpx.Response:
    transport = httpx.ASGITransport(app=_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        return await c.get("/only-supervisors", headers=headers)


async def test_http_401_403_200():
    assert (await _get({})).status_code == 401
    assert (await _get({"Authorization": "Bearer junk"})).status_code == 401
    r = await _get({"Authorization": f"Bearer {codec.issue('op', 'operator')}"})
    assert r.status_code == 403 and "仅限" in r.json()["detail"]
    assert r.json()["code"] == "forbidden" and "may not" in r.json()["detail_en"]
    r = await _get({"Authorization": f"Bearer {codec.issue('s', 'supervisor')}"})
    assert r.status_code == 200 and r.json() == {"sub": "s"}


def test_bearer_scheme_is_case_insensitive():
    assert bearer_token("Bearer abc") == bearer_token("bearer abc") == bearer_token("BEARER abc")
    assert bearer_token("abc") is None and bearer_token("Basic abc") is None
    assert bearer_token("Bearer ") is None and bearer_token(None) is None


@pytest.mark.parametrize(
    ("roles", "reason"),
    [
        (["offline_access", "operator"], None),
        (["operator", "admin"], "exactly one role"),
        (["offline_access"], "exactly one role"),
        (["system"], "exactly one role"),  # never a token role, so not counted
    ],
)
def test_the_provider_roles_claim_names_one_role(roles, reason):
    claims = {"sub": "s", "roles": roles}
    if reason is None:
        assert principal_from_claims(claims).role is Role.OPERATOR
    else:
        with pytest.raises(AuthError, match=reason):
            principal_from_claims(claims)


def test_a_development_token_may_not_claim_the_system_role():
    with pytest.raises(AuthError, match="never accepted"):
        principal_from_claims({"sub": "s", "role": "system"})


def test_the_lifetime_is_capped():
    long = codec.issue("u", "admin", ttl=timedelta(days=365 * 100))
    with pytest.raises(AuthError, match="lifetime"):
        codec.verify(long)
    assert codec.verify(codec.issue("u", "admin", ttl=timedelta(minutes=59))).role is Role.ADMIN


async def test_hs256_only_where_development_tokens_are_allowed():
    dev = ServiceSettings(environment="development", service_name="risk")
    prod = ServiceSettings(
        environment="production", service_name="risk", oidc_issuer="https://id.example.cn/r/q"
    )
    token = TokenCodec(dev.jwt_secret.get_secret_value()).issue("u", "admin")
    assert (await verifier_for(dev).verify(token)).role is Role.ADMIN
    with pytest.raises(AuthError, match="development"):
        await verifier_for(prod).verify(token)
    with pytest.raises(AuthError, match="algorithm none"):
        await verifier_for(prod).verify(jwt.encode({"sub": "u"}, None, algorithm="none"))
