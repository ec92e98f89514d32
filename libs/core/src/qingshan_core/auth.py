"""Bearer JWT auth: who the caller is, which role they act in, and which unit they belong to.

Tokens come from the OpenID Connect provider and are verified against its JWKS
(qingshan_core.oidc). HS256 development tokens (`TokenCodec`) are accepted only where the
environment is explicitly development or test. This module holds what both share (the claims a
principal is read from, the lifetime rule) and the FastAPI dependencies every service uses.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Protocol

import jwt
from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from qingshan_core.roles import ROLE_LABELS, STAFF, TOKEN_ROLES, Role

__all__ = [
    "ROLE_LABELS",
    "STAFF",
    "Admin",
    "AuthError",
    "Caller",
    "Principal",
    "Role",
    "Staff",
    "Supervisors",
    "TokenCodec",
    "Verifier",
    "bearer_token",
    "current_principal",
    "require_roles",
]
DEFAULT_MAX_LIFETIME = timedelta(hours=1)
DEFAULT_LEEWAY = timedelta(seconds=60)


@dataclass(frozen=True)
class Principal:
    """The authenticated caller."""

    subject: str
    role: Role
    unit: str | None = None
    name: str | None = None


class AuthError(Exception):
    """A token that cannot be accepted; `reason` is safe to show."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Verifier(Protocol):
    """What the HTTP dependencies and the gRPC interceptor verify a bearer token with."""

    async def verify(self, token: str) -> Principal: ...


