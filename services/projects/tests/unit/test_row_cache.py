"""The roll-up snapshot: first read loads, local writes win over older loaded versions."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable

import pytest

from projects.adapters.row_cache import RowCache
from projects.domain.row import ReserveRow

pytestmark = pytest.mark.unit
MakeRow = Callable[..., ReserveRow]


async def test_first_read_loads_once_and_later_writes_show(make_row: MakeRow) -> None:
    row = make_row()
    loads = 0

    async def load() -> dict[str, tuple[int, ReserveRow]]:
        nonlocal loads
        loads += 1
        await asyncio.sleep(0.01)
        return {row.subitem_id: (1, row)}

    cache = RowCache(load)
    a, b = await asyncio.gather(cache.rows(), cache.rows())
    assert a == b == [row] and loads == 1
    moved = dataclasses.replace(row, no=9)
    cache.put(2, moved)
    assert await cache.rows() == [moved]
    cache.put(1, row)  # an older version never replaces a newer one
    assert await cache.rows() == [moved]


async def test_reload_keeps_newer_local_writes(make_row: MakeRow) -> None:
    row = make_row()
    newer = dataclasses.replace(row, no=5)
    gate = asyncio.Event()

    async def load() -> dict[str, tuple[int, ReserveRow]]:
        await gate.wait()  # the store was read before the local write landed
        return {row.subitem_id: (1, row)}

    cache = RowCache(load)
    loading = asyncio.create_task(cache.refresh())
    await asyncio.sleep(0)
    cache.put(2, newer)  # written while the first load is in flight
    gate.set()
    await loading
    assert await cache.rows() == [newer]
    await cache.refresh()
    assert await cache.rows() == [newer]
