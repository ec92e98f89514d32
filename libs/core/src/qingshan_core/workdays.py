"""The shared working-day calendar: Chinese public holidays and 调休 make-up workdays.

Counting convention, used by every deadline in qingshan:

- ``add_workdays(start, n)``: the day of ``start`` never counts, even when it is a working
  day (民法典 第二百零一条: 开始的当日不计入，自下一日开始计算). Counting begins the next
  calendar day and skips every non-working day, so a case received on a holiday simply starts
  counting after it. The deadline is the END of the n-th working day, 23:59:59 Asia/Shanghai.
  ``n == 0`` is the end of the start's own day; a negative ``n`` counts backwards (used for
  "N working days before a deadline").
- ``add_calendar_days(start, n)``: the end of the day ``n`` calendar days after the start;
  when that day is not a working day the deadline moves to the end of the next working day
  (民法典 第二百零三条: 期间的最后一日是法定休假日的，以法定休假日结束的次日为期间的最后一日).
- ``add_hours(start, n)``: exact, no rounding to the end of a day.

Working days come from ``chinese_calendar`` (is_workday, i.e. the ``include_weekends=True``
semantics of ``get_workdays``: a 调休 Saturday or Sunday IS a working day). For a year the
package has no data for, the calendar falls back to Monday–Friday and records the year in
``stale_years`` so the caller can alert an administrator, instead of crashing. An
administrator-maintained override table (date -> is it a working day) wins over everything.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta, tzinfo
from types import MappingProxyType
from zoneinfo import ZoneInfo

import chinese_calendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
END_OF_DAY = time(23, 59, 59)
# A guard, not a rule: no real calendar has ten years without a working day, so a scan this
# long means the override table is broken (e.g. every day marked as a holiday).
_MAX_SCAN_DAYS = 3660


def _package_years() -> tuple[int, int]:
    """First and last year chinese_calendar has holiday data for."""
    years = [d.year for d in chinese_calendar.holidays]
    return min(years), max(years)


class WorkCalendar:
    """Working days in mainland China, with an override table and a stale-year fallback."""

    def __init__(
        self,
        overrides: Mapping[date, bool] | None = None,
        *,
        confirmed_years: Iterable[int] = (),
        tz: tzinfo = SHANGHAI,
    ) -> None:
        """Build a calendar; ``confirmed_years`` are years fully entered into ``overrides``."""
        for day in overrides or {}:
            if isinstance(day, datetime) or not isinstance(day, date):
                raise TypeError(f"override keys must be dates, got {day!r}")
        self._overrides: dict[date, bool] = dict(overrides or {})
        # Years an administrator has completely entered from the State Council notice: the
        # Monday–Friday fallback plus overrides is then authoritative, not stale.
        self._confirmed = frozenset(confirmed_years)
        self._tz = tz
        self._first_year, self._last_year = _package_years()
        self._stale: set[int] = set()
        self._package_answers: dict[date, bool] = {}

    @property
    def tz(self) -> tzinfo:
        """The time zone deadlines are expressed in."""
        return self._tz

    @property
    def overrides(self) -> Mapping[date, bool]:
        """The administrator's override table (read-only view)."""
        return MappingProxyType(self._overrides)

    @property
    def data_years(self) -> tuple[int, int]:
        """First and last year the holiday package covers."""
        return self._first_year, self._last_year

    @property
    def stale_years(self) -> frozenset[int]:
        """Years answered by the Monday–Friday fallback so far (without confirmed data)."""
        return frozenset(self._stale)

    @property
    def calendar_stale(self) -> bool:
        """True once any answer came from the fallback: an administrator must be alerted."""
        return bool(self._stale)

    def has_data(self, year: int) -> bool:
        """Whether answers for ``year`` are authoritative (package data or confirmed overrides)."""
        return self._first_year <= year <= self._last_year or year in self._confirmed

    def is_workday(self, day: date) -> bool:
        """Whether ``day`` (a date, or an aware datetime taken in local time) is a working day."""
        if isinstance(day, datetime):
            day = self.local_date(day)
        if day in self._overrides:
            # Even an override hit marks the year stale: one entered day does not mean the
            # whole year's notice has been entered (that is what confirmed_years says).
            self._note_year(day.year)
            return self._overrides[day]
        if self._first_year <= day.year <= self._last_year:
            known = self._package_answers.get(day)
            if known is None:
                try:
                    # Cached: the package validates its input on every call, which showed up
                    # as a tenth of intake's CPU time (deadlines and alert plans ask often).
                    known = self._package_answers[day] = bool(chinese_calendar.is_workday(day))
                except NotImplementedError:  # defensive: the package narrowed its range
                    known = None
            if known is not None:
                return known
        self._note_year(day.year)
        return day.weekday() < 5

    def _note_year(self, year: int) -> None:
        if not self.has_data(year):
            self._stale.add(year)

    def to_local(self, moment: datetime) -> datetime:
        """``moment`` in the calendar's zone; naive datetimes are refused (ambiguous)."""
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError("naive datetime: deadlines need a time-zone-aware datetime")
        return moment.astimezone(self._tz)

    def local_date(self, moment: datetime) -> date:
        """The local calendar day of an aware datetime."""
        return self.to_local(moment).date()

    def end_of_day(self, day: date) -> datetime:
        """23:59:59 local time on ``day``."""
        return datetime.combine(day, END_OF_DAY, tzinfo=self._tz)

    def next_workday(self, day: date) -> date:
        """The first working day strictly after ``day``."""
        return self._step(day, 1)

    def previous_workday(self, day: date) -> date:
        """The last working day strictly before ``day``."""
        return self._step(day, -1)

    def _step(self, day: date, step: int) -> date:
        for _ in range(_MAX_SCAN_DAYS):
            day += timedelta(days=step)
            if self.is_workday(day):
                return day
        raise ValueError(f"no working day within {_MAX_SCAN_DAYS} days of {day}")

    def add_workdays(self, start: datetime, n: int) -> datetime:
        """End (23:59:59 local) of the n-th working day after ``start``'s day."""
        day = self.local_date(start)
        for _ in range(abs(n)):
            day = self._step(day, 1 if n > 0 else -1)
        return self.end_of_day(day)

    def workdays_between(self, a: date, b: date) -> int:
        """Working days in (a, b]; negative when b is before a. Datetimes count by local day."""
        first = self.local_date(a) if isinstance(a, datetime) else a
        last = self.local_date(b) if isinstance(b, datetime) else b
        if last < first:
            return -self.workdays_between(last, first)
        count = 0
        day = first
        while day < last:
            day += timedelta(days=1)
            count += self.is_workday(day)
        return count

    def add_calendar_days(
        self, start: datetime, n: int, *, roll_to_workday: bool = True
    ) -> datetime:
        """End of the day n calendar days after ``start``, moved past non-working days."""
        day = self.local_date(start) + timedelta(days=n)
        if roll_to_workday and not self.is_workday(day):
            day = self.next_workday(day)
        return self.end_of_day(day)

    def add_hours(self, start: datetime, hours: float) -> datetime:
        """``start`` plus exactly ``hours`` hours, in local time."""
        return self.to_local(start) + timedelta(hours=hours)
