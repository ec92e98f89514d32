"""Deadline policies and deadline arithmetic on real 2024–2026 dates (holidays, 调休)."""

from collections.abc import Callable
from datetime import date, datetime

import pytest

from complaints.domain.deadlines import compute_deadlines, on_assignment, on_extension
from complaints.domain.model import Category, Channel, Urgency
from complaints.domain.policy import (
    DeadlinePolicy,
    Duration,
    PolicyRule,
    PolicyTable,
    Stage,
    TimeUnit,
    days,
    hours,
    wd,
)
from qingshan_core.workdays import SHANGHAI, WorkCalendar

pytestmark = pytest.mark.unit


def at(y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=SHANGHAI)


def eod(y: int, m: int, d: int) -> datetime:
    return datetime(y, m, d, 23, 59, 59, tzinfo=SHANGHAI)


def policy(pid: str = "p") -> DeadlinePolicy:
    return DeadlinePolicy(pid, 1, wd(1), wd(1), wd(5), wd(7), wd(10), wd(2))


# --- the default table ---------------------------------------------------------------------


def test_defaults_follow_domain_md_for_12345(table: PolicyTable) -> None:
    p = table.select(Channel.HOTLINE_12345, Category.AIR, Urgency.NORMAL)
    assert (p.id, p.version) == ("hotline-normal", 1)
    assert p.reply == wd(5)
    assert p.extension_max == wd(10)
    assert p.return_window == wd(2)
    assert (p.assign, p.accept, p.close) == (wd(1), wd(1), wd(7))


@pytest.mark.parametrize("channel", [Channel.PLATFORM_12369, Channel.LETTER, Channel.VISIT])
def test_defaults_follow_the_petition_regulation(table: PolicyTable, channel: Channel) -> None:
    p = table.select(channel, Category.WATER, Urgency.NORMAL)
    assert p.id == "petition-normal"
    assert p.accept == days(15)  # 告知是否受理
    assert p.reply == days(60) and p.close == days(60)  # 60 日内办结并书面答复
    assert p.extension_max == days(30)


@pytest.mark.parametrize("channel", [Channel.WEB, Channel.APP])
def test_own_online_channels_use_the_12345_standard(table: PolicyTable, channel: Channel) -> None:
    assert table.select(channel, Category.NOISE, Urgency.NORMAL).id == "hotline-normal"


@pytest.mark.parametrize("channel", list(Channel))
def test_urgency_tightens_every_stage(
    table: PolicyTable, cal: WorkCalendar, channel: Channel
) -> None:
    start = at(2024, 9, 3)  # an ordinary Tuesday
    normal, urgent, very = (
        table.select(channel, Category.AIR, u)
        for u in (Urgency.NORMAL, Urgency.URGENT, Urgency.VERY_URGENT)
    )
    limits: list[Callable[[DeadlinePolicy], Duration]] = [
        lambda p: p.assign,
        lambda p: p.accept,
        lambda p: p.reply,
        lambda p: p.close,
        lambda p: p.extension_max,
        lambda p: p.return_window,
    ]
    for pick in limits:
        n, u, v = (pick(p).after(start, cal) for p in (normal, urgent, very))
        assert v <= u <= n
    assert urgent.id.endswith("-urgent") and very.id.endswith("-very_urgent")


def test_catch_all_exists_for_every_combination(table: PolicyTable) -> None:
    for channel in Channel:
        for category in Category:
            for urgency in Urgency:
                assert table.select(channel, category, urgency).version == 1


# --- rule selection ------------------------------------------------------------------------


