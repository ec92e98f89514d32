"""WorkCalendar: real 2024–2026 holidays and 调休 days, the stale-year fallback, overrides."""

from datetime import UTC, date, datetime, timedelta

import pytest

from qingshan_core.workdays import SHANGHAI, WorkCalendar

pytestmark = pytest.mark.unit


def at(y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> datetime:
    """A Shanghai-local aware datetime."""
    return datetime(y, m, d, hh, mm, tzinfo=SHANGHAI)


def eod(y: int, m: int, d: int) -> datetime:
    """End of a Shanghai-local day, the shape of every day-based deadline."""
    return datetime(y, m, d, 23, 59, 59, tzinfo=SHANGHAI)


@pytest.fixture
def cal() -> WorkCalendar:
    return WorkCalendar()


# --- is_workday on real dates -------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2024, 9, 29), True),  # Sunday, 调休 make-up day for National Day
        (date(2024, 10, 1), False),  # National Day
        (date(2024, 10, 7), False),  # last day of the Golden Week
        (date(2024, 10, 8), True),
        (date(2024, 10, 12), True),  # Saturday, 调休 make-up day
        (date(2024, 10, 13), False),  # ordinary Sunday
        (date(2025, 1, 26), True),  # Sunday, Spring Festival make-up
        (date(2025, 1, 28), False),  # 除夕 2025, holiday
        (date(2025, 2, 4), False),
        (date(2025, 2, 8), True),  # Saturday, Spring Festival make-up
        (date(2026, 2, 14), True),  # Saturday, Spring Festival make-up
        (date(2026, 2, 16), False),  # Monday inside the 2026 Spring Festival
        (date(2026, 2, 23), False),  # last holiday of the nine-day 2026 break
        (date(2026, 2, 24), True),
        (date(2026, 2, 28), True),  # Saturday, second 2026 make-up day
        (date(2026, 9, 20), True),  # Sunday, National Day make-up
        (date(2026, 10, 7), False),
        (date(2026, 10, 10), True),  # Saturday, National Day make-up
    ],
)
def test_is_workday_knows_holidays_and_make_up_days(
    cal: WorkCalendar, day: date, expected: bool
) -> None:
    assert cal.is_workday(day) is expected
    assert not cal.calendar_stale


def test_is_workday_takes_an_aware_datetime_by_its_shanghai_day(cal: WorkCalendar) -> None:
    # 2024-09-30 17:00 UTC is already 2024-10-01 01:00 in Shanghai: a holiday.
    assert cal.is_workday(datetime(2024, 9, 30, 17, 0, tzinfo=UTC)) is False
    assert cal.is_workday(datetime(2024, 9, 30, 15, 0, tzinfo=UTC)) is True


# --- add_workdays: the deadline convention -------------------------------------------------


def test_receipt_day_does_not_count_and_deadline_is_end_of_day(cal: WorkCalendar) -> None:
    # Tuesday 2024-09-03 10:00 + 5 working days -> Tuesday 2024-09-10 23:59:59.
    assert cal.add_workdays(at(2024, 9, 3), 5) == eod(2024, 9, 10)
    # Received one minute before midnight: still its own day, same deadline.
    assert cal.add_workdays(at(2024, 9, 3, 23, 59), 5) == eod(2024, 9, 10)


def test_national_day_2024_make_up_saturday_counts(cal: WorkCalendar) -> None:
    # Received Mon 2024-09-30: Oct 1-7 are off, Oct 8-11 are days 1-4, Sat Oct 12 is day 5.
    assert cal.add_workdays(at(2024, 9, 30), 5) == eod(2024, 10, 12)
    assert cal.add_workdays(at(2024, 9, 30), 6) == eod(2024, 10, 14)


def test_national_day_2024_make_up_sunday_before_the_break(cal: WorkCalendar) -> None:
    # Received Fri 2024-09-27: Sat 28 is off, Sun 29 is a 调休 working day.
    assert cal.add_workdays(at(2024, 9, 27), 1) == eod(2024, 9, 29)
    assert cal.add_workdays(at(2024, 9, 27), 2) == eod(2024, 9, 30)
    assert cal.add_workdays(at(2024, 9, 27), 3) == eod(2024, 10, 8)


def test_received_on_a_holiday_counts_from_the_next_working_day(cal: WorkCalendar) -> None:
    assert cal.add_workdays(at(2024, 10, 3), 1) == eod(2024, 10, 8)
    assert cal.add_workdays(at(2024, 10, 3), 2) == eod(2024, 10, 9)


