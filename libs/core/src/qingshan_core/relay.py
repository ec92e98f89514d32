"""The outbox relay: publishes pending `_outbox` entries (see qingshan_core.outbox) as the
holder of a lease, so replicas never publish the same entry concurrently.

It publishes with the idempotent producer, waits for the acks, then removes exactly the
acknowledged entries with `$pullAll` (a single-document write that cannot clobber newer state
or newer events).

Finding pending work must not scan the aggregates: FerretDB 1.x can only look documents up by
_id, anything else decodes the whole collection. So each write that adds events also bumps a
small marker document (`outbox_pending`, one per aggregate with pending events); the relay
reads the markers, fetches those aggregates by _id, and deletes a marker only if its counter is
unchanged (nothing new arrived meanwhile). The marker is a second write: should a process die
between the two, the periodic rescan (a full scan, every few minutes and at start) restores it.

A relay that dies (or loses the store) between the broker's ack and the `$pullAll` leaves
entries behind that are already in the topic. So whenever relaying starts afresh -- a new
process, a lease taken over, a round that failed -- the relay first looks back over the topics
(from when the pending entries were stored) for their event ids, removes the ones it finds
without sending them again, and only then publishes the rest: one record per outbox entry.
Consumers still drop repeats by event id, should anything get past that.

An entry the broker refuses for what it is (too large, malformed) is tried `poison_attempts`
times, then quarantined (qingshan_core.quarantine) so its aggregate's later events go on.
"""

from __future__ import annotations

import asyncio
import os
import socket
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from aiokafka import AIOKafkaProducer
from prometheus_client import Counter, Gauge
from pymongo import DeleteOne, UpdateOne
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError, PyMongoError

from qingshan_core.batching import write_in_chunks
from qingshan_core.events import Envelope
from qingshan_core.kafka import LazyProducer
from qingshan_core.logging import get_logger
from qingshan_core.mongo import Document, IndexSpec, find_by_ids
from qingshan_core.outbox import MARKERS, OUTBOX, PENDING, mark_pending
from qingshan_core.quarantine import RECORD_ERRORS, OnQuarantine, Quarantine

# Clocks of the writer and the relay's broker client may differ: look back this much further.
CLOCK_SKEW = timedelta(seconds=60)

PUBLISHED = Counter("qingshan_outbox_published_total", "Outbox entries published", ["topic"])
STALLS = Counter("qingshan_outbox_relay_stalls_total", "Waits for an unreachable broker")
RELAY_ERRORS = Counter("qingshan_outbox_relay_errors_total", "Relay rounds that failed")
SKIPPED = Counter(
    "qingshan_outbox_already_published_total", "Pending entries found in the topic already"
)
PENDING_GAUGE = Gauge("qingshan_outbox_pending", "Entries found pending in the last relay round")

log = get_logger(__name__)
# A marker, its aggregate, and the broker futures of its entries as sent.
_Sent = tuple[Document, Document, list[asyncio.Future[Any]]]


class RelayStopped(Exception):
    """The relay was asked to stop while records were still unacknowledged."""


class LeaseLost(Exception):
    """Another relay holds the lease now (ours ran out during a long round)."""


