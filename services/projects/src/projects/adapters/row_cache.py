"""An in-process snapshot of every sub-item's current row, for roll-ups and listings.

Why: FerretDB 1.x (the local store) pushes no filter, sort or projection down to SQLite except
lookups by _id, so every query reads the whole collection (≈0.3 ms per document: 30 s for
100,000 sub-items). Roll-ups and listings therefore read this snapshot instead:
  - this process's own writes update it at once (write-through, by version);
  - a scheduled job of the runtime (bootstrap: Runtime.every) reloads it from the store every
    `rows_cache_seconds`, which picks up other replicas' writes;
  - only the first read waits for a load.
Entries carry the document version, so a reload that read a document before a newer local
write never puts the older row back. With `rows_cache_seconds = 0` every read goes to the
store (sensible on MongoDB, where the projection is indexed and fast).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from projects.domain.row import ReserveRow

Loader = Callable[[], Awaitable[dict[str, tuple[int, ReserveRow]]]]


class RowCache:
    """Current rows by sub-item id, each with the version it was read or written at."""

    def __init__(self, load: Loader) -> None:
        self._load = load
        self._rows: dict[str, tuple[int, ReserveRow]] | None = None
        # Writes seen before the first load finished (that load may have read older versions).
        self._early: dict[str, tuple[int, ReserveRow]] = {}
        self._lock = asyncio.Lock()
        self.loaded_at: float | None = None
        self.load_seconds: float | None = None

    async def rows(self) -> list[ReserveRow]:
        """Every current row; loads the snapshot if this is the first read."""
        if self._rows is None:
            await self.refresh(only_if_empty=True)
        assert self._rows is not None
        return [row for _, row in self._rows.values()]

    async def refresh(self, *, only_if_empty: bool = False) -> None:
        """Reload from the store, keeping any newer version written meanwhile."""
        async with self._lock:
            if only_if_empty and self._rows is not None:
                return  # another reader (or the refresher) loaded it while we waited
            started = time.monotonic()
            fresh = await self._load()
            current = self._rows if self._rows is not None else self._early
            for sid, (version, row) in current.items():
                if sid not in fresh or fresh[sid][0] < version:
                    fresh[sid] = (version, row)
            self._rows, self._early = fresh, {}
            self.loaded_at = time.monotonic()
            self.load_seconds = self.loaded_at - started

    def put(self, version: int, row: ReserveRow) -> None:
        """Record a write of this process."""
        rows = self._rows if self._rows is not None else self._early
        old = rows.get(row.subitem_id)
        if old is None or old[0] < version:
            rows[row.subitem_id] = (version, row)
