"""Progress dispatch (调度): periods, reports, and the overdue/slipped check."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal

import pytest

from projects.domain.errors import ConflictError, InvalidValue
from projects.domain.events import (
    MilestonePlanned,
    MilestoneSlipped,
    ProgressReported,
    ProgressReportMissed,
)
from projects.domain.progress import (
    Frequency,
    Period,
    ReportingSchedule,
    find_dispatch_issues,
    parse_period,
    period_of,
    periods_between,
)
from projects.domain.row import ReserveRow
from projects.domain.stages import STAGE_ORDER, GateEvidence, Stage
from projects.domain.subitem import SubItem

pytestmark = pytest.mark.unit

At = Callable[..., datetime]
MakeRow = Callable[..., ReserveRow]
M, Q = Frequency.MONTHLY, Frequency.QUARTERLY
MONTHLY = ReportingSchedule()
D = date.fromisoformat


# -- periods -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("freq", "day", "key", "start", "end"),
    [
        (M, "2025-03-15", "2025-03", "2025-03-01", "2025-03-31"),
        (M, "2024-02-10", "2024-02", "2024-02-01", "2024-02-29"),
        (M, "2025-12-31", "2025-12", "2025-12-01", "2025-12-31"),
        (Q, "2025-01-01", "2025-Q1", "2025-01-01", "2025-03-31"),
        (Q, "2025-08-20", "2025-Q3", "2025-07-01", "2025-09-30"),
        (Q, "2025-12-31", "2025-Q4", "2025-10-01", "2025-12-31"),
    ],
)
def test_period_of(freq: Frequency, day: str, key: str, start: str, end: str) -> None:
    p = period_of(freq, D(day))
    assert (p.key, p.start, p.end) == (key, D(start), D(end))
    assert parse_period(key) == p


def test_next_period_crosses_the_year() -> None:
    assert Period(M, 2025, 12).next() == Period(M, 2026, 1)
    assert Period(Q, 2025, 4).next() == Period(Q, 2026, 1)


@pytest.mark.parametrize("key", ["2025-13", "2025-00", "2025-3", "2025-Q5", "2025Q1", ""])
def test_parse_period_rejects(key: str) -> None:
    with pytest.raises(InvalidValue):
        parse_period(key)


def test_periods_between() -> None:
    keys = [p.key for p in periods_between(M, D("2025-11-30"), D("2026-02-01"))]
    assert keys == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert [p.key for p in periods_between(Q, D("2025-03-31"), D("2025-04-01"))] == [
        "2025-Q1",
        "2025-Q2",
    ]


def test_due_date_is_grace_days_after_period_end() -> None:
    assert MONTHLY.due(Period(M, 2025, 3)) == D("2025-04-10")
    assert ReportingSchedule(Q, 15).due(Period(Q, 2025, 1)) == D("2025-04-15")
    with pytest.raises(InvalidValue):
        ReportingSchedule(grace_days=-1)


# -- the pure check ----------------------------------------------------------------------------

IMPLEMENTING = [(Stage.RESERVE, D("2025-01-02")), (Stage.IMPLEMENTATION, D("2025-03-15"))]


def _issues(**kw: object) -> tuple[list[str], list[tuple[Stage, date | None]]]:
    args: dict[str, object] = {
        "schedule": MONTHLY,
        "stage_log": IMPLEMENTING,
        "milestones": {},
        "reported_periods": set(),
    }
    args.update(kw)
    found = find_dispatch_issues(**args)  # type: ignore[arg-type]
    return (
        [m.period.key for m in found.missed_reports],
        [(s.stage, s.reached_on) for s in found.slipped_milestones],
    )


def test_missed_reports_are_periods_past_due_without_a_report() -> None:
    assert _issues(today=D("2025-05-11"))[0] == ["2025-03", "2025-04"]
    assert _issues(today=D("2025-05-10"))[0] == ["2025-03"]  # due day itself is on time
    assert _issues(today=D("2025-04-10"))[0] == []
    assert _issues(today=D("2025-05-11"), reported_periods={"2025-03"})[0] == ["2025-04"]


def test_reports_are_not_required_before_implementation() -> None:
    log = [(Stage.RESERVE, D("2025-01-02")), (Stage.FEASIBILITY, D("2025-02-01"))]
    assert _issues(stage_log=log, today=D("2025-12-31"))[0] == []


def test_reporting_ends_with_the_completion_period() -> None:
    log = [*IMPLEMENTING, (Stage.COMPLETED, D("2025-04-02"))]
    assert _issues(stage_log=log, today=D("2025-12-31"))[0] == ["2025-03", "2025-04"]


def test_rework_reopens_reporting() -> None:
    log = [
        *IMPLEMENTING,
        (Stage.COMPLETED, D("2025-04-02")),
        (Stage.IMPLEMENTATION, D("2025-07-01")),
    ]
    assert _issues(stage_log=log, today=D("2025-08-11"))[0] == ["2025-03", "2025-04", "2025-07"]


def test_quarterly_schedule() -> None:
    missed = _issues(schedule=ReportingSchedule(Q), today=D("2025-07-11"))[0]
    assert missed == ["2025-Q1", "2025-Q2"]


def test_milestones() -> None:
    log = [
        (Stage.RESERVE, D("2025-01-02")),
        (Stage.FEASIBILITY, D("2025-01-20")),
        (Stage.PRELIMINARY_DESIGN, D("2025-03-15")),
    ]
    milestones = {
        Stage.FEASIBILITY: D("2025-02-01"),  # reached on time
        Stage.PRELIMINARY_DESIGN: D("2025-03-01"),  # reached late
        Stage.TENDERING: D("2025-04-30"),  # not reached, overdue
        Stage.IMPLEMENTATION: D("2025-12-31"),  # not reached, not yet due
    }
    slipped = _issues(stage_log=log, milestones=milestones, today=D("2025-05-01"))[1]
    assert slipped == [(Stage.PRELIMINARY_DESIGN, D("2025-03-15")), (Stage.TENDERING, None)]
    assert _issues(stage_log=log, milestones=milestones, today=D("2025-04-30"))[1] == [
        (Stage.PRELIMINARY_DESIGN, D("2025-03-15"))
    ]


def test_stage_passed_before_recording_is_not_a_slip() -> None:
    log = [(Stage.TENDERING, D("2025-03-01"))]
    assert _issues(stage_log=log, milestones={Stage.FEASIBILITY: D("2024-01-01")},
                   today=D("2025-05-01"))[1] == []  # fmt: skip


def test_the_check_is_deterministic() -> None:
    assert _issues(today=D("2025-09-01")) == _issues(today=D("2025-09-01"))


# -- through the aggregate ---------------------------------------------------------------------


def _implementing(make_row: MakeRow, at: At, **kw: object) -> SubItem:
    item = SubItem.add(make_row(), by="录入员", at=at("2025-01-02"), **kw)  # type: ignore[arg-type]
    while item.stage is not Stage.IMPLEMENTATION:
        nxt = STAGE_ORDER[item.stage.rank + 1]
        item.advance(nxt, GateEvidence(D("2025-03-15"), "文号"), by="x", at=at("2025-03-15"))
    return item


def test_check_dispatch_is_idempotent(make_row: MakeRow, at: At) -> None:
    item = _implementing(make_row, at)
    first = item.check_dispatch(at("2025-05-11"))
    assert [e.period for e in first if isinstance(e, ProgressReportMissed)] == [
        "2025-03",
        "2025-04",
    ]
    head = first[0]
    assert isinstance(head, ProgressReportMissed)
    assert head.due == D("2025-04-10") and head.subitem_id == item.id
    assert item.check_dispatch(at("2025-05-11")) == []
    assert item.check_dispatch(at("2025-05-20")) == []
    later = item.check_dispatch(at("2025-06-11"))
    assert [e.period for e in later if isinstance(e, ProgressReportMissed)] == ["2025-05"]
    missed = [e for e in item.events if isinstance(e, ProgressReportMissed)]
    assert len(missed) == 3


def test_reports_flow(make_row: MakeRow, at: At) -> None:
    item = _implementing(make_row, at)
    r = item.report_progress(
        "2025-03",
        percent_complete=Decimal("10"),
        invested_to_date_wan=Decimal("36.5"),
        note="管材进场",
        by="填报员",
        at=at("2025-04-08"),
    )
    assert not r.late
    late = item.report_progress(
        "2025-04",
        percent_complete=Decimal("25.5"),
        invested_to_date_wan=Decimal("90"),
        by="填报员",
        at=at("2025-05-11"),
    )
    assert late.late
    fix = item.report_progress(
        "2025-04",
        percent_complete=Decimal("26"),
        invested_to_date_wan=Decimal("91"),
        by="填报员",
        at=at("2025-05-12"),
    )
    event = item.events[-1]
    assert isinstance(event, ProgressReported) and event.correction and event.late
    assert item.reports["2025-04"] is fix
    assert item.check_dispatch(at("2025-05-13")) == []


@pytest.mark.parametrize(
    ("period", "percent", "invested", "fragment"),
    [
        ("2025-Q1", "10", "1", "does not match the schedule"),
        ("2025-06", "10", "1", "has not started"),
        ("2025-03", "101", "1", "0-100"),
        ("2025-03", "-1", "1", "0-100"),
        ("2025-03", "10", "-1", "negative"),
    ],
)
def test_bad_reports(
    make_row: MakeRow, at: At, period: str, percent: str, invested: str, fragment: str
) -> None:
    item = _implementing(make_row, at)
    with pytest.raises(InvalidValue, match=fragment):
        item.report_progress(
            period,
            percent_complete=Decimal(percent),
            invested_to_date_wan=Decimal(invested),
            by="填报员",
            at=at("2025-05-11"),
        )


def test_reports_only_during_implementation(make_row: MakeRow, at: At) -> None:
    item = SubItem.add(make_row(), by="录入员", at=at("2025-01-02"))
    with pytest.raises(ConflictError):
        item.report_progress(
            "2025-01",
            percent_complete=Decimal(1),
            invested_to_date_wan=Decimal(1),
            by="填报员",
            at=at("2025-02-01"),
        )


def test_slipped_milestone_event_once_per_due_date(make_row: MakeRow, at: At) -> None:
    item = SubItem.add(make_row(), by="录入员", at=at("2025-01-02"))
    item.plan_milestone(Stage.FEASIBILITY, D("2025-02-01"), by="计划员", at=at("2025-01-03"))
    assert isinstance(item.events[-1], MilestonePlanned)
    [slip] = item.check_dispatch(at("2025-02-02"))
    assert isinstance(slip, MilestoneSlipped)
    assert (slip.stage, slip.due, slip.current_stage, slip.reached_on) == (
        Stage.FEASIBILITY,
        D("2025-02-01"),
        Stage.RESERVE,
        None,
    )
    assert item.check_dispatch(at("2025-02-03")) == []
    item.plan_milestone(Stage.FEASIBILITY, D("2025-03-01"), by="计划员", at=at("2025-02-04"))
    assert item.check_dispatch(at("2025-02-05")) == []
    [again] = item.check_dispatch(at("2025-03-02"))
    assert isinstance(again, MilestoneSlipped) and again.due == D("2025-03-01")
    assert item.history[-1].changes[0].before == "2025-02-01"


def test_cannot_plan_a_reached_stage(make_row: MakeRow, at: At) -> None:
    item = SubItem.add(make_row(), by="录入员", at=at("2025-01-02"))
    with pytest.raises(ConflictError, match="already reached"):
        item.plan_milestone(Stage.RESERVE, D("2025-02-01"), by="计划员", at=at("2025-01-03"))


def test_withdrawn_items_are_not_dispatched(make_row: MakeRow, at: At) -> None:
    item = _implementing(make_row, at)
    item.withdraw(reason="停建", by="管理员", at=at("2025-04-01"))
    assert item.check_dispatch(at("2025-12-31")) == []


def test_quarterly_schedule_on_the_aggregate(make_row: MakeRow, at: At) -> None:
    item = _implementing(make_row, at, schedule=ReportingSchedule(Q))
    events = item.check_dispatch(at("2025-07-11"))
    assert [e.period for e in events if isinstance(e, ProgressReportMissed)] == [
        "2025-Q1",
        "2025-Q2",
    ]
