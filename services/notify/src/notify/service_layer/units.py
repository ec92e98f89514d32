"""Use case: complaints' unit registry changed (UnitRegistered / UnitChanged / UnitRetired) —
keep notify's copy, from which a unit's handlers and head are read when notices are planned."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from notify.domain.model import RegistryUnit
from notify.service_layer.context import NotifyContext
from notify.service_layer.ports import IncomingEvent

C = "qingshan.complaints.v1."
UNIT_EVENT_TYPES = frozenset(C + n for n in ("UnitRegistered", "UnitChanged", "UnitRetired"))


def unit_of(data: Mapping[str, Any]) -> RegistryUnit:
    """The unit an event carries (its whole state after the change)."""
    u = data["unit"]
    return RegistryUnit(
        id=str(u["id"]),
        name=str(u.get("name", "")),
        kind=str(u.get("kind", "")),
        head=str(u.get("head", "")),
        contacts=tuple(str(c) for c in u.get("contacts", ()) if c),
        active=bool(u.get("active", True)),
        version=int(u.get("version", 0)),
    )


async def apply_unit_event(ctx: NotifyContext, event: IncomingEvent) -> bool:
    """Store the unit's new state unless a newer one is stored; True when it changed."""
    unit = unit_of(event.data)
    if not unit.id:
        return False
    return await ctx.directory.apply_unit(unit)
