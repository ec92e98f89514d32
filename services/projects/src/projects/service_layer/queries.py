"""Read-side use cases: roll-ups (exact, optionally "as of"), the preamble, listings, export.

Roll-ups are computed in Python from a projection of the rows (FerretDB 1.x has $group with
$sum only, and money must stay exact Decimal), using the domain's own rollup().
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from projects.domain.adjustments import Adjustment, AdjustmentStatus
from projects.domain.preamble import Preamble, preamble
from projects.domain.rollups import Rollup, RollupBy, rollup
from projects.domain.row import ReserveRow
from projects.domain.subitem import SubItem
from projects.domain.table_files import export_csv, export_xlsx
from projects.domain.table_schema import HeaderStyle
from projects.service_layer.context import Context
from projects.service_layer.mutate import not_found
from projects.service_layer.ports import NotFound, SubItemFilter


async def reserve_rows(
    ctx: Context, *, as_of: datetime | None = None, include_withdrawn: bool = False
) -> list[ReserveRow]:
    """The rows now, or as they stood at `as_of` (withdrawn ones only when asked)."""
    if as_of is None:
        return await ctx.subitems.rows(include_withdrawn=include_withdrawn)
    rows = await ctx.subitems.rows_as_of(as_of)
    return rows if include_withdrawn else [r for r in rows if r.in_reserve]


async def get_rollup(
    ctx: Context, by: RollupBy, *, as_of: datetime | None = None, include_withdrawn: bool = False
) -> Rollup:
    """Exact roll-up by field, project, lead unit, year, source class or stage."""
    rows = await reserve_rows(ctx, as_of=as_of, include_withdrawn=include_withdrawn)
    return rollup(rows, by, include_withdrawn=include_withdrawn)


async def get_preamble(ctx: Context, *, as_of: datetime | None = None) -> Preamble:
    """The reserve preamble's figures (total, fields, source classes) from the rows."""
    return preamble(await reserve_rows(ctx, as_of=as_of))


async def get_subitem(ctx: Context, subitem_id: str) -> tuple[SubItem, int]:
    """One sub-item with its whole record, and its version."""
    loaded = await ctx.subitems.get(subitem_id)
    if loaded is None:
        raise not_found(subitem_id)
    return loaded.aggregate, loaded.version


async def list_subitems(
    ctx: Context, flt: SubItemFilter, *, limit: int = 100, offset: int = 0
) -> tuple[list[ReserveRow], int]:
    """Sub-items in 序号 order and the number of matches."""
    return await ctx.subitems.find(flt, limit=limit, offset=offset)


@dataclass(frozen=True)
class ProjectView:
    """A project (项目) and its sub-items."""

    project_id: str
    rows: tuple[ReserveRow, ...]


async def get_project(
    ctx: Context, project_id: str, *, include_withdrawn: bool = False
) -> ProjectView:
    """One project with its sub-items in 序号 order."""
    rows, _ = await ctx.subitems.find(
        SubItemFilter(project_id=project_id, include_withdrawn=include_withdrawn),
        limit=10_000,
        offset=0,
    )
    if not rows:
        raise NotFound(f"无此项目：{project_id}", f"no project {project_id}")
    return ProjectView(project_id, tuple(rows))


async def pending_adjustments(
    ctx: Context, *, unit: str | None = None
) -> list[tuple[ReserveRow, Adjustment]]:
    """Adjustment requests awaiting a decision (for one lead unit, or all), by 序号."""
    items = await ctx.subitems.with_pending_adjustments()
    return [
        (item.row, adj)
        for item in items
        if unit is None or unit in item.row.lead_units
        for adj in item.adjustments
        if adj.status is AdjustmentStatus.PENDING
    ]


async def export_table(
    ctx: Context,
    fmt: Literal["csv", "xlsx"],
    *,
    header: HeaderStyle = "en",
    as_of: datetime | None = None,
    include_withdrawn: bool = False,
    bom: bool = False,
) -> bytes:
    """The reserve as the same table it was imported from (CSV or XLSX)."""
    rows = await reserve_rows(ctx, as_of=as_of, include_withdrawn=include_withdrawn)
    if fmt == "xlsx":  # building a workbook takes a while: not on the event loop
        return await asyncio.to_thread(export_xlsx, rows, header=header)
    return export_csv(rows, header=header, bom=bom)
