"""Deadline monitor: warnings, overdue, 督办 escalation, raised once, on real calendars."""

from collections.abc import Callable
from datetime import datetime
from fractions import Fraction

import pytest

from complaints.domain import events as ev
from complaints.domain.complaint import Complaint
from complaints.domain.model import Actor, Channel, Role, Status, Urgency
from complaints.domain.monitor import WarningRule, next_alert_at, pending_alerts, plan, sweep
from complaints.domain.policy import Stage, days
from qingshan_core.workdays import SHANGHAI, WorkCalendar

pytestmark = pytest.mark.unit

MakeCase = Callable[..., Complaint]
UNIT_A = "town-dongcheng"
L = ev.AlertLevel


def at(y: int, m: int, d: int, hh: int = 10, mm: int = 0, ss: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, ss, tzinfo=SHANGHAI)


def eod(y: int, m: int, d: int) -> datetime:
    return datetime(y, m, d, 23, 59, 59, tzinfo=SHANGHAI)


def levels(alerts: list[ev.DeadlineAlert]) -> list[tuple[Stage, ev.AlertLevel]]:
    return [(a.stage, a.level) for a in alerts]


def test_nothing_due_right_after_receipt(make_case: MakeCase, cal: WorkCalendar) -> None:
    case = make_case(received_at=at(2024, 9, 2, 9))
    assert sweep(case, at(2024, 9, 2, 12), cal) == []
    assert case.events[-1].__class__ is ev.ComplaintReceived


def test_unassigned_case_warns_then_goes_overdue_then_escalates(
    make_case: MakeCase, cal: WorkCalendar
) -> None:
    # Received Mon 2024-09-02; assign within 1 working day -> due Tue Sep 3 23:59:59.
    case = make_case(received_at=at(2024, 9, 2, 9))
    warned = sweep(case, at(2024, 9, 3, 8), cal)
    assert levels(warned) == [(Stage.ASSIGN, L.WARNING)]
    assert isinstance(warned[0], ev.DeadlineWarning)
    assert warned[0].due_at == eod(2024, 9, 3) and warned[0].unit_id is None
    assert warned[0].occurred_at == at(2024, 9, 3, 8)
    assert sweep(case, at(2024, 9, 3, 9), cal) == []  # raised once

    assert sweep(case, eod(2024, 9, 3), cal) == []  # the deadline second itself is on time
    overdue = sweep(case, at(2024, 9, 4, 0, 0, 0), cal)
    assert levels(overdue) == [(Stage.ASSIGN, L.OVERDUE)]
    assert isinstance(overdue[0], ev.DeadlineOverdue)

    head = sweep(case, at(2024, 9, 5, 0, 0, 1), cal)
    assert levels(head) == [(Stage.ASSIGN, L.UNIT_HEAD)]
    assert isinstance(head[0], ev.DeadlineEscalated)
    # Reply warning (end of day 4 = Fri Sep 6) and bureau 督办 (3 wd after Sep 3) on Sat.
    later = sweep(case, at(2024, 9, 7, 9), cal)
    assert levels(later) == [(Stage.REPLY, L.WARNING), (Stage.ASSIGN, L.BUREAU)]
    assert later[0].level.label == "临期预警" and later[1].level.label == "督办(局)"


def test_alerts_are_recorded_in_history_by_the_system(
    make_case: MakeCase, cal: WorkCalendar
) -> None:
    case = make_case(received_at=at(2024, 9, 2, 9))
    sweep(case, at(2024, 9, 3, 8), cal)
    entry = case.history[-1]
    assert entry.role is Role.SYSTEM and entry.actor_id == "deadline-monitor"
    assert entry.details == {
        "stage": "assign",
        "level": "warning",
        "due_at": "2024-09-03T23:59:59+08:00",
    }
    assert entry.from_status is entry.to_status is Status.RECEIVED
    assert len(case.raised_alerts) == 1


def test_back_dated_order_raises_every_due_level_at_once_in_order(
    make_case: MakeCase, cal: WorkCalendar
) -> None:
    case = make_case(received_at=at(2024, 9, 2, 9))
    alerts = sweep(case, at(2024, 9, 30, 9), cal)
    assert len(alerts) == 12  # assign, reply, close x warning, overdue, unit head, bureau
    order = [(a.stage, a.level) for a in alerts]
    assert order[:3] == [
        (Stage.ASSIGN, L.WARNING),
        (Stage.ASSIGN, L.OVERDUE),
        (Stage.ASSIGN, L.UNIT_HEAD),
    ]
    assert {a.stage for a in alerts} == {Stage.ASSIGN, Stage.REPLY, Stage.CLOSE}
    assert sweep(case, at(2024, 9, 30, 10), cal) == []
    assert next_alert_at(case, cal) is None


