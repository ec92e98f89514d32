"""Abuse limits on the endpoints the public can reach: per source address and per client.

Every service uses this one mechanism (the `limits` library, fixed windows): a route is limited
per address with `dependencies=[PER_ADDRESS]` (before its token is even looked at), and per
client by taking its caller through `per_client(dependency)` or `await count_client(...)`. Over
the limit → 429 with Retry-After and `retry_after` (qingshan_core.errors.TooManyRequests, rendered
as problem details like every other error). Limits are configuration
(`QINGSHAN_<SERVICE>_HTTP_RATE_LIMIT_*`); benches and fault suites that load a service on
purpose switch them off
(`..._HTTP_RATE_LIMIT_ENABLED=false`).

Counters live in the replica's memory by default: a limit is then per replica, and a restart
forgets it, which is acceptable for abuse limits. `http_rate_limit_storage` takes any `limits`
storage URI (e.g. `async+redis://…`) to share them between replicas.

Behind a reverse proxy the address is taken from X-Forwarded-For only when the peer is one of
`trusted_proxies` (CIDRs): the right-most hop that is not a trusted proxy is the client.
Otherwise the header is ignored, so a caller cannot pick its own bucket.
"""

from __future__ import annotations

import ipaddress
import math
import time
from collections.abc import Callable, Coroutine, Iterable, Sequence
from typing import Any

from fastapi import Depends, Request
from limits import RateLimitItem, parse
from limits.aio.strategies import FixedWindowRateLimiter
from limits.storage import storage_from_string

from qingshan_core import errors
from qingshan_core.auth import Principal, Role

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_limit(text: str) -> RateLimitItem:
    """`30/minute`, `5 per second`, `1000/hour`… (the `limits` notation); ValueError if not."""
    try:
        return parse(text)
    except ValueError as exc:
        raise ValueError(f"not a rate limit: {text!r} (e.g. '30/minute')") from exc


def parse_networks(values: Iterable[str]) -> tuple[Network, ...]:
    """CIDRs (or single addresses) of the reverse proxies whose X-Forwarded-For is believed."""
    return tuple(ipaddress.ip_network(v.strip(), strict=False) for v in values if v.strip())


def _trusted(host: str, networks: Sequence[Network]) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return any(address in net for net in networks)


def client_address(request: Request, trusted: Sequence[Network] = ()) -> str:
    """The caller's address: the peer, or behind trusted proxies the first untrusted hop."""
    peer = request.client.host if request.client else ""
    if not trusted or not _trusted(peer, trusted):
        return peer
    hops = [
        hop.strip()
        for header in request.headers.getlist("x-forwarded-for")
        for hop in header.split(",")
        if hop.strip()
    ]
    for hop in reversed(hops):
        if not _trusted(hop, trusted):
            return hop
    return hops[0] if hops else peer


# OpenAPI `responses` entry of a limited route.
TOO_MANY: dict[int | str, dict[str, Any]] = {
    429: {
        "description": "请求过于频繁 / too many requests; retry after Retry-After seconds",
        "headers": {"Retry-After": {"description": "seconds", "schema": {"type": "integer"}}},
    }
}


class TooManyRequests(errors.TooManyRequests):
    """429 with Retry-After (seconds) and `retry_after` in the problem body."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            f"请求过于频繁，请{retry_after}秒后重试",
            f"too many requests, retry after {retry_after} s",
            retry_after=retry_after,
        )


class RequestLimiter:
    """The limits of one service: per address, per public client, per signed-in account."""

    def __init__(
        self,
        *,
        service: str,
        enabled: bool = True,
        per_address: str = "300/minute",
        per_public_client: str = "60/minute",
        per_account: str = "1200/minute",
        storage: str = "async+memory://",
        trusted_proxies: Iterable[str] = (),
    ) -> None:
        self.service = service
        self.enabled = enabled
        self.per_address = parse_limit(per_address)
        self.per_public_client = parse_limit(per_public_client)
        self.per_account = parse_limit(per_account)
        self.trusted = parse_networks(trusted_proxies)
        self._limiter = FixedWindowRateLimiter(storage_from_string(storage))

    @classmethod
    def from_settings(cls, s: Any) -> RequestLimiter:
        """From a ServiceSettings (its `http_rate_limit_*` and `trusted_proxies` fields)."""
        return cls(
            service=s.service_name,
            enabled=s.http_rate_limit_enabled,
            per_address=s.http_rate_limit_per_address,
            per_public_client=s.http_rate_limit_per_public_client,
            per_account=s.http_rate_limit_per_account,
            storage=s.http_rate_limit_storage,
            trusted_proxies=s.trusted_proxies,
        )

    async def hit(self, item: RateLimitItem, kind: str, key: str) -> None:
        """Count one request against `item` for `key`; TooManyRequests when over it."""
        if not self.enabled:
            return
        if await self._limiter.hit(item, self.service, kind, key):
            return
        await self._refuse(item, kind, key)

    async def check(self, item: RateLimitItem, kind: str, key: str) -> None:
        """TooManyRequests when `key` has used up `item` in this window, without counting (for
        limits counted only after the fact, e.g. failed look-ups, that must stop the next try)."""
        if not self.enabled or await self._limiter.test(item, self.service, kind, key):
            return
        await self._refuse(item, kind, key)

    async def _refuse(self, item: RateLimitItem, kind: str, key: str) -> None:
        stats = await self._limiter.get_window_stats(item, self.service, kind, key)
        raise TooManyRequests(max(1, math.ceil(stats.reset_time - time.time())))

    async def address(self, request: Request) -> None:
        await self.hit(self.per_address, "address", client_address(request, self.trusted))

    async def client(self, principal: Principal) -> None:
        """Per token subject: public callers have the tighter limit, accounts the wider one."""
        item = self.per_public_client if principal.role is Role.PUBLIC else self.per_account
        await self.hit(item, f"client:{principal.role.value}", principal.subject)


def limiter_of(request: Request) -> RequestLimiter:
    """The app's limiter (set in the lifespan by qingshan_core.service.build_app)."""
    limiter: RequestLimiter = request.app.state.rate_limiter
    return limiter


async def _per_address(request: Request) -> None:
    await limiter_of(request).address(request)


# A route (or router) dependency: counts the request against its address's limit.
PER_ADDRESS = Depends(_per_address)


async def count_client(request: Request, principal: Principal) -> None:
    """Count a request against its caller's limit (for routes that authenticate by hand)."""
    await limiter_of(request).client(principal)


PrincipalDependency = Callable[..., Coroutine[Any, Any, Principal]]


def per_client(dependency: PrincipalDependency) -> PrincipalDependency:
    """`dependency` (e.g. require_roles(...)), limited per address first, then per client."""

    async def limited(
        request: Request,
        _: None = PER_ADDRESS,
        principal: Principal = Depends(dependency),
    ) -> Principal:
        await count_client(request, principal)
        return principal

    return limited
