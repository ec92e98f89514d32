"""Token verification against the OpenID Connect provider (Keycloak locally, the bureau's own
identity service in production).

- Only RS256 and ES256, each key from the issuer's JWKS (found through its discovery document),
  cached; a token naming an unknown `kid` refetches the set, at most once per cooldown (PyJWT's
  PyJWKClient), so a stream of made-up kids cannot make us hammer the provider. When the provider
  is unreachable, the last set fetched still verifies the keys it holds.
- The issuer is pinned, the audience checked (one per service: `qingshan-<service>`), the
  lifetime (exp - iat) capped, clocks allowed 60 s of leeway.
- HS256 development tokens only where the environment is explicitly development or test.
"""

from __future__ import annotations

import asyncio
import json
import urllib.request
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import jwt
from jwt import PyJWK, PyJWKClient, PyJWKSet

from qingshan_core.auth import (
    DEFAULT_LEEWAY,
    DEFAULT_MAX_LIFETIME,
    AuthError,
    Principal,
    TokenCodec,
    _reason,
    check_lifetime,
    principal_from_claims,
)
from qingshan_core.logging import get_logger
from qingshan_core.settings import ServiceSettings

log = get_logger(__name__)
ALGORITHMS = ("RS256", "ES256")


@dataclass
class OidcVerifier:
    """Verifies the provider's tokens for one audience."""

    issuer: str
    audience: str
    jwks_url: str = ""  # discovered from the issuer when empty
    max_lifetime: timedelta = DEFAULT_MAX_LIFETIME
    leeway: timedelta = DEFAULT_LEEWAY
    refetch_cooldown: float = 10.0
    keys_lifespan: float = 300.0
    timeout: float = 5.0
    _client: PyJWKClient | None = field(default=None, init=False, repr=False)
    _last_good: PyJWKSet | None = field(default=None, init=False, repr=False)
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock, init=False, repr=False)

    def _discover(self) -> str:
        url = f"{self.issuer.rstrip('/')}/.well-known/openid-configuration"
        with urllib.request.urlopen(url, timeout=self.timeout) as resp:
            doc: dict[str, Any] = json.load(resp)
        if doc.get("issuer") != self.issuer:
            raise AuthError("identity provider names another issuer / 身份服务的签发方不符")
        return str(doc["jwks_uri"])

    async def _jwks(self) -> PyJWKClient:
        if self._client is None:
            async with self._lock:
                if self._client is None:
                    try:
                        url = self.jwks_url or await asyncio.to_thread(self._discover)
                    except OSError as exc:
                        log.warning("oidc.discovery_failed", issuer=self.issuer, error=repr(exc))
                        raise AuthError("identity provider unreachable / 身份服务不可达") from exc
                    self._client = PyJWKClient(
                        url,
                        cache_jwk_set=True,
                        lifespan=self.keys_lifespan,
                        timeout=self.timeout,
                        cooldown_duration=self.refetch_cooldown,
                    )
        return self._client

    def _key_sync(self, client: PyJWKClient, kid: str) -> PyJWK:
        try:
            key = client.get_signing_key(kid)
        except jwt.PyJWKClientConnectionError as exc:
            log.warning("oidc.jwks_unreachable", issuer=self.issuer, error=str(exc))
            for k in self._last_good.keys if self._last_good else ():
                if k.key_id == kid:
                    return k
            raise AuthError("identity provider unreachable / 身份服务不可达") from exc
        except jwt.PyJWKClientError as exc:
            raise AuthError("unknown signing key / 未知签名密钥") from exc
        cached = client.jwk_set_cache.get() if client.jwk_set_cache else None
        if cached is not None:
            self._last_good = cached
        return key

    async def _key(self, kid: str) -> PyJWK:
        client = await self._jwks()
        cached = client.jwk_set_cache.get() if client.jwk_set_cache else None
        for k in cached.keys if cached else ():
            if k.key_id == kid:
                return k  # the common case, without a thread hop
        return await asyncio.to_thread(self._key_sync, client, kid)

    async def verify(self, token: str) -> Principal:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise AuthError(f"invalid token / 令牌无效: {exc}") from exc
        alg, kid = header.get("alg"), header.get("kid")
        if alg not in ALGORITHMS:
            raise AuthError(f"algorithm {alg} not accepted / 不接受该签名算法")
        if not isinstance(kid, str) or not kid:
            raise AuthError("token without kid / 令牌缺少密钥标识")
        key = await self._key(kid)
        if key.algorithm_name != alg:
            raise AuthError("key and token algorithms differ / 密钥与令牌算法不符")
        try:
            claims = jwt.decode(
                token,
                key.key,
                algorithms=[alg],
                issuer=self.issuer,
                audience=self.audience,
                leeway=self.leeway,
                options={"require": ["iss", "sub", "aud", "exp", "iat"]},
            )
        except jwt.PyJWTError as exc:
            raise _reason(exc) from exc
        check_lifetime(claims, self.max_lifetime, self.leeway)
        return principal_from_claims(claims)


@dataclass
class TokenVerifier:
    """A service's verifier: the provider's tokens, and HS256 development tokens where the
    environment allows them (`dev` is None everywhere else)."""

    oidc: OidcVerifier | None
    dev: TokenCodec | None = None

    async def verify(self, token: str) -> Principal:
        try:
            alg = jwt.get_unverified_header(token).get("alg")
        except jwt.PyJWTError as exc:
            raise AuthError(f"invalid token / 令牌无效: {exc}") from exc
        if alg == "HS256":
            if self.dev is None:
                raise AuthError(
                    "HS256 development tokens are accepted only in development / "
                    "仅开发环境接受开发令牌"
                )
            return self.dev.verify(token)
        if self.oidc is None:
            raise AuthError("no identity provider configured / 未配置身份服务")
        return await self.oidc.verify(token)


def verifier_for(s: ServiceSettings) -> TokenVerifier:
    """The verifier a service's settings describe."""
    lifetime = timedelta(seconds=s.token_max_lifetime_seconds)
    leeway = timedelta(seconds=s.token_leeway_seconds)
    oidc = None
    if s.oidc_issuer:
        oidc = OidcVerifier(
            issuer=s.oidc_issuer,
            audience=s.audience,
            jwks_url=s.oidc_jwks_url,
            refetch_cooldown=s.oidc_refetch_seconds,
            max_lifetime=lifetime,
            leeway=leeway,
        )
    dev = None
    if s.accepts_development_tokens:
        dev = TokenCodec(
            s.jwt_secret.get_secret_value(),
            issuer=s.jwt_issuer,
            audience=s.jwt_audience,
            max_lifetime=lifetime,
            leeway=leeway,
        )
    return TokenVerifier(oidc, dev)