def test_most_specific_rule_wins(table: PolicyTable) -> None:
    water = PolicyRule(
        policy("12345-water"), channel=Channel.HOTLINE_12345, category=Category.WATER
    )
    exact = PolicyRule(
        policy("12345-water-urgent"),
        channel=Channel.HOTLINE_12345,
        category=Category.WATER,
        urgency=Urgency.URGENT,
    )
    t = table.with_rule(water)
    assert t.select(Channel.HOTLINE_12345, Category.WATER, Urgency.NORMAL).id == "12345-water"
    assert t.select(Channel.HOTLINE_12345, Category.AIR, Urgency.NORMAL).id == "hotline-normal"
    # Tie (two selectors each): channel+urgency beats channel+category, so a category tweak
    # never loosens an urgent case.
    assert t.select(Channel.HOTLINE_12345, Category.WATER, Urgency.URGENT).id == "hotline-urgent"
    t = t.with_rule(exact)
    assert t.select(Channel.HOTLINE_12345, Category.WATER, Urgency.URGENT).id == exact.policy.id


def test_category_only_rule_applies_where_nothing_more_specific_exists() -> None:
    t = PolicyTable(
        [
            PolicyRule(policy("default")),
            PolicyRule(policy("radiation"), category=Category.RADIATION),
            PolicyRule(policy("very-urgent"), urgency=Urgency.VERY_URGENT),
        ]
    )
    assert t.select(Channel.WEB, Category.RADIATION, Urgency.NORMAL).id == "radiation"
    assert t.select(Channel.WEB, Category.AIR, Urgency.NORMAL).id == "default"
    # Tie at one selector: urgency beats category.
    assert t.select(Channel.WEB, Category.RADIATION, Urgency.VERY_URGENT).id == "very-urgent"


def test_with_rule_replaces_same_selectors_and_bumped_version_is_kept(table: PolicyTable) -> None:
    v2 = DeadlinePolicy("hotline-normal", 2, wd(1), wd(1), wd(3), wd(5), wd(10), wd(2))
    t = table.with_rule(PolicyRule(v2, channel=Channel.HOTLINE_12345))
    assert len(t.rules) == len(table.rules)
    assert t.select(Channel.HOTLINE_12345, Category.AIR, Urgency.NORMAL) is v2
    assert table.select(Channel.HOTLINE_12345, Category.AIR, Urgency.NORMAL).version == 1


def test_table_validation() -> None:
    with pytest.raises(ValueError, match="catch-all"):
        PolicyTable([PolicyRule(policy(), channel=Channel.WEB)])
    with pytest.raises(ValueError, match="same selectors"):
        PolicyTable([PolicyRule(policy()), PolicyRule(policy("other"))])
    with pytest.raises(ValueError):
        DeadlinePolicy("p", 0, wd(1), wd(1), wd(1), wd(1), wd(1), wd(1))
    with pytest.raises(ValueError):
        Duration(-1, TimeUnit.HOURS)


def test_duration_labels() -> None:
    assert str(wd(5)) == "5个工作日"
    assert str(days(60)) == "60日"
    assert str(hours(4)) == "4小时"
    assert policy().limit(Stage.REPLY) == wd(5)


# --- compute_deadlines on real dates -------------------------------------------------------


def test_12345_deadlines_around_national_day_2026(table: PolicyTable, cal: WorkCalendar) -> None:
    p = table.select(Channel.HOTLINE_12345, Category.AIR, Urgency.NORMAL)
    d = compute_deadlines(p, at(2026, 9, 30), cal)
    assert d.assign.due == eod(2026, 10, 8)  # Oct 1-7 off
    assert d.reply is not None
    assert d.reply.due == eod(2026, 10, 13)  # Oct 8, 9, Sat 10 (调休), 12, 13
    assert d.close.due == eod(2026, 10, 15)
    assert d.accept is None and d.return_by is None
    assert d.reply.start == at(2026, 9, 30)
    assert not d.provisional


def test_12345_deadlines_around_spring_festival_2026(table: PolicyTable, cal: WorkCalendar) -> None:
    p = table.select(Channel.HOTLINE_12345, Category.NOISE, Urgency.NORMAL)
    d = compute_deadlines(p, at(2026, 2, 13, 15), cal)
    assert d.assign.due == eod(2026, 2, 14)  # the make-up Saturday
    assert d.reply is not None and d.reply.due == eod(2026, 2, 27)
    assert d.close.due == eod(2026, 3, 2)  # Sat Feb 28 (调休) is day 6


