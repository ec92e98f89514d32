"""The schedule repair: a periodic full scan for open cases whose sweeper schedule entry is
missing, and their entries restored, so no case's alerts are ever lost.

A case and its schedule entry are two writes (FerretDB 1.x has no transactions): a process
that dies between them (or a sweep whose save lost a race after the minute was dropped) leaves
a case the sweeper, which reads only the schedule, would never look at again. A case is
listed correctly when its entry is in a minute the sweeper has yet to process -- its alert's
own minute, or, for one already due when written, the minute it was written in. Whatever is
not is added again; an entry too many is harmless (the sweeper checks each case it reads).
"""

from __future__ import annotations

from datetime import datetime

from prometheus_client import Counter

from complaints.service_layer.context import Context
from qingshan_core.logging import get_logger

log = get_logger(__name__)
REPAIRED = Counter(
    "qingshan_complaints_schedule_repaired_total",
    "Open cases found without their sweeper schedule entry, and scheduled again",
)


async def repair_schedule(ctx: Context, now: datetime | None = None) -> list[str]:
    """One scan; returns the ids of the cases scheduled again."""
    now = now or ctx.clock()
    schedule = ctx.repo.schedule
    cursor = await schedule.cursor()
    if cursor is None:
        return []  # the sweeper's first tick queries next_alert_at itself
    cases = await ctx.repo.scheduled()
    if not cases:
        return []
    # Minutes the sweeper has yet to read: (cursor, now]; later minutes hold future alerts.
    pending, _ = await schedule.due(cursor, now)
    waiting = set(pending)
    ahead = [(i, at) for i, at in cases if i not in waiting and at > cursor]
    listed = waiting | await schedule.listed_at_their_minute(ahead)
    missing = [(i, at) for i, at in cases if i not in listed]
    for case_id, at in missing:
        await schedule.add(at, case_id, now)
    if missing:
        REPAIRED.inc(len(missing))
        log.warning(
            "schedule.repaired", count=len(missing), complaint_ids=[i for i, _ in missing][:50]
        )
    return [i for i, _ in missing]
