"""The reporter pages' limits (console.limits) wired to the core's limiter: per address, a
window per kind, failed look-ups stopping every look-up, X-Forwarded-For only from trusted
proxies, all of it configuration."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from starlette.requests import Request

from console.config import Settings
from console.limits import ReporterLimits
from qingshan_core.errors import TooManyRequests

pytestmark = pytest.mark.unit
ISSUER = "https://id.example.gov.cn/realms/qingshan"


def _limits(**over: object) -> ReporterLimits:
    return ReporterLimits(Settings(environment="test", oidc_issuer=ISSUER, **over))  # type: ignore[arg-type]


def _request(peer: str, forwarded: str | None = None) -> Request:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded else []
    return Request({"type": "http", "client": (peer, 50000), "headers": headers})


def test_the_defaults_are_five_reports_thirty_lookups_a_minute_and_ten_misses_an_hour() -> None:
    limits = _limits()
    assert (limits.reports.amount, limits.reports.GRANULARITY.name) == (5, "minute")
    assert (limits.lookups.amount, limits.lookups.GRANULARITY.name) == (30, "minute")
    assert (limits.failed_lookups.amount, limits.failed_lookups.GRANULARITY.name) == (10, "hour")
    assert limits.limiter.enabled and limits.limiter.service == "console"


async def test_reports_over_the_limit_are_refused_with_retry_after_per_address() -> None:
    limits = _limits(h5_rate_limit_reports="2/minute")
    a, b = _request("198.51.100.1"), _request("198.51.100.2")
    await limits.report(a)
    await limits.report(a)
    with pytest.raises(TooManyRequests) as refused:
        await limits.report(a)
    assert refused.value.status == 429 and 0 < (refused.value.retry_after or 0) <= 60
    await limits.report(b)  # another address has its own window
    await limits.lookup(a)  # and look-ups are another limit


async def test_used_up_failed_lookups_stop_every_lookup_from_that_address() -> None:
    limits = _limits(h5_rate_limit_failed_lookups="2/hour")
    guesser, reporter = _request("203.0.113.7"), _request("203.0.113.8")
    for _ in range(2):
        await limits.lookup(guesser)
        await limits.lookup_failed(guesser)
    with pytest.raises(TooManyRequests) as refused:
        await limits.lookup(guesser)  # whatever the code is now
    assert 60 < (refused.value.retry_after or 0) <= 3600
    for _ in range(5):  # look-ups that found their case count nothing against the misses
        await limits.lookup(reporter)


async def test_lookups_over_the_limit_are_refused() -> None:
    limits = _limits(h5_rate_limit_lookups="3/minute")
    r = _request("192.0.2.10")
    for _ in range(3):
        await limits.lookup(r)
    with pytest.raises(TooManyRequests):
        await limits.lookup(r)


async def test_forwarded_for_counts_only_behind_a_trusted_proxy() -> None:
    untrusted = _limits(h5_rate_limit_reports="1/minute")
    await untrusted.report(_request("10.0.0.5", "198.51.100.20"))
    with pytest.raises(TooManyRequests):  # a header the caller picked does not change its bucket
        await untrusted.report(_request("10.0.0.5", "198.51.100.21"))
    behind = _limits(h5_rate_limit_reports="1/minute", trusted_proxies=["10.0.0.0/8"])
    assert behind.address(_request("10.0.0.5", "198.51.100.20")) == "198.51.100.20"
    await behind.report(_request("10.0.0.5", "198.51.100.20"))
    await behind.report(_request("10.0.0.5", "198.51.100.21"))  # two reporters, one proxy
    with pytest.raises(TooManyRequests):
        await behind.report(_request("10.0.0.6", "198.51.100.20"))


async def test_limits_are_configuration() -> None:
    off = _limits(h5_rate_limit_enabled=False, h5_rate_limit_reports="1/minute")
    for _ in range(3):
        await off.report(_request("192.0.2.1"))
    with pytest.raises(ValidationError, match="h5_rate_limit_reports"):
        _limits(h5_rate_limit_reports="many")
    with pytest.raises(ValidationError, match="trusted_proxies"):
        _limits(trusted_proxies=["not-a-network"])