def test_petition_deadlines_roll_past_spring_festival(
    table: PolicyTable, cal: WorkCalendar
) -> None:
    p = table.select(Channel.PLATFORM_12369, Category.WATER, Urgency.NORMAL)
    d = compute_deadlines(p, at(2025, 12, 17), cal)
    assert d.assign.due == eod(2025, 12, 24)
    # 60 days land on 2026-02-15, a Spring Festival holiday: moved to Feb 24.
    assert d.reply is not None and d.reply.due == eod(2026, 2, 24)
    assert d.close.due == eod(2026, 2, 24)
    # Assigned Dec 18: 15 days -> 2026-01-02 (New Year holiday) -> Sun Jan 4, a 调休 day.
    d = on_assignment(d, p, at(2025, 12, 18), cal)
    assert d.accept is not None and d.accept.due == eod(2026, 1, 4)
    assert d.return_by == eod(2025, 12, 25)


def test_urgent_hours_are_exact(table: PolicyTable, cal: WorkCalendar) -> None:
    p = table.select(Channel.HOTLINE_12345, Category.AIR, Urgency.URGENT)
    d = compute_deadlines(p, at(2024, 9, 30, 22), cal)
    assert d.assign.due == at(2024, 10, 1, 2)
    assert d.reply is not None and d.reply.due == eod(2024, 10, 9)
    very = table.select(Channel.HOTLINE_12345, Category.AIR, Urgency.VERY_URGENT)
    d = compute_deadlines(very, at(2024, 9, 30, 22), cal)
    assert d.assign.due == at(2024, 9, 30, 23)
    assert d.reply is not None and d.reply.due == at(2024, 10, 1, 22)


def test_anonymous_cases_have_no_reply_deadline(table: PolicyTable, cal: WorkCalendar) -> None:
    p = table.select(Channel.HOTLINE_12345, Category.AIR, Urgency.NORMAL)
    d = compute_deadlines(p, at(2024, 9, 3), cal, reply_duty=False)
    assert d.reply is None
    assert [s.stage for s in d.stages()] == [Stage.ASSIGN, Stage.CLOSE]
    assert "reply_by" not in d.summary()


def test_deadlines_into_2027_are_provisional_and_flag_the_calendar(table: PolicyTable) -> None:
    cal = WorkCalendar()
    p = table.select(Channel.HOTLINE_12345, Category.AIR, Urgency.NORMAL)
    d = compute_deadlines(p, at(2026, 12, 28), cal)
    assert d.reply is not None and d.reply.due == eod(2027, 1, 4)  # fallback: Jan 1 counts
    assert d.provisional
    assert cal.stale_years == frozenset({2027})
    fixed = WorkCalendar({date(2027, 1, 1): False})
    d = compute_deadlines(p, at(2026, 12, 28), fixed)
    assert d.reply is not None and d.reply.due == eod(2027, 1, 5)
    assert compute_deadlines(p, at(2026, 3, 2), cal).provisional is False


def test_extension_moves_reply_and_close_from_the_old_deadline(
    table: PolicyTable, cal: WorkCalendar
) -> None:
    p = table.select(Channel.HOTLINE_12345, Category.AIR, Urgency.NORMAL)
    d = on_assignment(compute_deadlines(p, at(2026, 9, 30), cal), p, at(2026, 10, 8, 9), cal)
    moved = on_extension(d, wd(10), cal)
    assert moved.reply is not None and moved.reply.due == eod(2026, 10, 27)
    assert moved.close.due == eod(2026, 10, 29)
    assert moved.assign == d.assign and moved.accept == d.accept
    assert d.reply is not None and moved.reply.start == d.reply.start
    assert d.summary()["reply_by"] == "2026-10-13T23:59:59+08:00"
