"""Deadline monitor (pure): which warnings, overdue notices and 督办 escalations are due.

For every stage still open (assign while awaiting assignment, accept while assigned, reply until
replied, close until closed) the monitor plans up to four alerts, each firing once ``now`` is
PAST its moment:

- warning: when ``share`` of the stage's time has elapsed (working-day stages count working
  days: 80% of 5 is the end of day 4, so the warning lands on the morning of the last day;
  hour and calendar-day stages count wall-clock time) or ``lead_workdays`` before the deadline,
  whichever is earlier; never before the stage started, none when it would not precede the
  deadline;
- overdue: the deadline itself;
- unit head 督办: ``unit_head_after`` past the deadline; bureau 督办: ``bureau_after`` past it.

Alerts are keyed by stage, level and deadline and recorded on the aggregate, so each is raised
once; a moved deadline (extension, reopening) gets fresh ones. A back-dated case raises every
level already due at once, in order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from fractions import Fraction
from math import floor

from complaints.domain import events as ev
from complaints.domain.complaint import Complaint
from complaints.domain.deadlines import StageDeadline
from complaints.domain.policy import Duration, Stage, TimeUnit, wd
from complaints.domain.transitions import STAGE_OPEN_WHILE
from qingshan_core.workdays import WorkCalendar

# While which states each stage's clock runs (public: the console's clocks read it too).
OPEN_WHILE = STAGE_OPEN_WHILE
_KINDS: dict[ev.AlertLevel, type[ev.DeadlineAlert]] = {
    ev.AlertLevel.WARNING: ev.DeadlineWarning,
    ev.AlertLevel.OVERDUE: ev.DeadlineOverdue,
    ev.AlertLevel.UNIT_HEAD: ev.DeadlineEscalated,
    ev.AlertLevel.BUREAU: ev.DeadlineEscalated,
}
_ORDER = list(ev.AlertLevel)
# 督办 defaults: the unit head after one full working day overdue, the bureau after three.
UNIT_HEAD_AFTER = wd(1)
BUREAU_AFTER = wd(3)


@dataclass(frozen=True)
class WarningRule:
    """When to warn and escalate; configuration, not code."""

    share: Fraction | None = Fraction(4, 5)
    lead_workdays: int | None = None
    unit_head_after: Duration = UNIT_HEAD_AFTER
    bureau_after: Duration = BUREAU_AFTER

    def __post_init__(self) -> None:
        if self.share is not None and not 0 < self.share < 1:
            raise ValueError("share must be strictly between 0 and 1")
        if self.lead_workdays is not None and self.lead_workdays < 1:
            raise ValueError("lead_workdays must be at least 1")


DEFAULT_RULE = WarningRule()


@dataclass(frozen=True)
class PlannedAlert:
    """An alert that fires once ``now`` is past ``moment``."""

    stage: Stage
    level: ev.AlertLevel
    moment: datetime
    due: datetime

    @property
    def key(self) -> str:
        """Same key as the DeadlineAlert it becomes."""
        return ev.alert_key(self.stage, self.level, self.due)


def warning_moment(
    d: StageDeadline, unit: TimeUnit, calendar: WorkCalendar, rule: WarningRule
) -> datetime | None:
    """When the rule warns about one stage deadline (None when it would not precede it)."""
    moments = []
    if rule.share is not None:
        if unit is TimeUnit.WORKING_DAYS:
            elapsed = floor(rule.share * calendar.workdays_between(d.start, d.due))
            moments.append(calendar.add_workdays(d.start, elapsed))
        else:
            seconds = Fraction((d.due - d.start).total_seconds()) * rule.share
            moments.append(d.start + timedelta(seconds=float(seconds)))
    if rule.lead_workdays is not None:
        moments.append(calendar.add_workdays(d.due, -rule.lead_workdays))
    if not moments:
        return None
    moment = max(min(moments), d.start)
    return moment if moment < d.due else None


def plan(
    complaint: Complaint, calendar: WorkCalendar, rule: WarningRule = DEFAULT_RULE
) -> list[PlannedAlert]:
    """Every alert the case's open stages can still raise, raised or not, in firing order."""
    planned: list[PlannedAlert] = []
    for d in complaint.deadlines.stages():
        if complaint.status not in OPEN_WHILE[d.stage]:
            continue
        unit = complaint.policy.limit(d.stage).unit
        moments = {
            ev.AlertLevel.WARNING: warning_moment(d, unit, calendar, rule),
            ev.AlertLevel.OVERDUE: d.due,
            ev.AlertLevel.UNIT_HEAD: rule.unit_head_after.after(d.due, calendar),
            ev.AlertLevel.BUREAU: rule.bureau_after.after(d.due, calendar),
        }
        planned += [PlannedAlert(d.stage, level, at, d.due) for level, at in moments.items() if at]
    return sorted(planned, key=lambda p: (p.moment, _ORDER.index(p.level)))


def pending_alerts(
    complaint: Complaint, now: datetime, calendar: WorkCalendar, rule: WarningRule = DEFAULT_RULE
) -> list[ev.DeadlineAlert]:
    """Alerts due at ``now`` and not raised yet; does not change the complaint."""
    return [
        _KINDS[p.level](
            complaint.id,
            now,
            stage=p.stage,
            due_at=p.due,
            unit_id=None if p.stage is Stage.ASSIGN else complaint.unit_id,
            level=p.level,
        )
        for p in plan(complaint, calendar, rule)
        if now > p.moment and p.key not in complaint.raised_alerts
    ]


def sweep(
    complaint: Complaint, now: datetime, calendar: WorkCalendar, rule: WarningRule = DEFAULT_RULE
) -> list[ev.DeadlineAlert]:
    """Raise the due alerts on the aggregate (history + events) and return them; idempotent."""
    return complaint.record_alerts(pending_alerts(complaint, now, calendar, rule))


def next_alert_at(
    complaint: Complaint, calendar: WorkCalendar, rule: WarningRule = DEFAULT_RULE
) -> datetime | None:
    """When the next not-yet-raised alert fires: store it and index it so the sweeper finds
    due cases without scanning them all."""
    moments = [
        p.moment for p in plan(complaint, calendar, rule) if p.key not in complaint.raised_alerts
    ]
    return min(moments, default=None)
