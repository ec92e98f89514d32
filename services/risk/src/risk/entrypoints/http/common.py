"""What every router shares: the use-case dependencies, role sets, the documented errors."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Query, Request
from pydantic import Field

from qingshan_core.auth import Principal, Role, require_roles
from qingshan_core.logging import get_logger
from qingshan_core.problems import AUTH as AUTH
from qingshan_core.problems import MALFORMED as MALFORMED
from qingshan_core.problems import Problem
from qingshan_core.ratelimit import per_client
from risk.service_layer.context import Deps

log = get_logger(__name__)

# The bureau's own staff and its integrations. Handling units (unit_handler: the towns and
# streets that handle complaints) have no risk access: nothing in the registry is held by a
# unit, so there is nothing a unit could be bound to (README, "Who may read what").
READ_ROLES = (Role.OPERATOR, Role.SUPERVISOR, Role.ADMIN, Role.INTEGRATION)
# The map: staff see it all; the public the public layer, where the bureau has enabled it.
MAP_ROLES = (*READ_ROLES, Role.PUBLIC)
MANAGE_ROLES = (Role.SUPERVISOR, Role.ADMIN)
FILE_ROLES = (Role.OPERATOR, Role.INTEGRATION, Role.SUPERVISOR, Role.ADMIN)

Reader = Annotated[Principal, Depends(require_roles(*READ_ROLES))]
MapViewer = Annotated[Principal, Depends(per_client(require_roles(*MAP_ROLES)))]
Manager = Annotated[Principal, Depends(require_roles(*MANAGE_ROLES))]
Filer = Annotated[Principal, Depends(require_roles(*FILE_ROLES))]
Admin = Annotated[Principal, Depends(require_roles(Role.ADMIN))]

Limit = Annotated[int, Field(ge=1, le=500)]
# Bounded: the store refuses a skip beyond 64 bits (that was a 500).
Offset = Annotated[int, Query(ge=0, le=1_000_000)]
DECIMAL = r"^[0-9]+(\.[0-9]+)?$"


def _deps(request: Request) -> Deps:
    deps: Deps = request.app.state.risk
    return deps


Services = Annotated[Deps, Depends(_deps)]


def who(principal: Principal) -> str:
    """How a person appears in history entries."""
    return f"{principal.role.value}:{principal.subject}"


# Every error is a qingshan_core.errors subclass, rendered as problem details by
# qingshan_core.problems (installed by the app factory); the routers document that one body.
ErrorBody = Problem
# What most routes document besides AUTH: not found, conflict, refused input.
ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody},
    409: {"model": ErrorBody},
    422: {"model": ErrorBody},
}
