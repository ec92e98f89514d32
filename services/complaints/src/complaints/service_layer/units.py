"""Use cases of the unit registry: register, change (rename, head, handlers), retire; and the
checks the rest of the service makes against it (assignments, unit handlers' tokens)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from complaints.domain.errors import RuleViolation
from complaints.domain.units import HandlingUnit, UnitKind, UnitNotFound, check_assignable
from complaints.service_layer.context import Context
from qingshan_core.logging import get_logger
from qingshan_core.outbox import ConcurrencyConflict

log = get_logger(__name__)
ATTEMPTS = 3


@dataclass(frozen=True)
class UnitChange:
    """PATCH /v1/units/{id}: what to change; None leaves a value as it is."""

    name: str | None = None
    head: str | None = None
    clear_head: bool = False
    contacts: tuple[str, ...] | None = None


async def register_unit(
    ctx: Context,
    unit_id: str,
    name: str,
    kind: UnitKind,
    *,
    head: str | None,
    contacts: tuple[str, ...],
    by: str,
    trace_id: str | None = None,
) -> HandlingUnit:
    """Add a unit (UnitExists when the id is taken); publishes UnitRegistered."""
    unit = HandlingUnit.register(
        unit_id, name, kind, head=head, contacts=contacts, by=by, at=ctx.clock()
    )
    await ctx.units.add(unit, trace_id)
    log.info("unit.registered", unit_id=unit.id, kind=unit.kind.value, by=by)
    return unit


async def get_unit(ctx: Context, unit_id: str) -> HandlingUnit:
    unit = await ctx.units.find(unit_id)
    if unit is None:
        raise UnitNotFound(unit_id)
    return unit


async def _update(
    ctx: Context,
    unit_id: str,
    apply: Callable[[HandlingUnit], HandlingUnit],
    trace_id: str | None,
) -> HandlingUnit:
    for attempt in range(ATTEMPTS):
        got = await ctx.units.get(unit_id)
        if got is None:
            raise UnitNotFound(unit_id)
        unit, version = got
        changed = apply(unit)
        try:
            await ctx.units.save(changed, version, trace_id)
        except ConcurrencyConflict:
            if attempt == ATTEMPTS - 1:
                raise
            continue
        return changed
    raise AssertionError("unreachable")


async def change_unit(
    ctx: Context, unit_id: str, change: UnitChange, *, by: str, trace_id: str | None = None
) -> HandlingUnit:
    """Rename, or set the head or handlers; publishes UnitChanged when anything changed."""
    return await _update(
        ctx,
        unit_id,
        lambda u: u.change(
            name=change.name,
            head=change.head,
            clear_head=change.clear_head,
            contacts=change.contacts,
            by=by,
            at=ctx.clock(),
        ),
        trace_id,
    )


async def retire_unit(
    ctx: Context, unit_id: str, *, by: str, trace_id: str | None = None
) -> HandlingUnit:
    """The unit takes no new cases; publishes UnitRetired."""
    return await _update(ctx, unit_id, lambda u: u.retire(by=by, at=ctx.clock()), trace_id)


async def assignable_unit(ctx: Context, unit_id: str | None) -> HandlingUnit:
    """The registry unit a case may go to now (422 naming the unit otherwise). Every path that
    hands a case to a unit — 交办, bulk assignment, re-dispatch on rework — asks this first."""
    if unit_id is None or not unit_id.strip():
        raise RuleViolation("unit_id_required", "unit_id is required")
    return check_assignable(unit_id, await ctx.units.find(unit_id.strip()))


async def handler_unit_known(ctx: Context, unit_id: str | None) -> bool:
    """Whether a unit handler's token names an active unit of the registry."""
    if not unit_id:
        return False
    unit = await ctx.units.find(unit_id)
    return unit is not None and unit.active
