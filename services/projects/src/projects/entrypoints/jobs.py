"""Background loops of the service process: the dispatch check (调度检查) and the snapshot refresh.

Durable and idempotent by construction (see service_layer.dispatch): a run that dies half-way
is simply repeated by the next; replicas running it at once cannot announce anything twice.
"""

from __future__ import annotations

import asyncio

from projects.adapters.row_cache import RowCache
from projects.service_layer.context import Context
from projects.service_layer.dispatch import check_dispatch
from qingshan_core.logging import get_logger

log = get_logger(__name__)


async def dispatch_loop(ctx: Context, *, first_delay: float, interval: float) -> None:
    """Check dispatch every `interval` seconds until cancelled; failures wait for the next run."""
    await asyncio.sleep(first_delay)
    while True:
        try:
            s = await check_dispatch(ctx)
            log.info(
                "dispatch.checked",
                checked=s.checked,
                reports_overdue=s.reports_overdue,
                milestones_slipped=s.milestones_slipped,
                busy=s.busy,
            )
        except Exception as exc:  # store down: keep the loop, try at the next interval
            log.warning("dispatch.failed", error=repr(exc))
        await asyncio.sleep(interval)


async def cache_loop(cache: RowCache, *, interval: float) -> None:
    """Load the roll-up snapshot now, then reload it every `interval` seconds until cancelled."""
    while True:
        try:
            await cache.refresh()
            log.debug("rows_cache.refreshed", seconds=cache.load_seconds)
        except Exception as exc:  # store down: serve the last snapshot, try again later
            log.warning("rows_cache.refresh_failed", error=repr(exc))
        await asyncio.sleep(interval)
