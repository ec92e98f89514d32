"""Quiet hours, digest windows and the first schedule of a delivery."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from notify.domain.model import Channel, DigestPeriod, Priority, QuietHours, Status
from notify.domain.scheduling import digest_due, digest_key, initial_schedule, quiet_until

pytestmark = pytest.mark.unit
SH = ZoneInfo("Asia/Shanghai")
QH = QuietHours()


def sh(y: int, m: int, d: int, hh: int, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=SH)


@pytest.mark.parametrize(
    ("now", "until"),
    [
        (sh(2025, 3, 3, 23, 0), sh(2025, 3, 4, 7, 0)),
        (sh(2025, 3, 3, 22, 0), sh(2025, 3, 4, 7, 0)),
        (sh(2025, 3, 4, 0, 30), sh(2025, 3, 4, 7, 0)),
        (sh(2025, 3, 4, 6, 59), sh(2025, 3, 4, 7, 0)),
        (sh(2025, 3, 4, 7, 0), None),
        (sh(2025, 3, 4, 12, 0), None),
        (sh(2025, 3, 3, 21, 59), None),
        (sh(2025, 12, 31, 23, 30), sh(2026, 1, 1, 7, 0)),
    ],
)
def test_default_quiet_hours_wrap_midnight(now: datetime, until: datetime | None) -> None:
    assert quiet_until(now, QH) == until


def test_quiet_hours_work_from_utc_instants() -> None:
    # 15:00 UTC is 23:00 in Shanghai.
    now = datetime(2025, 3, 3, 15, 0, tzinfo=UTC)
    assert quiet_until(now, QH) == datetime(2025, 3, 3, 23, 0, tzinfo=UTC)


def test_daytime_window_disabled_and_empty_windows() -> None:
    lunch = QuietHours(time(12, 0), time(14, 0))
    assert quiet_until(sh(2025, 3, 3, 12, 30), lunch) == sh(2025, 3, 3, 14, 0)
    assert quiet_until(sh(2025, 3, 3, 14, 0), lunch) is None
    assert quiet_until(sh(2025, 3, 3, 23, 0), QuietHours(enabled=False)) is None
    assert quiet_until(sh(2025, 3, 3, 23, 0), QuietHours(time(8), time(8))) is None


def test_digest_due_hourly_and_daily() -> None:
    tz = "Asia/Shanghai"
    assert digest_due(sh(2025, 3, 3, 10, 20), DigestPeriod.HOURLY, tz, time(8)) == sh(
        2025, 3, 3, 11
    )
    assert digest_due(sh(2025, 3, 3, 10, 0), DigestPeriod.HOURLY, tz, time(8)) == sh(2025, 3, 3, 11)
    assert digest_due(sh(2025, 3, 3, 7, 59), DigestPeriod.DAILY, tz, time(8)) == sh(2025, 3, 3, 8)
    assert digest_due(sh(2025, 3, 3, 8, 0), DigestPeriod.DAILY, tz, time(8)) == sh(2025, 3, 4, 8)
    assert digest_due(sh(2025, 3, 3, 23, 0), DigestPeriod.DAILY, tz, time(8)) == sh(2025, 3, 4, 8)


def _schedule(
    now: datetime, channel: Channel, priority: Priority, digest: DigestPeriod | None = None
):
    return initial_schedule(
        now,
        recipient_key="person:a",
        channel=channel,
        priority=priority,
        quiet=QH,
        digest=digest,
        tz="Asia/Shanghai",
        daily_at=time(8),
    )


def test_non_critical_push_waits_out_the_night_critical_goes_now() -> None:
    night = sh(2025, 3, 3, 23, 0)
    held = _schedule(night, Channel.SMS, Priority.HIGH)
    assert (held.status, held.at) == (Status.HELD, sh(2025, 3, 4, 7, 0))
    now = _schedule(night, Channel.SMS, Priority.CRITICAL)
    assert (now.status, now.at) == (Status.PENDING, night)


def test_inbox_is_never_held_and_daytime_goes_now() -> None:
    night = sh(2025, 3, 3, 23, 0)
    assert _schedule(night, Channel.INBOX, Priority.LOW).status is Status.PENDING
    day = sh(2025, 3, 3, 10, 0)
    assert _schedule(day, Channel.EMAIL, Priority.NORMAL).status is Status.PENDING


def test_digest_rules_wait_for_their_digest_with_a_stable_key() -> None:
    a = _schedule(sh(2025, 3, 3, 10, 5), Channel.EMAIL, Priority.LOW, DigestPeriod.DAILY)
    b = _schedule(sh(2025, 3, 3, 16, 40), Channel.EMAIL, Priority.LOW, DigestPeriod.DAILY)
    assert a.status is Status.DIGEST and a.at == sh(2025, 3, 4, 8)
    assert a.digest_key == b.digest_key
    assert a.digest_key == digest_key("person:a", Channel.EMAIL, DigestPeriod.DAILY, a.at)
    c = _schedule(sh(2025, 3, 4, 8, 1), Channel.EMAIL, Priority.LOW, DigestPeriod.DAILY)
    assert c.digest_key != a.digest_key
    assert (
        _schedule(sh(2025, 3, 3, 10), Channel.INBOX, Priority.LOW, DigestPeriod.DAILY).status
        is Status.PENDING
    )
    assert a.at - sh(2025, 3, 3, 10, 5) < timedelta(days=1)
