"""The deadlines a case has now, and how assignment, extension and reopening move them."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from complaints.domain.policy import DeadlinePolicy, Duration, Stage
from qingshan_core.workdays import WorkCalendar


@dataclass(frozen=True)
class StageDeadline:
    """One stage's clock: when it started (for "80% of the time" warnings) and when it is due."""

    stage: Stage
    start: datetime
    due: datetime


@dataclass(frozen=True)
class Deadlines:
    """Every deadline of a case. ``reply`` is None when there is no reply duty (anonymous);
    ``accept`` and ``return_by`` exist only once the case is assigned to a unit."""

    assign: StageDeadline
    reply: StageDeadline | None
    close: StageDeadline
    accept: StageDeadline | None = None
    return_by: datetime | None = None
    # Some day in the computation came from the Monday–Friday fallback: shown as provisional
    # until an administrator enters the year's holidays.
    provisional: bool = False

    def get(self, stage: Stage) -> StageDeadline | None:
        """The deadline of one stage, if the case has it."""
        return {
            Stage.ASSIGN: self.assign,
            Stage.ACCEPT: self.accept,
            Stage.REPLY: self.reply,
            Stage.CLOSE: self.close,
        }[stage]

    def stages(self) -> list[StageDeadline]:
        """All stage deadlines the case has, in lifecycle order."""
        found = (self.get(s) for s in Stage)
        return [d for d in found if d is not None]

    def summary(self) -> dict[str, str]:
        """ISO strings per stage, for history details (keeps old deadlines after a change)."""
        out = {f"{d.stage.value}_by": d.due.isoformat() for d in self.stages()}
        if self.return_by is not None:
            out["return_by"] = self.return_by.isoformat()
        return out


def _provisional(calendar: WorkCalendar, start: datetime, *ends: datetime | None) -> bool:
    last = max(e for e in (start, *ends) if e is not None)
    return any(not calendar.has_data(y) for y in range(start.year, last.year + 1))


def _clock(stage: Stage, limit: Duration, start: datetime, cal: WorkCalendar) -> StageDeadline:
    return StageDeadline(stage, cal.to_local(start), limit.after(start, cal))


def compute_deadlines(
    policy: DeadlinePolicy,
    received_at: datetime,
    calendar: WorkCalendar,
    *,
    reply_duty: bool = True,
) -> Deadlines:
    """Deadlines at intake: assign, reply and close all run from the moment of receipt."""
    assign = _clock(Stage.ASSIGN, policy.assign, received_at, calendar)
    reply = _clock(Stage.REPLY, policy.reply, received_at, calendar) if reply_duty else None
    close = _clock(Stage.CLOSE, policy.close, received_at, calendar)
    provisional = _provisional(
        calendar, received_at, assign.due, close.due, reply.due if reply else None
    )
    return Deadlines(assign=assign, reply=reply, close=close, provisional=provisional)


def on_assignment(
    deadlines: Deadlines, policy: DeadlinePolicy, assigned_at: datetime, calendar: WorkCalendar
) -> Deadlines:
    """Start the unit's sign-off clock and its return window; receipt-based clocks keep running
    (a wrong dispatch must not stop the complainant's clock)."""
    accept = _clock(Stage.ACCEPT, policy.accept, assigned_at, calendar)
    return_by = policy.return_window.after(assigned_at, calendar)
    provisional = deadlines.provisional or _provisional(
        calendar, assigned_at, accept.due, return_by
    )
    return replace(deadlines, accept=accept, return_by=return_by, provisional=provisional)


def on_unassignment(deadlines: Deadlines) -> Deadlines:
    """After a return (退单) the unit's clocks go away until the next assignment."""
    return replace(deadlines, accept=None, return_by=None)


def on_extension(deadlines: Deadlines, amount: Duration, calendar: WorkCalendar) -> Deadlines:
    """Move the reply and close deadlines by ``amount`` counted from the old deadline."""

    def moved(d: StageDeadline) -> StageDeadline:
        return replace(d, due=amount.after(d.due, calendar))

    reply = moved(deadlines.reply) if deadlines.reply else None
    close = moved(deadlines.close)
    provisional = deadlines.provisional or _provisional(
        calendar, deadlines.close.due, close.due, reply.due if reply else None
    )
    return replace(deadlines, reply=reply, close=close, provisional=provisional)


def on_reopen(
    deadlines: Deadlines,
    policy: DeadlinePolicy,
    reopened_at: datetime,
    calendar: WorkCalendar,
    *,
    reply_duty: bool,
    reassigned: bool,
) -> Deadlines:
    """Rework after 不满意 is a new round: fresh reply and close clocks from the reopening, and a
    fresh sign-off clock when the case goes to a (new) unit that must sign again."""
    reply = _clock(Stage.REPLY, policy.reply, reopened_at, calendar) if reply_duty else None
    close = _clock(Stage.CLOSE, policy.close, reopened_at, calendar)
    new = replace(deadlines, reply=reply, close=close)
    if reassigned:
        return on_assignment(new, policy, reopened_at, calendar)
    provisional = deadlines.provisional or _provisional(calendar, reopened_at, close.due)
    return replace(new, accept=None, return_by=None, provisional=provisional)
