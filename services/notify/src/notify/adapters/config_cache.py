"""A small cache of the configuration read for every consumed event (the rules and templates of
one event type, the directory), so that planning does not re-read whole collections each time.

Every configuration write bumps one version document (`config_version`, `_id: "notify"`) after
it succeeded and drops this process's cache at once, so a replica never sees stale configuration
after its own write. Other replicas read the version (one find by `_id`, answered from the
index) at most once per `ttl_seconds` and drop everything when it changed. Whatever the version
says, nothing is kept longer than `max_age_seconds`, so a write whose bump was lost (a crash in
between) cannot leave a replica stale for long. `ttl_seconds=0` turns caching off.

Values are cached as they were loaded: callers must store immutable values (tuples, frozen
dataclasses, read-only mappings) and hand out copies of anything a caller may change.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar, cast

from pymongo.asynchronous.database import AsyncDatabase

from qingshan_core.batching import SequenceBatcher
from qingshan_core.logging import get_logger
from qingshan_core.mongo import Document

T = TypeVar("T")

CONFIG_VERSION = "config_version"
VERSION_ID = "notify"
MAX_AGE_SECONDS = 60.0

log = get_logger(__name__)


class VersionSource(Protocol):
    """Where the configuration's version lives (shared by every replica)."""

    async def read(self) -> int: ...
    async def bump(self) -> int:
        """Add one and return the new version."""
        ...


class MongoConfigVersion:
    """The version document `{_id: "notify", v: <int>}` of collection `config_version`."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.coll = db[CONFIG_VERSION]
        self._counter = SequenceBatcher(self.coll, "v")

    async def read(self) -> int:
        d = await self.coll.find_one({"_id": VERSION_ID})
        return int(d.get("v", 0)) if d else 0

    async def bump(self) -> int:
        return await self._counter.next(VERSION_ID)


_Flight = tuple[int, "asyncio.Future[Any]"]  # (generation it started under, the load)


@dataclass(frozen=True, slots=True)
class _Entry:
    value: object
    loaded_at: float


class ConfigCache:
    """Values by key, kept until the shared version changes, a local write, or `max_age`."""

    def __init__(
        self,
        version: VersionSource,
        ttl_seconds: float,
        *,
        max_age_seconds: float = MAX_AGE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if ttl_seconds < 0 or max_age_seconds <= 0:
            raise ValueError("ttl_seconds must be >= 0 and max_age_seconds > 0")
        self._version = version
        self._ttl = ttl_seconds
        self._max_age = max_age_seconds
        self._clock = clock
        self._entries: dict[Hashable, _Entry] = {}
        self._loading: dict[Hashable, _Flight] = {}
        # Bumped whenever everything is dropped: a load begun under an older generation may
        # have read the store before the change and is then not kept.
        self._generation = 0
        self._known: int | None = None  # the shared version the entries belong to
        self._checked_at: float | None = None

    @property
    def enabled(self) -> bool:
        return self._ttl > 0

    async def get(self, key: Hashable, load: Callable[[], Awaitable[T]]) -> T:
        """The cached value of `key`, or what `load()` returns (kept unless the configuration
        changed while it ran). `load` must return a value nobody mutates."""
        if not self.enabled:
            return await load()
        await self._check_version()
        now = self._clock()
        entry = self._entries.get(key)
        if entry is not None and now - entry.loaded_at < self._max_age:
            return cast(T, entry.value)
        # One load per key at a time: events handled side by side (one per partition) that
        # miss together share it instead of each reading the store.
        flight = self._loading.get(key)
        if flight is None or flight[0] != self._generation:
            flight = (self._generation, asyncio.ensure_future(load()))
            self._loading[key] = flight
            flight[1].add_done_callback(functools.partial(self._landed, key, flight, now))
        # Shielded: a caller that is cancelled does not cancel the load the others wait for.
        return cast(T, await asyncio.shield(flight[1]))

    def _landed(self, key: Hashable, flight: _Flight, started: float, _: object) -> None:
        generation, task = flight
        if self._loading.get(key) is flight:
            del self._loading[key]
        if task.cancelled() or task.exception() is not None:
            return  # the callers get the error; nothing is kept
        if generation == self._generation:  # not dropped while it loaded
            self._entries[key] = _Entry(task.result(), started)

    async def changed(self) -> None:
        """Call after a configuration write succeeded: bump the shared version (other replicas
        drop their caches when they next look) and drop this process's cache at once."""
        version: int | None = None
        try:
            version = await self._version.bump()
        except Exception as exc:  # the write is done; other replicas catch up within max age
            log.warning("notify.config_version_bump_failed", error=repr(exc))
        finally:
            self.invalidate(version)

    def invalidate(self, version: int | None = None) -> None:
        """Drop everything; `version` is the shared version after a local write (None when
        unknown: it is then read again before the next value is served)."""
        self._drop()
        if version is None:
            self._checked_at = None
        else:
            self._known = version if self._known is None else max(self._known, version)
            self._checked_at = self._clock()

    def _drop(self) -> None:
        self._generation += 1
        self._entries.clear()

    async def _check_version(self) -> None:
        now = self._clock()
        if self._checked_at is not None and now - self._checked_at < self._ttl:
            return
        # Marked before the read: concurrent callers use what is cached meanwhile.
        self._checked_at = now
        generation = self._generation
        try:
            version = await self._version.read()
        except BaseException:
            self._checked_at = None
            raise
        if generation != self._generation:
            return  # dropped meanwhile (a local write): this answer may be older than that
        if version != self._known:
            self._drop()
            self._known = version
