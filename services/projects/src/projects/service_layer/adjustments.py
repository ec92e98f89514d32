"""Dynamic adjustment (动态调整) use cases: request, approve, reject."""

from __future__ import annotations

from datetime import datetime

from projects.domain.adjustments import Adjustment, AdjustmentKind, Changes
from projects.domain.subitem import SubItem
from projects.service_layer.context import Context
from projects.service_layer.lifecycle import may_report
from projects.service_layer.mutate import Changed, mutate


async def request_adjustment(
    ctx: Context,
    subitem_id: str,
    kind: AdjustmentKind,
    after: Changes,
    *,
    reason: str,
    by: str,
    unit: str | None = None,
) -> tuple[SubItem, Adjustment]:
    """File a change of site, scale, technical plan, investment or years for approval."""

    def change(item: SubItem, at: datetime) -> Adjustment:
        may_report(item, unit, ("申请调整", "request adjustments"))
        return item.request_adjustment(kind, after, reason=reason, by=by, at=at)

    done = await mutate(ctx, subitem_id, change)
    return done.item, done.result


async def approve_adjustment(
    ctx: Context, subitem_id: str, adjustment_id: str, *, note: str, by: str
) -> SubItem:
    """Approve a pending request and apply it (the requester may not approve their own)."""
    done: Changed[None] = await mutate(
        ctx,
        subitem_id,
        lambda item, at: item.approve_adjustment(adjustment_id, by=by, at=at, note=note),
    )
    return done.item


async def reject_adjustment(
    ctx: Context, subitem_id: str, adjustment_id: str, *, reason: str, by: str
) -> SubItem:
    """Reject a pending request; only the history changes."""
    done: Changed[None] = await mutate(
        ctx,
        subitem_id,
        lambda item, at: item.reject_adjustment(adjustment_id, reason=reason, by=by, at=at),
    )
    return done.item
