"""The periodic dispatch check (调度检查): missed progress reports and slipped milestones.

Durable and idempotent: the findings an item already announced are kept on the item itself
(`flagged`) and written in the same document write as the events they cause, so a re-run, a
crash between runs or two replicas checking at once never announce a finding twice.
"""

from __future__ import annotations

from dataclasses import dataclass

from projects.domain.events import MilestoneSlipped, ProgressReportMissed
from projects.service_layer.context import Context
from projects.service_layer.mutate import mutate
from projects.service_layer.ports import Busy, NotFound


@dataclass(frozen=True)
class DispatchSummary:
    """What one check found and announced."""

    checked: int
    reports_overdue: int
    milestones_slipped: int
    busy: int


async def check_dispatch(ctx: Context) -> DispatchSummary:
    """Check every sub-item that reports or has milestones; emit what newly went wrong."""
    ids = await ctx.subitems.dispatch_candidates()
    overdue = slipped = busy = 0
    for subitem_id in ids:
        try:
            done = await mutate(ctx, subitem_id, lambda item, at: item.check_dispatch(at))
        except Busy:
            busy += 1  # someone else is writing it; the next run looks again
            continue
        except NotFound:
            continue
        overdue += sum(isinstance(e, ProgressReportMissed) for e in done.result)
        slipped += sum(isinstance(e, MilestoneSlipped) for e in done.result)
    return DispatchSummary(len(ids), overdue, slipped, busy)