class OutboxRelay:
    """Publishes pending outbox entries of the given collections, as the lease holder only."""

    def __init__(
        self,
        db: AsyncDatabase[Document],
        collections: Sequence[str],
        producer_factory: Callable[[], AIOKafkaProducer],
        *,
        name: str = "outbox-relay",
        poll_seconds: float = 0.5,
        batch: int = 200,
        lease_seconds: float = 15.0,
        stall_seconds: float = 5.0,
        rescan_seconds: float = 300.0,
        published: Callable[[set[str], set[str], datetime], Awaitable[set[str]]] | None = None,
        poison_attempts: int = 3,
        on_quarantine: OnQuarantine | None = None,
    ) -> None:
        self.db = db
        self.collections = list(collections)
        self._producer = LazyProducer(producer_factory)
        self.name = name
        self.owner = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.poll_seconds = poll_seconds
        self.batch = batch
        self.lease = timedelta(seconds=lease_seconds)
        self.stall_seconds = stall_seconds
        self.rescan_seconds = rescan_seconds
        self._next_rescan = 0.0
        self._rescan_wanted = False
        self._renewed = 0.0  # monotonic time the lease was last taken or renewed
        # (topics, ids, since) -> the ids already in those topics; None: never look back.
        self._published = published
        self._fresh = True  # relaying starts afresh: look back before sending anything
        self.quarantine = Quarantine(db, poison_attempts, on_quarantine, wake=self.wake)
        self._holding = False
        self._wake = asyncio.Event()
        self._stopping = False
        self.healthy = True

    @staticmethod
    def indexes() -> list[IndexSpec]:
        return [IndexSpec("leases", [("until", 1)]), IndexSpec(MARKERS, [("c", 1)])]

    def wake(self) -> None:
        """Ask for a relay round now (called after a commit that added events)."""
        self._wake.set()

    def request_rescan(self) -> None:
        """A writer stored events but could not set their marker (store trouble): rescan in
        the next round that reaches the store, not minutes later."""
        self._rescan_wanted = True
        self._wake.set()

    async def acquire_lease(self) -> bool:
        """Take or renew the relay lease; False while another live relay holds it."""
        now = datetime.now(UTC)
        try:
            await self.db.leases.update_one(
                {"_id": self.name, "$or": [{"owner": self.owner}, {"until": {"$lt": now}}]},
                {"$set": {"owner": self.owner, "until": now + self.lease}},
                upsert=True,
            )
        except DuplicateKeyError:
            self._holding = False
            return False  # the filter missed because someone else holds a live lease
        if not self._holding:
            self._fresh = True  # taken over: the last holder may have left sent entries
        self._holding = True
        self._renewed = time.monotonic()
        return True

    async def _keep_lease(self) -> None:
        """Renew the lease once a third of it has passed; a backlog on a slow store can take
        longer than the lease, and two relays must never publish side by side."""
        if time.monotonic() - self._renewed < self.lease.total_seconds() / 3:
            return
        if not await self.acquire_lease():
            raise LeaseLost(self.name)

    async def release_lease(self) -> None:
        await self.db.leases.delete_one({"_id": self.name, "owner": self.owner})

    async def _drop_producer(self) -> None:
        """Forget the producer; the entries it could not send stay in the outbox."""
        await self._producer.drop()

    async def rescan(self) -> int:
        """Full scan for aggregates with pending entries but no marker (a crash between the two
        writes); returns how many markers it restored."""
        restored = 0
        markers = self.db[MARKERS]
        for name in self.collections:
            async for doc in self.db[name].find(PENDING, {"_id": 1}):
                key = f"{name}/{doc['_id']}"
                if await markers.find_one({"_id": key}, {"_id": 1}) is None:
                    await mark_pending(markers, name, doc["_id"])
                    restored += 1
        if restored:
            log.warning("relay.markers_restored", count=restored)
        return restored

    async def drain(self) -> int:
        """Publish everything pending now; returns how many entries went out."""
        total = 0
        while True:
            await self._keep_lease()
            marks = await self.db[MARKERS].find({}).limit(self.batch).to_list()
            PENDING_GAUGE.set(len(marks))
            if not marks:
                break
            total += await self._drain_marked(marks)
            if len(marks) < self.batch:
                break
        self._fresh = False  # everything pending was checked against the topics
        return total

    async def _drain_marked(self, marks: list[Document]) -> int:
        """One round over a page of markers: read their aggregates (one `_id $in` query per
        collection), send every pending entry, wait for the acks, then remove what was
        acknowledged and the markers with bulk commands (not two writes per aggregate)."""
        await self._keep_lease()
        docs = await self._pending(marks)
        if self._fresh and docs:
            docs = await self._drop_published(docs)
        if not docs:
            return 0
        sent = await self._send(docs)
        await self._wait_acked([f for _, _, futs in sent for f in futs])
        return await self._settle(sent)

    async def _pending(self, marks: list[Document]) -> list[tuple[Document, Document]]:
        """The (marker, aggregate) pairs with entries to send; markers of nothing are removed."""
        mine = [m for m in marks if m.get("c") in self.collections]  # shared database
        found: dict[tuple[str, Any], Document] = {}
        for name in {m["c"] for m in mine}:
            ids = [m["a"] for m in mine if m["c"] == name]
            for doc in await find_by_ids(self.db[name], ids, projection={OUTBOX: 1}):
                found[(name, doc["_id"])] = doc
        docs: list[tuple[Document, Document]] = []  # (marker, aggregate)
        empty: list[Document] = []
        for mark in mine:
            agg = found.get((mark["c"], mark["a"]))
            if agg and agg.get(OUTBOX):
                docs.append((mark, agg))
            else:
                empty.append(mark)
        await self._unmark(empty)
        return docs

    async def _send(self, docs: list[tuple[Document, Document]]) -> list[_Sent]:
        """Queue every entry first (ordered per key by the idempotent producer)."""
        producer = await self._producer.get()
        loop = asyncio.get_running_loop()
        sent: list[_Sent] = []
        for mark, doc in docs:
            futs: list[asyncio.Future[Any]] = []
            for entry in doc[OUTBOX]:
                try:
                    env = Envelope.from_outbox(entry)
                    fut = await producer.send(
                        entry["topic"], env.data, key=env.key, headers=env.headers()
                    )
                except RECORD_ERRORS as exc:  # refused before it left: its later events wait
                    fut = loop.create_future()
                    fut.set_exception(exc)
                    futs.append(fut)
                    break
                futs.append(fut)
            sent.append((mark, doc, futs))
        return sent

    async def _settle(self, sent: list[_Sent]) -> int:
        """Remove what was acknowledged (and the markers of aggregates with nothing left);
        quarantine an entry the broker refused (the aggregate's later events go on next
        round); raise the first other send error after that."""
        error: BaseException | None = None
        pulls: dict[str, list[UpdateOne]] = {}
        finished: list[Document] = []
        acked: list[Document] = []
        refused: list[tuple[str, Any, Document, BaseException]] = []
        for mark, doc, futs in sent:
            results = await asyncio.gather(*futs, return_exceptions=True)
            # Only the acknowledged prefix is removed, so order survives a partial failure.
            done = []
            for entry, res in zip(doc[OUTBOX], results, strict=False):
                if isinstance(res, RECORD_ERRORS):
                    refused.append((mark["c"], doc["_id"], entry, res))
                    break
                if isinstance(res, BaseException):
                    error = error or res
                    break
                done.append(entry)
            if done:
                pulls.setdefault(mark["c"], []).append(
                    UpdateOne({"_id": doc["_id"]}, {"$pullAll": {OUTBOX: done}})
                )
                acked += done
            if len(done) == len(doc[OUTBOX]):
                finished.append(mark)
        await self._keep_lease()
        for name, ops in pulls.items():
            await write_in_chunks(self.db[name], ops)
        for entry in acked:
            PUBLISHED.labels(entry["topic"]).inc()
        await self._unmark(finished)
        for name, agg_id, entry, why in refused:
            await self.quarantine.refused(name, agg_id, entry, why)
        if error is not None:
            raise error
        return len(acked)

    async def _drop_published(
        self, docs: list[tuple[Document, Document]]
    ) -> list[tuple[Document, Document]]:
        """Remove the entries that are in their topic already (sent before a crash or a failed
        round, never removed); returns what is left to send."""
        if self._published is None:
            return docs
        entries = [e for _, doc in docs for e in doc[OUTBOX]]
        since = min(e.get("stored") or e["time"] for e in entries) - CLOCK_SKEW
        found = await asyncio.wait_for(
            self._published({e["topic"] for e in entries}, {e["id"] for e in entries}, since),
            timeout=120,
        )
        if not found:
            return docs
        left: list[tuple[Document, Document]] = []
        pulls: dict[str, list[UpdateOne]] = {}
        finished: list[Document] = []
        for mark, doc in docs:
            sent = [e for e in doc[OUTBOX] if e["id"] in found]
            if sent:
                op = UpdateOne({"_id": doc["_id"]}, {"$pullAll": {OUTBOX: sent}})
                pulls.setdefault(mark["c"], []).append(op)
                doc = {**doc, OUTBOX: [e for e in doc[OUTBOX] if e["id"] not in found]}
            if doc[OUTBOX]:
                left.append((mark, doc))
            else:
                finished.append(mark)
        await self._keep_lease()
        for name, ops in pulls.items():
            await write_in_chunks(self.db[name], ops)
        await self._unmark(finished)
        SKIPPED.inc(len(found))
        log.warning("relay.already_published", count=len(found))
        return left

    async def _unmark(self, marks: list[Document]) -> None:
        """Drop the markers unless a write bumped them since they were read (then work
        remains), in bulk commands."""
        ops = [DeleteOne({"_id": m["_id"], "seq": m["seq"]}) for m in marks]
        await write_in_chunks(self.db[MARKERS], ops)

    async def _wait_acked(self, futs: list[asyncio.Future[Any]]) -> None:
        """Wait for every ack. The idempotent producer never expires a batch: while the broker
        is down it retries until it returns. Giving up here would let those records land later
        and be published again, so the relay waits, reports itself unhealthy, and keeps its
        lease so no other replica republishes the same entries."""
        pending: set[asyncio.Future[Any]] = set(futs)
        while pending:
            _, pending = await asyncio.wait(pending, timeout=self.stall_seconds)
            if pending:
                self.healthy = False
                STALLS.inc()
                log.warning("relay.waiting_for_broker", unacked=len(pending))
                if self._stopping:
                    raise RelayStopped
                await self.acquire_lease()

    async def run(self) -> None:
        """Relay until stopped; survives broker and store outages, retrying with backoff."""
        backoff = self.poll_seconds
        try:
            while not self._stopping:
                self._wake.clear()
                try:
                    if await self.acquire_lease():
                        if self._rescan_wanted or time.monotonic() >= self._next_rescan:
                            self._rescan_wanted = False
                            await self.rescan()
                            self._next_rescan = time.monotonic() + self.rescan_seconds
                        n = await self.drain()
                        if n:
                            log.debug("relay.published", count=n)
                    self.healthy = True
                    backoff = self.poll_seconds
                except Exception as exc:  # broker or store down: keep the entries, retry later
                    RELAY_ERRORS.inc()
                    self.healthy = False
                    self._fresh = True  # sent entries may not have been removed
                    log.warning("relay.round_failed", error=repr(exc))
                    await self._drop_producer()
                    backoff = min(backoff * 2, 5.0)
                if self._stopping:
                    break
                try:
                    await asyncio.wait_for(self._wake.wait(), timeout=backoff)
                except TimeoutError:
                    pass
        finally:
            await self._drop_producer()
            try:
                await self.release_lease()
            except PyMongoError:
                pass

    def stop(self) -> None:
        """Ask the loop to end after the current round; it then hands the lease back."""
        self._stopping = True
        self._wake.set()
