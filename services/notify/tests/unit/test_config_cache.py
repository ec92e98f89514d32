"""The configuration cache on its own: a fake shared version and a clock the test moves."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import pytest

from notify.adapters.config_cache import ConfigCache

pytestmark = pytest.mark.unit

TTL = 1.0
MAX_AGE = 60.0


@dataclass
class FakeVersion:
    v: int = 0
    reads: int = 0
    fail_bump: bool = False
    gate: asyncio.Event | None = None  # when set, read() waits for it

    async def read(self) -> int:
        self.reads += 1
        seen = self.v
        if self.gate is not None:
            await self.gate.wait()
        return seen

    async def bump(self) -> int:
        if self.fail_bump:
            raise ConnectionError("store down")
        self.v += 1
        return self.v


@dataclass
class ManualMonotonic:
    t: float = 100.0

    def __call__(self) -> float:
        return self.t


@dataclass
class Loader:
    """Returns (name, n) for the n-th load; `gate` makes a load wait."""

    name: str = "value"
    calls: int = 0
    gate: asyncio.Event | None = None
    started: asyncio.Event = field(default_factory=asyncio.Event)

    async def __call__(self) -> tuple[str, int]:
        self.calls += 1
        n = self.calls
        self.started.set()
        if self.gate is not None:
            await self.gate.wait()
        return (self.name, n)


def make(ttl: float = TTL) -> tuple[ConfigCache, FakeVersion, ManualMonotonic]:
    version, clock = FakeVersion(), ManualMonotonic()
    return ConfigCache(version, ttl, max_age_seconds=MAX_AGE, clock=clock), version, clock


async def test_a_hit_reads_neither_the_value_nor_the_version_again():
    cache, version, clock = make()
    load = Loader()
    assert await cache.get("k", load) == ("value", 1)
    clock.t += TTL / 2
    assert await cache.get("k", load) == ("value", 1)
    assert load.calls == 1
    assert version.reads == 1
    other = Loader()
    assert await cache.get("other", other) == ("value", 1)  # keys are kept apart
    assert (load.calls, other.calls) == (1, 1)


async def test_the_version_is_read_at_most_once_per_ttl_and_an_unchanged_one_keeps_values():
    cache, version, clock = make()
    load = Loader()
    await cache.get("k", load)
    for _ in range(5):
        clock.t += TTL
        assert await cache.get("k", load) == ("value", 1)
    assert version.reads == 6
    assert load.calls == 1


async def test_a_changed_version_drops_everything():
    cache, version, clock = make()
    a, b = Loader(), Loader()
    await cache.get("a", a)
    await cache.get("b", b)
    version.v += 1  # another replica wrote
    clock.t += TTL / 2
    assert await cache.get("a", a) == ("value", 1)  # not looked at yet
    clock.t += TTL / 2
    assert await cache.get("a", a) == ("value", 2)
    assert await cache.get("b", b) == ("value", 2)


async def test_values_older_than_the_max_age_are_loaded_again_whatever_the_version():
    cache, version, clock = make()
    load = Loader()
    await cache.get("k", load)
    clock.t += MAX_AGE - 1
    assert await cache.get("k", load) == ("value", 1)
    clock.t += 1
    assert await cache.get("k", load) == ("value", 2)
    assert version.v == 0


async def test_a_local_write_drops_the_cache_at_once_and_bumps_the_version():
    cache, version, clock = make()
    load = Loader()
    await cache.get("k", load)
    await cache.changed()
    assert version.v == 1
    assert await cache.get("k", load) == ("value", 2)  # no clock movement needed
    # The new version is known from the bump: the next look does not drop again.
    clock.t += TTL
    assert await cache.get("k", load) == ("value", 2)
    assert load.calls == 2


async def test_a_failed_bump_still_drops_locally_and_the_version_is_read_again():
    cache, version, _ = make()
    load = Loader()
    await cache.get("k", load)
    reads = version.reads
    version.fail_bump = True
    await cache.changed()  # the write itself succeeded: no error for the caller
    assert await cache.get("k", load) == ("value", 2)
    assert version.reads == reads + 1


async def test_a_load_begun_before_an_invalidation_is_not_kept():
    cache, _, _ = make()
    slow = Loader(gate=asyncio.Event())
    pending = asyncio.create_task(cache.get("k", slow))
    await slow.started.wait()
    await cache.changed()  # a write lands while the old configuration is being read
    assert slow.gate is not None
    slow.gate.set()
    assert await pending == ("value", 1)  # that caller began before the write
    slow.gate = None
    assert await cache.get("k", slow) == ("value", 2)  # the old value was not stored
    assert await cache.get("k", slow) == ("value", 2)


async def test_a_load_begun_before_a_version_change_is_seen_is_not_kept():
    cache, version, clock = make()
    first = Loader()
    await cache.get("k", first)
    slow = Loader("slow", gate=asyncio.Event())
    clock.t += MAX_AGE  # expired: the next get loads again
    pending = asyncio.create_task(cache.get("k", slow))
    await slow.started.wait()
    version.v += 1  # another replica wrote; this process notices during the slow load
    clock.t += TTL
    fast = Loader("fast")
    assert await cache.get("k", fast) == ("fast", 1)
    assert slow.gate is not None
    slow.gate.set()
    assert await pending == ("slow", 1)
    assert await cache.get("k", fast) == ("fast", 1)  # not replaced by the older slow load
    assert fast.calls == 1


async def test_a_version_read_begun_before_a_local_write_is_ignored():
    cache, version, clock = make()
    load = Loader()
    await cache.get("k", load)
    clock.t += TTL
    version.gate = asyncio.Event()
    pending = asyncio.create_task(cache.get("k", load))  # reads version 0, held back
    await asyncio.sleep(0)
    version.gate.set()
    version.gate = None
    await cache.changed()  # version 1, dropped locally
    assert await pending == ("value", 2)  # loaded after the drop: kept
    assert await cache.get("k", load) == ("value", 2)
    clock.t += TTL
    # The stale answer (0) did not replace the known version (1): nothing dropped again.
    assert await cache.get("k", load) == ("value", 2)
    assert version.reads == 3


async def test_zero_seconds_means_no_cache():
    cache, version, _ = make(ttl=0)
    load = Loader()
    assert [await cache.get("k", load) for _ in range(3)] == [("value", n) for n in (1, 2, 3)]
    assert version.reads == 0
    await cache.changed()
    assert version.v == 1  # writes still tell the replicas that do cache


def test_negative_seconds_are_refused():
    with pytest.raises(ValueError):
        ConfigCache(FakeVersion(), -1)


async def test_callers_that_miss_together_share_one_load():
    cache, _, _ = make()
    load = Loader(gate=asyncio.Event())
    waiting = [asyncio.create_task(cache.get("k", load)) for _ in range(3)]
    await load.started.wait()
    waiting[0].cancel()  # a caller that gives up does not cancel the load for the others
    load.gate.set()
    assert await asyncio.gather(*waiting[1:]) == [("value", 1), ("value", 1)]
    assert load.calls == 1
    assert await cache.get("k", load) == ("value", 1)  # and it was kept


async def test_a_failed_load_reaches_every_waiting_caller_and_is_not_kept():
    cache, _, _ = make()

    async def broken() -> str:
        await asyncio.sleep(0)
        raise ConnectionError("store down")

    results = await asyncio.gather(
        cache.get("k", broken), cache.get("k", broken), return_exceptions=True
    )
    assert all(isinstance(r, ConnectionError) for r in results)
    assert await cache.get("k", Loader()) == ("value", 1)
