"""Who may do what, and how a route reaches the use cases' context."""

from __future__ import annotations

from fastapi import Request

from projects.service_layer.context import Context
from qingshan_core.auth import Principal, Role

# Planners keep the reserve; every signed-in role but the public may read it (the core's Staff).
PLANNERS = (Role.SUPERVISOR, Role.ADMIN)
# Lead units report progress and may ask for adjustments of the sub-items they lead.
REPORTERS = (Role.UNIT_HANDLER, Role.SUPERVISOR, Role.ADMIN)


def context(request: Request) -> Context:
    """The use cases' context, built in the lifespan (bootstrap.wire)."""
    ctx: Context = request.app.state.projects
    return ctx


def acting_unit(principal: Principal) -> str | None:
    """The unit a unit handler is bound to; None for planners (who act on every sub-item)."""
    return principal.unit if principal.role is Role.UNIT_HANDLER else None


def actor(principal: Principal) -> str:
    """The name history records for the caller."""
    return principal.subject
