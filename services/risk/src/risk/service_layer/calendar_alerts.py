"""The stale-calendar alert: a working-day deadline counted Monday–Friday because the holiday
calendar has no data for its year (chinesecalendar knows 2004–2026 at the time of writing).
Raised once per year, like complaints' WorkCalendarStale."""

from __future__ import annotations

from risk.domain.registry_events import WorkCalendarStale
from risk.service_layer.context import Deps


async def note_stale_calendar(deps: Deps) -> list[int]:
    """Alert once for every year the calendar had to guess; returns the years raised now."""
    raised = []
    for year in sorted(deps.stale_years()):
        key = f"calendar/{year}"
        if key in deps.raised_alerts:
            continue
        if await deps.ops_alerts.raise_once(key, WorkCalendarStale(at=deps.clock(), year=year)):
            raised.append(year)
        deps.raised_alerts.add(key)
    return raised
