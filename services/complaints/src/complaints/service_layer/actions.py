"""Lifecycle commands on one case, with optimistic concurrency (reload and retry on conflict)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from complaints.domain.complaint import Complaint
from complaints.domain.errors import RuleViolation
from complaints.domain.model import Action, Actor, Satisfaction
from complaints.service_layer.cases import load
from complaints.service_layer.context import Context
from complaints.service_layer.ops_alerts import note_stale_calendar
from complaints.service_layer.ports import Loaded
from complaints.service_layer.units import assignable_unit
from qingshan_core.outbox import ConcurrencyConflict

ATTEMPTS = 3


@dataclass(frozen=True)
class ActionRequest:
    """The body of POST /v1/complaints/{id}/{action}; each action reads what it needs."""

    unit_id: str | None = None
    reason: str | None = None
    amount: int | None = None
    text: str | None = None
    substantiated: bool | None = None
    note: str | None = None
    satisfaction: Satisfaction | None = None
    into_id: str | None = None
    deadline: datetime | None = None


def _need(value: Any, code: str) -> Any:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise RuleViolation(code, f"{code.removesuffix('_required')} is required")
    return value


async def perform(
    ctx: Context,
    complaint_id: str,
    action: Action,
    actor: Actor,
    req: ActionRequest,
    trace_id: str | None = None,
) -> Loaded:
    """Apply one lifecycle action; domain errors pass up (403/409/422 at the edge)."""
    for attempt in range(ATTEMPTS):
        loaded = await load(ctx, complaint_id)
        now = ctx.clock()
        if action is Action.MERGE:
            first = await load(ctx, _need(req.into_id, "into_id_required"))
            loaded.complaint.merge_into(
                actor, first.complaint, now, req.reason or "", ctx.intake.address_prefixes
            )
        else:
            _apply(ctx, loaded.complaint, action, actor, req, now)(loaded.complaint)
            if action is Action.ASSIGN or (action is Action.REOPEN and req.unit_id):
                # After the role and state checks, before anything is written: 422 naming
                # the unit when the registry does not hold it (or holds it retired).
                await assignable_unit(ctx, loaded.complaint.unit_id)
        try:
            await ctx.repo.save(loaded, trace_id=trace_id)
        except ConcurrencyConflict:
            if attempt == ATTEMPTS - 1:
                raise
            continue
        await note_stale_calendar(ctx, now)
        return loaded
    raise AssertionError("unreachable")


def _apply(
    ctx: Context, c: Complaint, action: Action, actor: Actor, req: ActionRequest, now: Any
) -> Callable[[Complaint], None]:
    cal = ctx.calendar
    table: dict[Action, Callable[[Complaint], None]] = {
        Action.ASSIGN: lambda c: c.assign(actor, _need(req.unit_id, "unit_id_required"), now, cal),
        Action.ACCEPT: lambda c: c.accept(actor, now),
        Action.RETURN: lambda c: c.return_case(actor, req.reason or "", now),
        Action.REQUEST_EXTENSION: lambda c: c.request_extension(
            actor, int(_need(req.amount, "amount_required")), req.reason or "", now
        ),
        Action.APPROVE_EXTENSION: lambda c: c.approve_extension(actor, now, cal),
        Action.REJECT_EXTENSION: lambda c: c.reject_extension(actor, req.reason or "", now),
        Action.REPLY: lambda c: c.reply(actor, req.text or "", now),
        Action.BUREAU_SUPERVISE: lambda c: c.supervise(actor, req.reason or "", now, req.deadline),
        Action.CLOSE: lambda c: c.close(
            actor, now, substantiated=req.substantiated, note=req.note or ""
        ),
        Action.FOLLOW_UP: lambda c: c.follow_up(
            actor, _need(req.satisfaction, "satisfaction_required"), now
        ),
        Action.REOPEN: lambda c: c.reopen(actor, req.reason or "", now, cal, req.unit_id),
    }
    if action not in table:
        raise RuleViolation("unknown_action", f"unknown action {action.value}")
    return table[action]
