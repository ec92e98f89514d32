"""Time rules shared by the aggregates: aware datetimes, the legal (Beijing) date, the calendar."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from risk.domain.errors import ValidationError

# Legal dates (licence validity, catalogue in force) are Beijing dates, whatever zone a
# timestamp arrives in.
CHINA_TZ = ZoneInfo("Asia/Shanghai")
# Instants the registers can hold: far-off ones cannot be stored (BSON dates) or have deadlines.
EARLIEST, LATEST = datetime(1900, 1, 1, tzinfo=UTC), datetime(2200, 1, 1, tzinfo=UTC)


class WorkingDayDeadline(Protocol):
    """The shared working-day calendar, injected so the domain never imports it.

    `deadline(start, n)` is the moment by which something started at `start` is due when it is
    allowed `n` working days (Chinese holidays and 调休 make-up days are the calendar's job).
    """

    def __call__(self, start: datetime, working_days: int, /) -> datetime: ...


def require_aware(field: str, value: datetime) -> datetime:
    """Refuse naive datetimes: a deadline computed from one is off by the server's offset."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValidationError(field, "时间必须带时区", "datetime must be timezone-aware")
    if not EARLIEST <= value < LATEST:
        raise ValidationError(field, "时间超出范围（1900–2199年）", "out of range 1900–2199")
    return value


def china_date(value: datetime) -> date:
    """The Beijing calendar date of an aware instant."""
    return require_aware("at", value).astimezone(CHINA_TZ).date()


def add_years(start: date, years: int) -> date:
    """Same month and day `years` later; 29 February falls back to 28 February."""
    year = start.year + years
    day = min(start.day, calendar.monthrange(year, start.month)[1])
    return start.replace(year=year, day=day)


def term_end(start: date, years: int) -> date:
    """The last day of a term of `years` that starts on (and counts) `start`: the day before
    the same date `years` later (2024-03-01 → 2027-02-28). A term starting on 29 February
    reaches its anniversary on 1 March of a common year, so it ends on 28 February
    (2024-02-29 → 2027-02-28), not a day early; 民法典 第二百零三条's month-end rule gives the same.
    """
    year = start.year + years
    if start.month == 2 and start.day == 29 and not calendar.isleap(year):
        return date(year, 2, 28)
    return start.replace(year=year) - timedelta(days=1)


def add_years_dt(start: datetime, years: int) -> datetime:
    """Datetime variant of add_years, keeping the time and zone."""
    d = add_years(start.date(), years)
    return start.replace(year=d.year, month=d.month, day=d.day)


def days_between(earlier: date, later: date) -> int:
    """Whole days from one date to another (negative when reversed)."""
    return (later - earlier) // timedelta(days=1)