def bearer_token(header: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` value (scheme case-insensitive)."""
    scheme, _, token = (header or "").strip().partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def check_lifetime(claims: Mapping[str, Any], max_lifetime: timedelta, leeway: timedelta) -> None:
    """exp - iat within the maximum lifetime, and iat not in the future (beyond the leeway)."""
    iat, exp = claims.get("iat"), claims.get("exp")
    if not isinstance(iat, int | float) or not isinstance(exp, int | float):
        raise AuthError("token without iat/exp / 令牌缺少签发或过期时间")
    if iat > time.time() + leeway.total_seconds():
        raise AuthError("token not yet valid (iat) / 令牌尚未生效")
    if exp - iat > max_lifetime.total_seconds():
        limit = int(max_lifetime.total_seconds())
        raise AuthError(f"token lifetime over {limit} s / 令牌有效期超过{limit}秒上限")


def _role_of(claims: Mapping[str, Any]) -> Role:
    """The one role a token names: `role` (development tokens) or the provider's `roles` list,
    of which exactly one must be a qingshan role (others, e.g. offline_access, are ignored)."""
    if "role" in claims:
        named = [claims["role"]]
    elif isinstance(claims.get("roles"), list):
        named = [r for r in claims["roles"] if r in {t.value for t in TOKEN_ROLES}]
    else:
        raise AuthError("token names no role / 令牌未包含角色")
    if len(named) != 1:
        found = "none" if not named else ", ".join(map(str, named))
        raise AuthError(
            f"token must name exactly one role (found {found}) / 令牌须且仅须包含一个角色"
        )
    try:
        role = Role(named[0])
    except ValueError as exc:
        raise AuthError(f"unknown role / 未知角色: {named[0]!r}") from exc
    if role not in TOKEN_ROLES:
        raise AuthError(f"role {role.value} is never accepted from a token / 该角色不可由令牌授予")
    return role


def principal_from_claims(claims: Mapping[str, Any]) -> Principal:
    """The caller a verified token names."""
    role = _role_of(claims)
    unit = claims.get("unit")
    if unit is not None and not isinstance(unit, str):
        raise AuthError("unit claim must be a string / 单位声明格式无效")
    if role is Role.UNIT_HANDLER and not unit:
        raise AuthError("unit_handler token without unit / 承办单位令牌缺少单位")
    name = claims.get("name")
    return Principal(
        subject=str(claims["sub"]),
        role=role,
        unit=unit or None,
        name=name if isinstance(name, str) else None,
    )


def _reason(exc: jwt.PyJWTError) -> AuthError:
    if isinstance(exc, jwt.ExpiredSignatureError):
        return AuthError("token expired / 令牌已过期")
    if isinstance(exc, jwt.ImmatureSignatureError):
        return AuthError("token not yet valid / 令牌尚未生效")
    if isinstance(exc, jwt.InvalidIssuerError):
        return AuthError("token from another issuer / 令牌签发方不符")
    if isinstance(exc, jwt.InvalidAudienceError):
        return AuthError("token not meant for this service / 令牌受众不符")
    return AuthError(f"invalid token / 令牌无效: {exc}")


@dataclass(frozen=True)
class TokenCodec:
    """Issues and verifies HS256 development tokens for one issuer/audience. Services accept
    them only in an explicit development or test environment (see qingshan_core.oidc)."""

    secret: str
    issuer: str = "qingshan"
    audience: str = "qingshan"
    max_lifetime: timedelta = DEFAULT_MAX_LIFETIME
    leeway: timedelta = DEFAULT_LEEWAY

    def issue(
        self,
        subject: str,
        role: Role | str,
        unit: str | None = None,
        name: str | None = None,
        ttl: timedelta = timedelta(hours=1),
    ) -> str:
        """A signed token for `subject` acting as `role` (and `unit` for unit handlers)."""
        role = Role(role)
        if role is Role.UNIT_HANDLER and not unit:
            raise ValueError("a unit_handler token must name its unit")
        now = datetime.now(UTC)
        claims: dict[str, Any] = {
            "sub": subject,
            "role": role.value,
            "iss": self.issuer,
            "aud": self.audience,
            "iat": now,
            "nbf": now,
            "exp": now + ttl,
        }
        if unit:
            claims["unit"] = unit
        if name:
            claims["name"] = name
        return jwt.encode(claims, self.secret, algorithm="HS256")

    def verify(self, token: str) -> Principal:
        """The principal a token names; AuthError when it is invalid, expired or malformed."""
        try:
            claims = jwt.decode(
                token,
                self.secret,
                algorithms=["HS256"],
                issuer=self.issuer,
                audience=self.audience,
                leeway=self.leeway,
                options={"require": ["sub", "exp", "iat", "role"]},
            )
        except jwt.PyJWTError as exc:
            raise _reason(exc) from exc
        check_lifetime(claims, self.max_lifetime, self.leeway)
        return principal_from_claims(claims)


_bearer = HTTPBearer(auto_error=False)


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, detail=detail, headers={"WWW-Authenticate": "Bearer"}
    )


async def current_principal(
    request: Request, creds: HTTPAuthorizationCredentials | None = Depends(_bearer)
) -> Principal:
    """FastAPI dependency: the caller, from the bearer token (401 when absent or invalid)."""
    if creds is None or creds.scheme.lower() != "bearer":
        raise _unauthorized("missing bearer token / 缺少身份令牌")
    verifier: Verifier = request.app.state.token_verifier
    try:
        return await verifier.verify(creds.credentials)
    except AuthError as exc:
        raise _unauthorized(exc.reason) from exc


def forbidden_reason(role: Role, allowed: tuple[Role, ...]) -> str:
    names = "、".join(ROLE_LABELS[r] for r in allowed)
    return (
        f"role {role.value} may not do this; allowed: "
        f"{', '.join(r.value for r in allowed)} / 仅限{names}"
    )


def require_roles(*roles: Role) -> Callable[..., Coroutine[Any, Any, Principal]]:
    """FastAPI dependency factory: the caller, who must act in one of `roles` (else 403)."""
    allowed = frozenset(roles)

    async def dependency(principal: Principal = Depends(current_principal)) -> Principal:
        if principal.role not in allowed:
            raise HTTPException(
                status.HTTP_403_FORBIDDEN, detail=forbidden_reason(principal.role, roles)
            )
        return principal

    return dependency


# The role aliases routes declare (`async def f(me: Staff)`), as FastAPI's project template does.
Caller = Annotated[Principal, Depends(current_principal)]  # any authenticated role
Staff = Annotated[Principal, Depends(require_roles(*STAFF))]  # everyone but the public
Supervisors = Annotated[Principal, Depends(require_roles(Role.SUPERVISOR, Role.ADMIN))]
Admin = Annotated[Principal, Depends(require_roles(Role.ADMIN))]