def test_pending_alerts_does_not_change_the_case(make_case: MakeCase, cal: WorkCalendar) -> None:
    case = make_case(received_at=at(2024, 9, 2, 9))
    assert len(pending_alerts(case, at(2024, 9, 30), cal)) == 12
    assert case.raised_alerts == set() and len(case.events) == 1


def test_finished_stages_stop_alerting(
    make_case: MakeCase, cal: WorkCalendar, operator: Actor, handler: Actor
) -> None:
    case = make_case(received_at=at(2024, 9, 2, 9))
    case.assign(operator, UNIT_A, at(2024, 9, 2, 10), cal)
    # Accept is due end of Tue Sep 3 (1 wd after assignment); warning from Sep 3 00:00.
    alerts = sweep(case, at(2024, 9, 3, 8), cal)
    assert levels(alerts) == [(Stage.ACCEPT, L.WARNING)]
    assert alerts[0].unit_id == UNIT_A
    case.accept(handler, at(2024, 9, 3, 9))
    assert sweep(case, at(2024, 9, 4, 9), cal) == []
    case.reply(handler, "已处理", at(2024, 9, 5, 9))
    # Replied: only the close stage is left (7 wd -> Wed Sep 11; warning after Mon Sep 9).
    assert levels(sweep(case, at(2024, 9, 12, 9), cal)) == [
        (Stage.CLOSE, L.WARNING),
        (Stage.CLOSE, L.OVERDUE),
    ]
    case.close(Actor("s", Role.SUPERVISOR), at(2024, 9, 12, 10))
    assert sweep(case, at(2024, 12, 1), cal) == []
    assert next_alert_at(case, cal) is None


def test_warning_counts_working_days_across_national_day_2024(
    make_case: MakeCase, cal: WorkCalendar, operator: Actor, handler: Actor
) -> None:
    case = make_case(received_at=at(2024, 9, 30, 10))
    case.assign(operator, UNIT_A, at(2024, 9, 30, 11), cal)
    case.accept(handler, at(2024, 9, 30, 12))
    # Reply due Sat Oct 12 (调休); 80% of 5 working days = end of Fri Oct 11. On Oct 7 the
    # wall clock is past 80% but no working time has passed: no warning yet.
    assert sweep(case, at(2024, 10, 7, 20), cal) == []
    assert levels(sweep(case, at(2024, 10, 12, 8), cal)) == [(Stage.REPLY, L.WARNING)]
    # The close stage (7 wd -> Tue Oct 15) warns at the same moment: 5 of 7 days elapsed.
    assert levels(sweep(case, at(2024, 10, 13, 8), cal)) == [
        (Stage.CLOSE, L.WARNING),
        (Stage.REPLY, L.OVERDUE),
    ]
    # Unit head 督办 one working day later: after the end of Mon Oct 14.
    assert sweep(case, at(2024, 10, 14, 20), cal) == []
    assert levels(sweep(case, at(2024, 10, 15, 8), cal)) == [(Stage.REPLY, L.UNIT_HEAD)]


def test_extension_gives_the_new_deadline_fresh_alerts(
    make_case: MakeCase, cal: WorkCalendar, operator: Actor, handler: Actor
) -> None:
    case = make_case(received_at=at(2024, 9, 2, 9))
    case.assign(operator, UNIT_A, at(2024, 9, 2, 10), cal)
    case.accept(handler, at(2024, 9, 2, 11))
    assert levels(sweep(case, at(2024, 9, 7, 9), cal)) == [(Stage.REPLY, L.WARNING)]
    case.request_extension(handler, 3, "等监测报告", at(2024, 9, 7, 10))
    case.approve_extension(Actor("s", Role.SUPERVISOR), at(2024, 9, 7, 11), cal)
    # New reply due Thu Sep 12: 8 wd from Sep 2, warning after day 6 (Tue Sep 10).
    assert sweep(case, at(2024, 9, 10, 9), cal) == []
    fresh = sweep(case, at(2024, 9, 11, 9), cal)
    assert levels(fresh) == [(Stage.REPLY, L.WARNING)]
    assert fresh[0].due_at == eod(2024, 9, 12)


def test_hour_limits_warn_at_80_percent_of_wall_clock(
    make_case: MakeCase, cal: WorkCalendar
) -> None:
    case = make_case(urgency=Urgency.VERY_URGENT, received_at=at(2024, 9, 2, 9))
    # Assign within 1 hour: warning after 09:48, overdue after 10:00.
    assert sweep(case, at(2024, 9, 2, 9, 48), cal) == []
    assert levels(sweep(case, at(2024, 9, 2, 9, 49), cal)) == [(Stage.ASSIGN, L.WARNING)]
    assert levels(sweep(case, at(2024, 9, 2, 10, 0, 1), cal)) == [(Stage.ASSIGN, L.OVERDUE)]


