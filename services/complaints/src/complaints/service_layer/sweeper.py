"""The deadline sweeper: raise warnings, overdue alerts and 督办 exactly once per deadline.

A tick reads the minute schedule from its cursor up to the previous full minute, by _id, and
checks just those cases (plus nothing else): its cost follows the number of due cases, not the
number of stored ones. The first tick, or one after a gap longer than MAX_GAP, falls back to a
query on next_alert_at. The due cases are saved with their new alerts (events in the same
write) in bulk commands; a case that changed meanwhile is read and checked once more, and a
conflict then leaves it to the next tick.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from complaints.domain.monitor import sweep
from complaints.service_layer.context import Context
from complaints.service_layer.ops_alerts import note_stale_calendar
from complaints.service_layer.ports import Loaded
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
    """Read the cases still due (entries can be stale: the case moved on) in one query, raise
    their alerts and save them together (bulk commands, each statement guarded by the case's
    version). Cases that changed since they were read are read again and checked one by one;
    an alert whose write landed is recorded on its case and never raised twice."""
    swept = [
        (loaded, sweep(loaded.complaint, now, ctx.calendar, ctx.warning_rule))
        for loaded in await ctx.repo.due_now(ids, now)
    ]
    missed = await ctx.repo.save_all([loaded for loaded, _ in swept])
    raised = sum(len(alerts) for loaded, alerts in swept if loaded.complaint.id not in missed)
    if missed:
        log.info("sweeper.conflicts", complaint_ids=sorted(missed))
        raised += await _one_by_one(ctx, sorted(missed), now)
    return raised


async def _one_by_one(ctx: Context, ids: list[str], now: datetime) -> int:
    """Check cases side by side (bounded), each saved on its own; a conflict with a concurrent
    command leaves the case to the next tick."""
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
