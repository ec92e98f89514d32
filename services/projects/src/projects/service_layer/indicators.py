"""The plan's indicator ledger (约束性指标台账, 专栏2): statuses, yearly values, later targets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from projects.domain.errors import local_date
from projects.domain.indicator_ledger import IndicatorStatus, LedgerEntry
from projects.domain.indicators import Indicator, parse_indicators
from projects.domain.table_import import ImportRejected
from projects.service_layer.context import Context
from projects.service_layer.imports import ImportRefused
from projects.service_layer.ports import Busy, NotFound, StaleAggregate


@dataclass(frozen=True)
class IndicatorView:
    """An indicator with its standing in one year."""

    indicator: Indicator
    status: IndicatorStatus


def _missing(no: int) -> NotFound:
    return NotFound(f"无此指标：{no}", f"no indicator {no}")


async def statuses(ctx: Context, year: int | None = None) -> tuple[int, list[IndicatorView]]:
    """Every indicator's standing in `year` (default: this year in Beijing)."""
    year = year or local_date(ctx.clock()).year
    loaded = await ctx.indicators.load()
    ledger = loaded.ledger
    views = [IndicatorView(ledger.indicators[s.indicator_no], s) for s in ledger.statuses(year)]
    return year, views


async def history(
    ctx: Context, no: int
) -> tuple[Indicator, list[IndicatorStatus], list[LedgerEntry]]:
    """One indicator, its standing in every year with a value, and its history lines."""
    ledger = (await ctx.indicators.load()).ledger
    if no not in ledger.indicators:
        raise _missing(no)
    years = sorted(y for (n, y) in ledger.values if n == no)
    entries = [h for h in ledger.history if h.indicator_no == no]
    return ledger.indicators[no], [ledger.status(no, y) for y in years], entries


async def record_value(
    ctx: Context, no: int, year: int, value: Decimal, *, note: str, by: str
) -> IndicatorStatus:
    """Enter (or correct) a year's value; a binding indicator going off track is announced."""
    for _ in range(ctx.retries):
        loaded = await ctx.indicators.load()
        if no not in loaded.ledger.indicators:
            raise _missing(no)
        status = loaded.ledger.record(no, year, value, by=by, at=_at(ctx), note=note)
        try:
            await ctx.indicators.save(loaded, no)
        except StaleAggregate:
            continue
        return status
    raise Busy(f"indicator {no}")


async def set_target(
    ctx: Context, no: int, target: Decimal, *, year: int | None, by: str
) -> IndicatorStatus | None:
    """Set a target handed down later (由市级下达), for one year or all years."""
    for _ in range(ctx.retries):
        loaded = await ctx.indicators.load()
        if no not in loaded.ledger.indicators:
            raise _missing(no)
        loaded.ledger.set_target(no, target, by=by, at=_at(ctx), year=year)
        try:
            await ctx.indicators.save(loaded, no)
        except StaleAggregate:
            continue
        return loaded.ledger.status(no, year) if year is not None else None
    raise Busy(f"indicator {no}")


def _at(ctx: Context) -> datetime:
    return ctx.clock()


async def seed_indicators(ctx: Context, data: bytes) -> int:
    """Load the plan's indicators if not yet stored (insert-if-absent); returns how many."""
    parsed = parse_indicators(data)
    if isinstance(parsed, ImportRejected):
        raise ImportRefused(parsed.issues)
    return await ctx.indicators.seed(list(parsed))