def test_lead_workdays_rule_and_earliest_trigger(make_case: MakeCase, cal: WorkCalendar) -> None:
    case = make_case(received_at=at(2024, 9, 2, 9))
    reply = [
        p
        for p in plan(case, cal, WarningRule(share=None, lead_workdays=2))
        if p.stage is Stage.REPLY and p.level is L.WARNING
    ]
    assert reply[0].moment == eod(2024, 9, 5)  # 2 working days before Mon Sep 9
    both = WarningRule(share=Fraction(1, 2), lead_workdays=1)
    reply = [p for p in plan(case, cal, both) if p.stage is Stage.REPLY and p.level is L.WARNING]
    assert reply[0].moment == eod(2024, 9, 4)  # half of 5 wd -> day 2, earlier than the lead


def test_petition_calendar_day_warning_and_custom_escalation(
    make_case: MakeCase, cal: WorkCalendar
) -> None:
    case = make_case(channel=Channel.PLATFORM_12369, received_at=at(2024, 9, 2, 9))
    rule = WarningRule(unit_head_after=days(2), bureau_after=days(5))
    planned = {(p.stage, p.level): p.moment for p in plan(case, cal, rule)}
    close_due = case.deadlines.close.due
    assert close_due == eod(2024, 11, 1)  # 60 days
    warn = planned[(Stage.CLOSE, L.WARNING)]
    assert at(2024, 10, 20) < warn < at(2024, 10, 22)  # 80% of ~60.6 days
    assert planned[(Stage.CLOSE, L.UNIT_HEAD)] == eod(2024, 11, 4)  # Sun Nov 3 rolls to Mon
    assert planned[(Stage.CLOSE, L.BUREAU)] == eod(2024, 11, 6)


def test_next_alert_at_feeds_the_sweeper_index(
    make_case: MakeCase, cal: WorkCalendar, operator: Actor
) -> None:
    case = make_case(received_at=at(2024, 9, 2, 9))
    assert next_alert_at(case, cal) == eod(2024, 9, 2)  # assign warning (0 of 1 wd elapsed)
    sweep(case, at(2024, 9, 3, 8), cal)
    assert next_alert_at(case, cal) == eod(2024, 9, 3)  # assign overdue
    case.assign(operator, UNIT_A, at(2024, 9, 3, 9), cal)
    assert next_alert_at(case, cal) == eod(2024, 9, 3)  # now the accept warning


def test_merged_case_raises_nothing(make_case: MakeCase, cal: WorkCalendar) -> None:
    first = make_case(received_at=at(2024, 9, 2, 8))
    dup = make_case(received_at=at(2024, 9, 2, 9))
    dup.merge_into(Actor("s", Role.SUPERVISOR), first, at(2024, 9, 2, 10))
    assert sweep(dup, at(2024, 12, 1), cal) == []


def test_monitor_survives_a_year_without_calendar_data(make_case: MakeCase, table: object) -> None:
    cal = WorkCalendar()
    case = make_case(received_at=at(2026, 12, 28, 9))
    alerts = sweep(case, at(2027, 2, 1), cal)
    assert len(alerts) == 12
    assert 2027 in cal.stale_years
    assert case.deadlines.provisional


def test_alerts_for_another_case_are_refused(make_case: MakeCase, cal: WorkCalendar) -> None:
    a = make_case(received_at=at(2024, 9, 2, 9))
    b = make_case(received_at=at(2024, 9, 2, 9))
    with pytest.raises(ValueError):
        b.record_alerts(pending_alerts(a, at(2024, 9, 30), cal))


def test_warning_rule_validation() -> None:
    with pytest.raises(ValueError):
        WarningRule(share=Fraction(1))
    with pytest.raises(ValueError):
        WarningRule(share=Fraction(0))
    with pytest.raises(ValueError):
        WarningRule(lead_workdays=0)
    assert WarningRule(share=None).share is None


def test_lead_longer_than_the_stage_warns_at_once(
    make_case: MakeCase, cal: WorkCalendar, operator: Actor
) -> None:
    case = make_case(received_at=at(2024, 9, 2, 9))
    case.assign(operator, UNIT_A, at(2024, 9, 2, 10), cal)
    rule = WarningRule(share=None, lead_workdays=5)
    warn = [p for p in plan(case, cal, rule) if p.stage is Stage.ACCEPT and p.level is L.WARNING]
    assert warn[0].moment == at(2024, 9, 2, 10)  # clipped to the stage start
    assert case.deadlines.accept is not None
    assert warn[0].moment < case.deadlines.accept.due
