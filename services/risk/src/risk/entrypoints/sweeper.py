"""The periodic job: one deadline sweep and a catalogue refresh per round.

Any replica may run it: each check is a versioned single-document write whose once-only flags
live in the aggregate, so two replicas sweeping together still record each event once. The
runtime runs it every `sweep_interval_seconds` and logs a failed round (store down).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from qingshan_core.logging import get_logger
from risk.service_layer.calendar_alerts import note_stale_calendar
from risk.service_layer.catalogue import refresh_catalogues
from risk.service_layer.context import Deps
from risk.service_layer.sweeps import sweep

log = get_logger(__name__)


def sweep_job(deps: Deps, batch: int) -> Callable[[], Awaitable[None]]:
    """One round: check every due deadline, then apply catalogue versions loaded elsewhere."""

    async def run() -> None:
        report = await sweep(deps, batch=batch)
        if report.events:
            log.info("sweep.recorded", events=report.events, conflicts=report.conflicts)
        stale = await note_stale_calendar(deps)  # e.g. a deadline computed by another use case
        if stale:
            log.warning("calendar.stale", years=stale)
        applied = await refresh_catalogues(deps)
        if applied:
            log.info("catalogue.refreshed", versions=applied)

    return run