def test_spring_festival_2025(cal: WorkCalendar) -> None:
    # Fri 2025-01-24: Sun Jan 26 (make-up) is day 1, Mon Jan 27 day 2, Jan 28-Feb 4 off.
    assert cal.add_workdays(at(2025, 1, 24), 1) == eod(2025, 1, 26)
    assert cal.add_workdays(at(2025, 1, 24), 2) == eod(2025, 1, 27)
    assert cal.add_workdays(at(2025, 1, 24), 3) == eod(2025, 2, 5)
    assert cal.add_workdays(at(2025, 1, 24), 5) == eod(2025, 2, 7)
    assert cal.add_workdays(at(2025, 1, 24), 6) == eod(2025, 2, 8)  # Saturday make-up


def test_spring_festival_2026(cal: WorkCalendar) -> None:
    # Fri 2026-02-13: Sat Feb 14 is a make-up day, Feb 15-23 off, Sat Feb 28 make-up.
    assert cal.add_workdays(at(2026, 2, 13), 1) == eod(2026, 2, 14)
    assert cal.add_workdays(at(2026, 2, 13), 2) == eod(2026, 2, 24)
    assert cal.add_workdays(at(2026, 2, 13), 5) == eod(2026, 2, 27)
    assert cal.add_workdays(at(2026, 2, 13), 6) == eod(2026, 2, 28)
    assert cal.add_workdays(at(2026, 2, 13), 7) == eod(2026, 3, 2)
    # A 12345 order taken on 除夕 (Feb 16 2026) gets its 5 days after the break.
    assert cal.add_workdays(at(2026, 2, 16), 5) == eod(2026, 2, 28)


def test_national_day_2026(cal: WorkCalendar) -> None:
    # Fri 2026-09-18 -> Sun Sep 20 is a make-up day; Sep 25-27 Mid-autumn off.
    assert cal.add_workdays(at(2026, 9, 18), 1) == eod(2026, 9, 20)
    # Wed 2026-09-30 -> Oct 1-7 off, Oct 8, 9, Sat Oct 10 (make-up).
    assert cal.add_workdays(at(2026, 9, 30), 3) == eod(2026, 10, 10)
    assert cal.add_workdays(at(2026, 9, 30), 4) == eod(2026, 10, 12)


def test_zero_and_negative_workdays(cal: WorkCalendar) -> None:
    assert cal.add_workdays(at(2024, 10, 3), 0) == eod(2024, 10, 3)
    # One working day before the end of Mon 2024-10-14 is the make-up Saturday Oct 12.
    assert cal.add_workdays(eod(2024, 10, 14), -1) == eod(2024, 10, 12)
    assert cal.add_workdays(eod(2024, 10, 8), -1) == eod(2024, 9, 30)


def test_deadline_uses_the_shanghai_day_not_the_utc_day(cal: WorkCalendar) -> None:
    # 2024-09-29 17:00 UTC is Mon 2024-09-30 01:00 in Shanghai: counting starts Oct 1.
    deadline = cal.add_workdays(datetime(2024, 9, 29, 17, 0, tzinfo=UTC), 1)
    assert deadline == eod(2024, 10, 8)
    assert deadline.tzinfo is SHANGHAI


def test_naive_datetimes_are_refused(cal: WorkCalendar) -> None:
    with pytest.raises(ValueError, match="naive"):
        cal.add_workdays(datetime(2024, 9, 30, 10, 0), 1)
    with pytest.raises(ValueError, match="naive"):
        cal.add_hours(datetime(2024, 9, 30, 10, 0), 1)


# --- workdays_between ----------------------------------------------------------------------


def test_workdays_between_counts_half_open_interval(cal: WorkCalendar) -> None:
    assert cal.workdays_between(date(2024, 9, 30), date(2024, 10, 12)) == 5
    assert cal.workdays_between(date(2024, 10, 12), date(2024, 9, 30)) == -5
    assert cal.workdays_between(date(2024, 10, 1), date(2024, 10, 1)) == 0
    assert cal.workdays_between(date(2026, 2, 14), date(2026, 2, 23)) == 0
    assert cal.workdays_between(at(2026, 2, 13), eod(2026, 2, 28)) == 6


def test_workdays_between_inverts_add_workdays_across_2024_to_2026(cal: WorkCalendar) -> None:
    day = date(2024, 1, 1)
    while day < date(2026, 12, 1):
        start = datetime.combine(day, datetime.min.time(), tzinfo=SHANGHAI)
        for n in (1, 5, 10):
            assert cal.workdays_between(start, cal.add_workdays(start, n)) == n
        day += timedelta(days=11)


# --- calendar days and hours ---------------------------------------------------------------


