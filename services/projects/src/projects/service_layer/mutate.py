"""Load a sub-item, apply a change, save it with its events; reload and retry on a lost race."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from projects.domain.errors import ConflictError
from projects.domain.stages import Stage, next_stage
from projects.domain.subitem import SubItem
from projects.service_layer.context import Context
from projects.service_layer.ports import Busy, NotFound, StaleAggregate
from qingshan_core.errors import InvalidTransition

T = TypeVar("T")


class StateConflict(InvalidTransition):
    """A domain conflict (409) together with the sub-item's current state (`current`)."""

    def __init__(self, error: ConflictError, item: SubItem) -> None:
        nxt = next_stage(item.stage)
        super().__init__(
            error.zh,
            error.en,
            code=error.code if error.code != ConflictError.code else None,
            current={
                "state": item.stage.value,
                "label": item.stage.zh,
                "next_stage": nxt.value if nxt else None,
                "in_reserve": item.row.in_reserve,
                "subitem_id": item.id,
            },
        )
        self.error = error
        self.subitem_id = item.id
        self.stage: Stage = item.stage
        self.in_reserve = item.row.in_reserve


@dataclass(frozen=True)
class Changed(Generic[T]):
    """The aggregate after the change, the change's own result, and whether anything was saved."""

    item: SubItem
    result: T
    saved: bool


def not_found(subitem_id: str) -> NotFound:
    """The error for an unknown sub-item id."""
    return NotFound(f"无此子项：{subitem_id}", f"no sub-item {subitem_id}")


def moment(ctx: Context, item: SubItem) -> datetime:
    """Now, but never before the item's last record (replica clocks may differ slightly)."""
    now = ctx.clock()
    if item.history and item.history[-1].at > now:
        return item.history[-1].at
    return now


async def mutate(
    ctx: Context,
    subitem_id: str,
    change: Callable[[SubItem, datetime], T],
    *,
    import_id: str = "",
) -> Changed[T]:
    """Apply `change(item, at)` and save; domain errors pass up (conflicts with the state)."""
    for _ in range(ctx.retries):
        loaded = await ctx.subitems.get(subitem_id)
        if loaded is None:
            raise not_found(subitem_id)
        item = loaded.aggregate
        before = len(item.history)
        try:
            result = change(item, moment(ctx, item))
        except ConflictError as err:
            raise StateConflict(err, item) from err
        if not item.events and len(item.history) == before:
            return Changed(item, result, saved=False)
        try:
            await ctx.subitems.save(item, loaded.version, import_id=import_id)
        except StaleAggregate:
            continue
        item.events.clear()
        return Changed(item, result, saved=True)
    raise Busy(subitem_id)
