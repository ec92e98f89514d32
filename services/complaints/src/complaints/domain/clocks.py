"""Deadline clocks as people read them (green / yellow / red) and the queue flags (pure).

A stage's clock is green until the warning rule's moment, yellow from then until the deadline,
red past it, and done once the stage is no longer open. The queue flags (即将超期, 已超期, 已督办)
come from the alerts the deadline monitor has raised for the stages still open, so a queue
shows exactly what the warnings and notifications said, and is stored with the case at every
write (the sweeper writes the case when it raises an alert). 已督办 also marks an open case a
bureau supervisor has pressed (督办, issue 15).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from complaints.domain import events as ev
from complaints.domain.complaint import Complaint
from complaints.domain.monitor import DEFAULT_RULE, OPEN_WHILE, WarningRule, warning_moment
from complaints.domain.policy import Stage
from qingshan_core.labels import labels_of
from qingshan_core.workdays import WorkCalendar

STAGE_LABELS = {s: labels_of("complaints.Stage")[s.value] for s in Stage}


class Light(StrEnum):
    """What a clock shows."""

    GREEN = "green"  # within time
    YELLOW = "yellow"  # past the warning moment: 即将超期
    RED = "red"  # past the deadline: 已超期
    DONE = "done"  # the stage is over

    @property
    def label(self) -> str:
        return {"green": "正常", "yellow": "即将超期", "red": "已超期", "done": "已完成"}[self]


@dataclass(frozen=True)
class Clock:
    """One stage's deadline clock."""

    stage: Stage
    start: datetime
    due: datetime
    warn_at: datetime | None
    light: Light


def clocks(
    case: Complaint, now: datetime, calendar: WorkCalendar, rule: WarningRule = DEFAULT_RULE
) -> list[Clock]:
    """Every deadline the case has, in lifecycle order, each with its light at ``now``."""
    out = []
    for d in case.deadlines.stages():
        warn_at = warning_moment(d, case.policy.limit(d.stage).unit, calendar, rule)
        if case.status not in OPEN_WHILE[d.stage]:
            light = Light.DONE
        elif now > d.due:
            light = Light.RED
        elif warn_at is not None and now > warn_at:
            light = Light.YELLOW
        else:
            light = Light.GREEN
        out.append(Clock(d.stage, d.start, d.due, warn_at, light))
    return out


class Flag(StrEnum):
    """Queue flags stored with the case (see the module docstring)."""

    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    ESCALATED = "escalated"


_ESCALATIONS = (ev.AlertLevel.UNIT_HEAD, ev.AlertLevel.BUREAU)


def flags(case: Complaint) -> list[str]:
    """The flags of the alerts raised for the deadlines of the stages still open."""
    found: set[Flag] = set()
    for d in case.deadlines.stages():
        if case.status not in OPEN_WHILE[d.stage]:
            continue

        def raised(level: ev.AlertLevel, due: datetime = d.due, stage: Stage = d.stage) -> bool:
            return ev.alert_key(stage, level, due) in case.raised_alerts

        if raised(ev.AlertLevel.OVERDUE):
            found.add(Flag.OVERDUE)
        elif raised(ev.AlertLevel.WARNING):
            found.add(Flag.DUE_SOON)
        if any(raised(level) for level in _ESCALATIONS):
            found.add(Flag.ESCALATED)
    if case.bureau_supervise_count and case.is_open:
        found.add(Flag.ESCALATED)
    return sorted(found)
