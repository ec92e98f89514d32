"""Retry schedule (exponential backoff with jitter), per-channel circuit breaker, rate limits."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """After the n-th failed attempt wait base·factor^(n-1), capped, ± jitter; give up after
    `max_attempts` attempts."""

    max_attempts: int = 5
    base_seconds: float = 10.0
    factor: float = 2.0
    cap_seconds: float = 1800.0
    jitter: float = 0.2

    def delay(self, failed_attempts: int, rand: float) -> timedelta:
        """`rand` in [0, 1) spreads retries of many deliveries so they do not arrive together."""
        raw = min(self.cap_seconds, self.base_seconds * self.factor ** max(0, failed_attempts - 1))
        spread = raw * self.jitter * (2 * rand - 1)
        return timedelta(seconds=max(0.0, raw + spread))

    def exhausted(self, attempts: int) -> bool:
        return attempts >= self.max_attempts


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


@dataclass(frozen=True, slots=True)
class CircuitBreaker:
    """One channel's breaker. `threshold` transient failures in a row open it for a cooldown
    that doubles with each consecutive trip (up to `max_cooldown_seconds`); after the cooldown
    one probe may go (half-open): success closes it, failure opens it again."""

    channel: str
    state: BreakerState = BreakerState.CLOSED
    failures: int = 0
    trips: int = 0
    open_until: datetime | None = None
    threshold: int = 5
    cooldown_seconds: float = 60.0
    max_cooldown_seconds: float = 900.0

    def allows(self, now: datetime) -> bool:
        if self.state is BreakerState.OPEN:
            return self.open_until is None or now >= self.open_until
        return True

    def before_send(self, now: datetime) -> CircuitBreaker:
        """An open breaker whose cooldown is over lets one probe through (half-open)."""
        if self.state is BreakerState.OPEN and self.allows(now):
            return replace(self, state=BreakerState.HALF_OPEN)
        return self

    def on_success(self) -> CircuitBreaker:
        return replace(self, state=BreakerState.CLOSED, failures=0, trips=0, open_until=None)

    def on_failure(self, now: datetime) -> CircuitBreaker:
        failures = self.failures + 1
        if self.state is BreakerState.HALF_OPEN or failures >= self.threshold:
            trips = self.trips + 1
            cooldown = min(self.max_cooldown_seconds, self.cooldown_seconds * 2 ** (trips - 1))
            return replace(
                self,
                state=BreakerState.OPEN,
                failures=failures,
                trips=trips,
                open_until=now + timedelta(seconds=cooldown),
            )
        return replace(self, failures=failures)


@dataclass(frozen=True, slots=True)
class RateLimit:
    """At most `limit` messages per `per_seconds` on one channel (fixed windows)."""

    limit: int
    per_seconds: int = 60

    def window(self, now: datetime) -> tuple[int, datetime]:
        """The window `now` falls in: its number (epoch seconds / width) and its end."""
        n = int(now.timestamp()) // self.per_seconds
        end = datetime.fromtimestamp((n + 1) * self.per_seconds, tz=now.tzinfo)
        return n, end

    def allows(self, count_including_this: int) -> bool:
        return count_including_this <= self.limit
