"""Retry schedule, circuit breaker and rate-limit windows."""

from datetime import UTC, datetime, timedelta

import pytest

from notify.domain.resilience import BreakerState, CircuitBreaker, RateLimit, RetryPolicy

pytestmark = pytest.mark.unit
T0 = datetime(2025, 3, 3, 2, 0, tzinfo=UTC)


def test_backoff_is_exponential_capped_and_jittered() -> None:
    p = RetryPolicy(max_attempts=6, base_seconds=10, factor=2, cap_seconds=60, jitter=0.2)
    mid = [p.delay(n, 0.5).total_seconds() for n in range(1, 6)]
    assert mid == [10, 20, 40, 60, 60]
    assert p.delay(1, 0.0).total_seconds() == pytest.approx(8.0)
    assert p.delay(1, 0.999999).total_seconds() == pytest.approx(12.0, rel=1e-4)
    assert {p.delay(3, r / 10) for r in range(10)} != {p.delay(3, 0.5)}


def test_attempts_run_out() -> None:
    p = RetryPolicy(max_attempts=3)
    assert not p.exhausted(2)
    assert p.exhausted(3)


def test_breaker_opens_after_threshold_and_probes_after_cooldown() -> None:
    b = CircuitBreaker("wecom", threshold=3, cooldown_seconds=60)
    for _ in range(2):
        b = b.on_failure(T0)
    assert b.state is BreakerState.CLOSED and b.allows(T0)
    b = b.on_failure(T0)
    assert b.state is BreakerState.OPEN
    assert not b.allows(T0 + timedelta(seconds=59))
    assert b.allows(T0 + timedelta(seconds=60))
    probe = b.before_send(T0 + timedelta(seconds=60))
    assert probe.state is BreakerState.HALF_OPEN
    closed = probe.on_success()
    assert closed.state is BreakerState.CLOSED and closed.failures == 0


def test_failed_probe_reopens_with_a_longer_cooldown_up_to_the_cap() -> None:
    b = CircuitBreaker("sms", threshold=1, cooldown_seconds=60, max_cooldown_seconds=200)
    b = b.on_failure(T0)
    assert b.open_until == T0 + timedelta(seconds=60)
    t1 = T0 + timedelta(seconds=60)
    b = b.before_send(t1).on_failure(t1)
    assert b.state is BreakerState.OPEN and b.open_until == t1 + timedelta(seconds=120)
    t2 = t1 + timedelta(seconds=120)
    b = b.before_send(t2).on_failure(t2)
    assert b.open_until == t2 + timedelta(seconds=200)


def test_success_resets_the_count() -> None:
    b = CircuitBreaker("email", threshold=2).on_failure(T0).on_success().on_failure(T0)
    assert b.state is BreakerState.CLOSED


def test_rate_limit_windows() -> None:
    limit = RateLimit(20, 60)
    n, end = limit.window(datetime(2025, 3, 3, 2, 0, 30, tzinfo=UTC))
    n2, _ = limit.window(datetime(2025, 3, 3, 2, 0, 59, tzinfo=UTC))
    n3, _ = limit.window(datetime(2025, 3, 3, 2, 1, 0, tzinfo=UTC))
    assert n == n2 != n3
    assert end == datetime(2025, 3, 3, 2, 1, 0, tzinfo=UTC)
    assert limit.allows(20) and not limit.allows(21)
