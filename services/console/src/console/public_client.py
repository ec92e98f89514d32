"""The reporter pages' access token: the console's own `public`-role token from the identity
provider, by the OAuth2 client-credentials grant of the confidential client
`qingshan-console-public` (its service account holds the realm role `public`, its token the
four services' audiences), so the pages work wherever the services accept only the provider's
RS256 tokens.

One token serves every reporter until shortly before it expires (`REFRESH_MARGIN`): concurrent
requests wait on one lock, so a lifetime costs one token request. A token a service refuses
(401: revoked, the provider's keys rotated) is dropped and fetched again once. The provider
down or refusing the client → PublicTokenUnavailable, which the pages show as 服务暂不可用 (503).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
from authlib.integrations.base_client import OAuthError
from authlib.integrations.httpx_client import AsyncOAuth2Client

from qingshan_core.logging import get_logger

log = get_logger(__name__)
REFRESH_MARGIN = 30.0  # seconds before expiry that a new token is fetched


class PublicTokenUnavailable(Exception):
    """The identity provider gave no token (unreachable, or it refused the client)."""


class PublicClient:
    """Client credentials of the console's public-role client, the token kept in memory."""

    def __init__(self, issuer: str, client_id: str, secret: str, timeout: float) -> None:
        self.issuer = issuer.rstrip("/")
        self.http = AsyncOAuth2Client(
            client_id=client_id,
            client_secret=secret,
            token_endpoint_auth_method="client_secret_basic",
            timeout=timeout,
        )
        self._lock = asyncio.Lock()
        self._endpoint: str | None = None
        self._token: str | None = None
        self._expires_at = 0.0

    async def close(self) -> None:
        await self.http.aclose()

    def _fresh(self) -> str | None:
        if self._token and self._expires_at - time.time() > REFRESH_MARGIN:
            return self._token
        return None

    async def token(self) -> str:
        """A valid access token (fetched at most once per lifetime, whoever asks at once)."""
        if token := self._fresh():
            return token
        async with self._lock:
            if token := self._fresh():  # another request fetched it while this one waited
                return token
            return await self._fetch()

    def refused(self, token: str) -> None:
        """A service answered 401 to `token`: the next `token()` fetches a new one."""
        if self._token == token:
            self._token = None

    async def _token_endpoint(self) -> str:
        if self._endpoint is None:
            url = f"{self.issuer}/.well-known/openid-configuration"
            r = await self.http.request("GET", url, withhold_token=True)
            r.raise_for_status()
            self._endpoint = str(r.json()["token_endpoint"])
        return self._endpoint

    async def _fetch(self) -> str:
        try:
            endpoint = await self._token_endpoint()
            answer: dict[str, Any] = await self.http.fetch_token(
                endpoint, grant_type="client_credentials"
            )
            token, expires_at = str(answer["access_token"]), float(answer["expires_at"])
        except (httpx.HTTPError, OAuthError, KeyError, ValueError) as exc:
            log.warning("console.public_token_unavailable", error=type(exc).__name__)
            raise PublicTokenUnavailable(type(exc).__name__) from exc
        self._token, self._expires_at = token, expires_at
        log.info("console.public_token_fetched", expires_in=int(expires_at - time.time()))
        return token
