"""Bearer JWT auth: who the caller is, which role they act in, and which unit they belong to."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

import jwt
from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer


class Role(StrEnum):
    """The roles qingshan knows (the `role` claim)."""

    OPERATOR = "operator"  # hotline operator (话务员)
    UNIT_HANDLER = "unit_handler"  # handling unit staff (承办单位), bound to a unit
    SUPERVISOR = "supervisor"  # 督办/审核
    ADMIN = "admin"
    INTEGRATION = "integration"  # service accounts: city 12345 platform, other departments
    PUBLIC = "public"  # a reporter using the mobile app


ROLE_LABELS = {
    Role.OPERATOR: "话务员",
    Role.UNIT_HANDLER: "承办单位",
    Role.SUPERVISOR: "督办人员",
    Role.ADMIN: "管理员",
    Role.INTEGRATION: "系统对接",
    Role.PUBLIC: "公众",
}


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


@dataclass(frozen=True)
class TokenCodec:
    """Issues and verifies HS256 tokens for one issuer/audience."""

    secret: str
    issuer: str = "qingshan"
    audience: str = "qingshan"

    def issue(
        self,
        subject: str,
        role: Role | str,
        unit: str | None = None,
        name: str | None = None,
        ttl: timedelta = timedelta(hours=12),
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
                options={"require": ["sub", "exp", "role"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise AuthError("token expired / 令牌已过期") from exc
        except jwt.PyJWTError as exc:
            raise AuthError(f"invalid token / 令牌无效: {exc}") from exc
        try:
            role = Role(claims["role"])
        except ValueError as exc:
            raise AuthError(f"unknown role / 未知角色: {claims['role']!r}") from exc
        unit = claims.get("unit")
        if role is Role.UNIT_HANDLER and not unit:
            raise AuthError("unit_handler token without unit / 承办单位令牌缺少单位")
        return Principal(subject=str(claims["sub"]), role=role, unit=unit, name=claims.get("name"))


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
    codec: TokenCodec = request.app.state.token_codec
    try:
        return codec.verify(creds.credentials)
    except AuthError as exc:
        raise _unauthorized(exc.reason) from exc


def require_roles(*roles: Role) -> Callable[..., Coroutine[Any, Any, Principal]]:
    """FastAPI dependency factory: the caller, who must act in one of `roles` (else 403)."""
    allowed = frozenset(roles)

    async def dependency(principal: Principal = Depends(current_principal)) -> Principal:
        if principal.role not in allowed:
            names = "、".join(ROLE_LABELS[r] for r in roles)
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                detail=f"role {principal.role.value} may not do this; allowed: "
                f"{', '.join(r.value for r in roles)} / 仅限{names}",
            )
        return principal

    return dependency
