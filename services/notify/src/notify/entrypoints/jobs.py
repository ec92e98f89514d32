"""Scheduled work: the dispatcher (woken at once when something was planned, else polling
until the next due time), and the periodic digests, escalations, dead-letter retries and
clean-up (run by the shared runtime's `every`). Every job only reads and writes documents, so
any replica can run it and a restart loses nothing. What is due comes from the deliveries' work
index; the clean-up (at start, then hourly) also repairs that index with a full scan, and a
periodic round repairs it as soon as one of its writes failed."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta

from notify.adapters.stores import MongoEvents, MongoResilience
from notify.adapters.work_index import WorkIndex
from notify.domain.delivery import Delivery
from notify.domain.model import Channel
from notify.service_layer.context import NotifyContext
from notify.service_layer.digests import run_digests
from notify.service_layer.dispatch import dispatch_due, dispatch_one, redeliver_dead_letters
from notify.service_layer.escalations import run_escalations
from qingshan_core.logging import get_logger

log = get_logger(__name__)


class Jobs:
    def __init__(
        self,
        ctx: NotifyContext,
        *,
        dispatch_poll: float,
        events: MongoEvents,
        resilience: MongoResilience,
        event_retention: timedelta,
        work: WorkIndex,
    ) -> None:
        self.ctx = ctx
        self.work = work
        self.dispatch_poll = dispatch_poll
        self.events = events
        self.resilience = resilience
        self.event_retention = event_retention
        self._wake = asyncio.Event()
        self._fast: set[asyncio.Task[None]] = set()
        self._gate = asyncio.Semaphore(ctx.policies.concurrency)

    def wake(self, ready: Sequence[Delivery] = ()) -> None:
        """Send `ready` deliveries now (most urgent first), without waiting for the next poll;
        with none, run the dispatcher's query at once. Only an accelerator: the stored
        documents are the truth, and whatever this misses the poll finds."""
        if not ready:
            self._wake.set()
            return
        task = asyncio.create_task(self._send_ready(list(ready)), name="notify:fast-path")
        self._fast.add(task)
        task.add_done_callback(self._fast.discard)

    async def _send_ready(self, ready: list[Delivery]) -> None:
        async def one(d: Delivery) -> None:
            async with self._gate:
                await self._guard("fast-path", lambda: dispatch_one(self.ctx, d))

        ready.sort(key=lambda d: (-d.priority.rank, d.channel is Channel.INBOX))
        await asyncio.gather(*(one(d) for d in ready))

    async def stop(self) -> None:
        """Cancel the fast-path sends still running (the dispatch loop is the runtime's task)."""
        for t in self._fast:
            t.cancel()
        await asyncio.gather(*self._fast, return_exceptions=True)

    async def run_periodic_once(self) -> dict[str, int]:
        """One round of digests, escalations and dead-letter retries (tests call it too);
        first a repair of the work index if one of its writes failed."""
        if self.work.repair_wanted:
            await self._guard("work-repair", self.repair_work)
        return {
            "digests": await run_digests(self.ctx),
            "escalations": await run_escalations(self.ctx),
            "dead_letters": await redeliver_dead_letters(self.ctx),
        }

    async def dispatch_loop(self) -> None:
        """Send what is due, woken early by `wake`, else every `dispatch_poll` seconds."""
        while True:
            self._wake.clear()
            await self._guard("dispatch", self._dispatch_all)
            pause = await self._pause()
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=pause)
            except TimeoutError:
                pass

    async def _pause(self) -> float:
        """Sleep until the next retry or release is due (at most one poll interval)."""
        try:
            nxt = await self.ctx.deliveries.next_due()
        except Exception:
            return self.dispatch_poll
        if nxt is None:
            return self.dispatch_poll
        wait = (nxt - self.ctx.clock.now()).total_seconds()
        return min(self.dispatch_poll, max(0.05, wait))

    async def _dispatch_all(self) -> None:
        # Keep going while full batches come back (a backlog after an outage).
        while await dispatch_due(self.ctx) >= self.ctx.policies.batch:
            pass

    async def cleanup(self) -> None:
        """Restore work-index entries a crash or a failed write lost (a full scan of the
        deliveries: this job runs at start, then hourly), then forget events and rate windows
        nobody needs any more (no TTL indexes in FerretDB)."""
        await self._guard("work-repair", self.repair_work)
        await self.events.cleanup(self.event_retention)
        await self.resilience.cleanup(timedelta(days=1))

    async def repair_work(self) -> int:
        """Rebuild missing work-index entries; wake the dispatcher when some were restored."""
        restored = await self.work.repair()
        if restored:
            self.wake()
        return restored

    async def _guard(self, name: str, job: Callable[[], Awaitable[object]]) -> None:
        try:
            await job()
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # store or broker down: the documents wait, try again
            log.warning("notify.job_failed", job=name, error=repr(exc))
