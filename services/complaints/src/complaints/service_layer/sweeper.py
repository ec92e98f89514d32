"""The deadline sweeper: raise warnings, overdue alerts and 督办 exactly once per deadline.

A tick reads the minute schedule from its cursor up to the previous full minute, by _id, and
checks just those cases (plus nothing else): its cost follows the number of due cases, not the
number of stored ones. The first tick, or one after a gap longer than MAX_GAP, falls back to a
query on next_alert_at. Each case is saved with its new alerts (events in the same write); a
conflict with a concurrent command leaves it to the next tick.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from complaints.adapters.repository import Loaded
from complaints.domain.monitor import sweep
from complaints.service_layer.context import Context
from complaints.service_layer.ops_alerts import note_stale_calendar
from qingshan_core.logging import get_logger
from qingshan_core.outbox import ConcurrencyConflict

log = get_logger(__name__)
MAX_GAP = timedelta(days=2)
SWEEP_CONCURRENCY = 16


async def sweep_due(ctx: Context, now: datetime | None = None, batch: int = 500) -> int:
    """One tick; returns how many alerts were raised."""
    now = now or ctx.clock()
    schedule = ctx.repo.schedule
    last_full_minute = now.replace(second=0, microsecond=0) - timedelta(minutes=1)
    cursor = await schedule.cursor()
    keys: list[str] = []
    fallback = cursor is None or not timedelta(0) <= now - cursor <= MAX_GAP
    if fallback or cursor is None:
        # First tick, a long gap, or a clock that went back: query instead of the schedule.
        ids = await ctx.repo.due_for_alerts(now, limit=10**6)
    else:
        ids, keys = await schedule.due(cursor, last_full_minute)
        # Cases scheduled in the current minute whose moment has already passed.
        current, _ = await schedule.due(last_full_minute, now)
        ids += [i for i in current if i not in ids]
    raised = await _sweep_cases(ctx, ids[:batch] if len(ids) > batch else ids, now)
    if len(ids) <= batch:
        await schedule.drop(keys)
        if fallback or (cursor is not None and last_full_minute > cursor):
            await schedule.set_cursor(last_full_minute)
    if raised:
        log.info("sweeper.raised", alerts=raised, checked=len(ids))
    await note_stale_calendar(ctx, now)
    return raised


async def _sweep_cases(ctx: Context, ids: list[str], now: datetime) -> int:
    """Read the cases still due (entries can be stale: the case moved on) in one query, then
    check them side by side (bounded): their marker and schedule writes go to the store
    together; each save is its own guarded write."""
    gate = asyncio.Semaphore(SWEEP_CONCURRENCY)

    async def one(loaded: Loaded) -> int:
        async with gate:
            alerts = sweep(loaded.complaint, now, ctx.calendar, ctx.warning_rule)
            try:
                await ctx.repo.save(loaded)  # also reschedules its next alert
            except ConcurrencyConflict:
                log.info("sweeper.conflict", complaint_id=loaded.complaint.id)
                return 0
            return len(alerts)

    return sum(await asyncio.gather(*map(one, await ctx.repo.due_now(ids, now))))