def test_calendar_days_end_of_day_and_roll_past_holidays(cal: WorkCalendar) -> None:
    assert cal.add_calendar_days(at(2024, 9, 15), 15) == eod(2024, 9, 30)
    # Lands on Oct 1 2024: moved to the first working day after the Golden Week.
    assert cal.add_calendar_days(at(2024, 9, 16), 15) == eod(2024, 10, 8)
    assert cal.add_calendar_days(at(2024, 9, 16), 15, roll_to_workday=False) == eod(2024, 10, 1)
    # 60 days (信访 close) from 2025-12-17 lands on 2026-02-15, inside the Spring Festival.
    assert cal.add_calendar_days(at(2025, 12, 17), 60) == eod(2026, 2, 24)
    # Lands on a make-up Saturday: a working day, no roll.
    assert cal.add_calendar_days(at(2026, 2, 7), 7) == eod(2026, 2, 14)


def test_hours_are_exact(cal: WorkCalendar) -> None:
    assert cal.add_hours(at(2024, 9, 30, 22), 4) == at(2024, 10, 1, 2)
    # 14:00 UTC is 22:00 in Shanghai; two hours later is midnight, 2024-10-01 00:00 local.
    moved = cal.add_hours(datetime(2024, 9, 30, 14, 0, tzinfo=UTC), 2)
    assert moved == at(2024, 10, 1, 0)
    assert moved.tzinfo is SHANGHAI


# --- fallback years and the override table -------------------------------------------------


def test_year_without_data_falls_back_to_monday_to_friday_and_is_reported() -> None:
    cal = WorkCalendar()
    assert cal.data_years[1] == 2026
    # 2027-01-01 is a Friday: the fallback cannot know it is New Year's Day.
    assert cal.is_workday(date(2027, 1, 1)) is True
    assert cal.is_workday(date(2027, 1, 2)) is False
    assert cal.calendar_stale
    assert cal.stale_years == frozenset({2027})


def test_deadline_into_a_year_without_data_never_crashes() -> None:
    cal = WorkCalendar()
    # Thu 2026-12-31 + 1 working day: 2027-01-01 (Fri) by the fallback.
    assert cal.add_workdays(at(2026, 12, 31), 1) == eod(2027, 1, 1)
    assert cal.add_calendar_days(at(2027, 3, 1), 60) == eod(2027, 4, 30)
    assert cal.stale_years == frozenset({2027})


def test_override_table_fixes_a_fallback_year() -> None:
    overrides = {
        date(2027, 1, 1): False,  # New Year's Day, entered by the administrator
        date(2027, 2, 6): True,  # a hypothetical 调休 Saturday
        date(2027, 2, 8): False,
    }
    cal = WorkCalendar(overrides)
    assert cal.add_workdays(at(2026, 12, 31), 1) == eod(2027, 1, 4)
    # Fri 2027-02-05 + 1: the make-up Saturday; + 2: Monday Feb 8 is off, so Tuesday Feb 9.
    assert cal.add_workdays(at(2027, 2, 5), 1) == eod(2027, 2, 6)
    assert cal.add_workdays(at(2027, 2, 5), 2) == eod(2027, 2, 9)
    assert cal.stale_years == frozenset({2027})


def test_confirmed_years_are_not_stale() -> None:
    cal = WorkCalendar({date(2027, 1, 1): False}, confirmed_years=[2027])
    assert cal.is_workday(date(2027, 1, 1)) is False
    assert cal.is_workday(date(2027, 1, 4)) is True
    assert not cal.calendar_stale
    assert cal.has_data(2027) and cal.has_data(2024) and not cal.has_data(2028)


def test_override_wins_over_package_data_without_making_the_year_stale() -> None:
    # A local decision (e.g. a district-wide day off) declared by the administrator.
    cal = WorkCalendar({date(2024, 10, 12): False})
    assert cal.add_workdays(at(2024, 9, 30), 5) == eod(2024, 10, 14)
    assert not cal.calendar_stale
    assert dict(cal.overrides) == {date(2024, 10, 12): False}


def test_years_before_the_data_fall_back_too() -> None:
    cal = WorkCalendar()
    assert cal.is_workday(date(2003, 10, 1)) is True  # a Wednesday; no data before 2004
    assert cal.stale_years == frozenset({2003})


def test_override_keys_must_be_dates() -> None:
    with pytest.raises(TypeError):
        WorkCalendar({datetime(2027, 1, 1, tzinfo=SHANGHAI): False})


def test_next_and_previous_workday(cal: WorkCalendar) -> None:
    assert cal.next_workday(date(2024, 9, 30)) == date(2024, 10, 8)
    assert cal.previous_workday(date(2024, 10, 8)) == date(2024, 9, 30)
    assert cal.previous_workday(date(2024, 10, 13)) == date(2024, 10, 12)
