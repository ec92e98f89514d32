"""Abuse limits of the reporter pages (H5), per client address, with the core's limiter
(qingshan_core.ratelimit: fixed windows of the `limits` library, 429 with Retry-After):

- reports: `h5_rate_limit_reports` (5 a minute) submissions per address;
- look-ups: `h5_rate_limit_lookups` (30 a minute) tracking-code queries per address;
- failed look-ups: `h5_rate_limit_failed_lookups` (10 an hour) codes that name no case, per
  address; once used up, every look-up from that address is refused until the window ends
  (guessing codes), whether the next code is right or not.

The address is the peer's, or behind `trusted_proxies` the first untrusted X-Forwarded-For
hop (qingshan_core.ratelimit.client_address). Counters live in the replica's memory unless
`h5_rate_limit_storage` names a shared store (see the console's README).
"""

from __future__ import annotations

from fastapi import Request

from console.config import Settings
from qingshan_core.ratelimit import RequestLimiter, client_address, parse_limit


class ReporterLimits:
    """The three limits of the reporter pages."""

    def __init__(self, s: Settings) -> None:
        self.limiter = RequestLimiter(
            service=s.service_name,
            enabled=s.h5_rate_limit_enabled,
            storage=s.h5_rate_limit_storage,
            trusted_proxies=s.trusted_proxies,
        )
        self.reports = parse_limit(s.h5_rate_limit_reports)
        self.lookups = parse_limit(s.h5_rate_limit_lookups)
        self.failed_lookups = parse_limit(s.h5_rate_limit_failed_lookups)

    def address(self, request: Request) -> str:
        return client_address(request, self.limiter.trusted)

    async def report(self, request: Request) -> None:
        """Count a submission (TooManyRequests over the limit)."""
        await self.limiter.hit(self.reports, "h5:report", self.address(request))

    async def lookup(self, request: Request) -> None:
        """Count a look-up; refused too while the address's failed look-ups are used up."""
        key = self.address(request)
        await self.limiter.check(self.failed_lookups, "h5:lookup-failed", key)
        await self.limiter.hit(self.lookups, "h5:lookup", key)

    async def lookup_failed(self, request: Request) -> None:
        """Count a code that named no case (the look-up after the last allowed one is refused)."""
        await self.limiter.hit(self.failed_lookups, "h5:lookup-failed", self.address(request))


def limits_of(request: Request) -> ReporterLimits:
    limits: ReporterLimits = request.app.state.reporter_limits
    return limits
