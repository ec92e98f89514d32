"""The deadline sweeper: raise warnings, overdue alerts and 督办 exactly once per deadline.

Due cases are found through the `next_alert_at` index, never by scanning every case. Each case
is saved with its new alerts (events in the same write); a conflict with a concurrent command
just means the case is picked up again in the next round.
"""

from __future__ import annotations

from datetime import datetime

from complaints.domain.monitor import sweep
from complaints.service_layer.context import Context
from complaints.service_layer.ops_alerts import note_stale_calendar
from qingshan_core.logging import get_logger
from qingshan_core.outbox import ConcurrencyConflict

log = get_logger(__name__)


async def sweep_due(ctx: Context, now: datetime | None = None, batch: int = 200) -> int:
    """One round over the due cases; returns how many alerts were raised."""
    now = now or ctx.clock()
    raised = 0
    for complaint_id in await ctx.repo.due_for_alerts(now, batch):
        loaded = await ctx.repo.get(complaint_id)
        alerts = sweep(loaded.complaint, now, ctx.calendar, ctx.warning_rule)
        try:
            await ctx.repo.save(loaded)  # also moves next_alert_at forward
        except ConcurrencyConflict:
            log.info("sweeper.conflict", complaint_id=complaint_id)
            continue
        raised += len(alerts)
    if raised:
        log.info("sweeper.raised", alerts=raised)
    await note_stale_calendar(ctx, now)
    return raised
