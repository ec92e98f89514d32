"""Reading one case: for a command (with its version), or as the caller may see it."""

from __future__ import annotations

from complaints.domain.errors import NotFound
from complaints.domain.model import Actor, Role
from complaints.service_layer.context import Context
from complaints.service_layer.ports import Case, Loaded


async def load(ctx: Context, complaint_id: str) -> Loaded:
    """The case and its version, for a command (NotFound when there is none)."""
    loaded = await ctx.repo.get(complaint_id)
    if loaded is None:
        raise NotFound(complaint_id)
    return loaded


def may_see(case: Case, actor: Actor) -> bool:
    """A unit handler sees only the cases its unit holds (or held); other staff see all."""
    c = case.complaint
    if actor.role is not Role.UNIT_HANDLER or c.unit_id == actor.unit_id:
        return True
    return actor.unit_id in {h.details.get("unit_id") for h in c.history}


async def visible_case(ctx: Context, complaint_id: str, actor: Actor) -> Case:
    """The case as stored, to a caller who may see it (NotFound otherwise, as for no case)."""
    case = await ctx.repo.case(complaint_id)
    if case is None or not may_see(case, actor):
        raise NotFound(complaint_id)
    return case


async def stored_case(ctx: Context, complaint_id: str) -> Case:
    """The case as stored now (after a command wrote it)."""
    case = await ctx.repo.case(complaint_id)
    if case is None:
        raise NotFound(complaint_id)
    return case
