"""When a planned message may go: now, after quiet hours, or with the next digest."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from notify.domain.model import Channel, DigestPeriod, Priority, QuietHours, Status


def quiet_until(now: datetime, qh: QuietHours) -> datetime | None:
    """The end of the quiet window `now` falls in (an aware datetime), or None outside it."""
    if not qh.enabled or qh.start == qh.end:
        return None
    tz = ZoneInfo(qh.tz)
    local = now.astimezone(tz)
    t = local.time()
    today_end = datetime.combine(local.date(), qh.end, tzinfo=tz)
    if qh.start > qh.end:  # wraps past midnight, e.g. 22:00–07:00
        if t >= qh.start:
            return today_end + timedelta(days=1)
        if t < qh.end:
            return today_end
        return None
    if qh.start <= t < qh.end:
        return today_end
    return None


def digest_due(now: datetime, period: DigestPeriod, tz: str, daily_at: time) -> datetime:
    """When the digest that `now` falls into goes out: the next full hour, or the next
    `daily_at` (local time)."""
    zone = ZoneInfo(tz)
    local = now.astimezone(zone)
    if period is DigestPeriod.HOURLY:
        return local.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    at = datetime.combine(local.date(), daily_at, tzinfo=zone)
    return at if at > local else at + timedelta(days=1)


def digest_key(recipient_key: str, channel: Channel, period: DigestPeriod, due: datetime) -> str:
    """Identifies one digest: a recipient's channel, period and due time."""
    return f"{recipient_key}|{channel.value}|{period.value}|{due.isoformat()}"


def digest_delivery_seed(key: str, batch: int) -> str:
    """The event id of a digest delivery (batch > 0 only for stragglers after a digest went)."""
    h = hashlib.sha256(key.encode()).hexdigest()[:24]
    return f"digest:{h}" if batch == 0 else f"digest:{h}:{batch}"


@dataclass(frozen=True, slots=True)
class Schedule:
    """The first state of a planned delivery and the time it is next looked at."""

    status: Status
    at: datetime
    reason: str = ""
    digest_key: str = ""


def initial_schedule(
    now: datetime,
    *,
    recipient_key: str,
    channel: Channel,
    priority: Priority,
    quiet: QuietHours | None,
    digest: DigestPeriod | None,
    tz: str,
    daily_at: time,
) -> Schedule:
    """Critical messages and the inbox go now; digest rules wait for their digest; other push
    messages wait out the recipient's quiet hours."""
    if not channel.is_push:
        return Schedule(Status.PENDING, now)
    if priority is Priority.CRITICAL:
        return Schedule(Status.PENDING, now, "critical / 紧急")
    if digest is not None:
        due = digest_due(now, digest, tz, daily_at)
        key = digest_key(recipient_key, channel, digest, due)
        return Schedule(Status.DIGEST, due, f"{digest.value} digest / 汇总发送", key)
    until = quiet_until(now, quiet) if quiet is not None else None
    if until is not None:
        return Schedule(Status.HELD, until, "quiet hours / 免打扰时段")
    return Schedule(Status.PENDING, now)
