"""Transactional outbox without multi-document transactions.

An aggregate document carries its own pending events in `_outbox`; the state change and the
events are one single-document write, so either both land or neither does. The relay publishes
pending entries with the idempotent producer, waits for acks, then removes exactly those entries
with `$pullAll` (another single-document write that cannot clobber newer state or newer events).
Only the holder of a lease relays, so replicas never publish the same entry concurrently.

Delivery is at-least-once: a relay that dies between the broker's ack and the `$pullAll`
republishes that entry after the lease passes on. Consumers drop such repeats by event id.
"""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from aiokafka import AIOKafkaProducer
from prometheus_client import Counter, Gauge
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError, PyMongoError

from qingshan_core.events import Envelope
from qingshan_core.logging import get_logger
from qingshan_core.mongo import Document, IndexSpec

OUTBOX = "_outbox"
VERSION = "_version"
PENDING = {f"{OUTBOX}.0": {"$exists": True}}

PUBLISHED = Counter("qingshan_outbox_published_total", "Outbox entries published", ["topic"])
STALLS = Counter("qingshan_outbox_relay_stalls_total", "Waits for an unreachable broker")
RELAY_ERRORS = Counter("qingshan_outbox_relay_errors_total", "Relay rounds that failed")
PENDING_GAUGE = Gauge("qingshan_outbox_pending", "Entries found pending in the last relay round")

log = get_logger(__name__)


class RelayStopped(Exception):
    """The relay was asked to stop while records were still unacknowledged."""


class ConcurrencyConflict(Exception):
    """The aggregate changed since it was read (optimistic concurrency)."""


class OutboxCollection:
    """Writes aggregates together with their pending events, in one document write each."""

    def __init__(
        self,
        collection: AsyncCollection[Document],
        *,
        topic: str,
        source: str,
        on_commit: Callable[[], None] | None = None,
    ) -> None:
        self.collection = collection
        self.topic = topic
        self.source = source
        self._on_commit = on_commit

    def _entries(self, events: Iterable[Envelope]) -> list[dict[str, Any]]:
        return [e.to_outbox(self.topic) for e in events]

    def _committed(self, events: Sequence[Envelope]) -> None:
        if events and self._on_commit:
            self._on_commit()

    async def insert(self, doc: Document, events: Sequence[Envelope]) -> None:
        """Insert a new aggregate (version 1) with its first events. DuplicateKeyError passes up."""
        await self.collection.insert_one({**doc, VERSION: 1, OUTBOX: self._entries(events)})
        self._committed(events)

    async def update(
        self,
        aggregate_id: Any,
        expected_version: int,
        set_fields: Document,
        events: Sequence[Envelope],
        unset_fields: Iterable[str] = (),
    ) -> int:
        """Apply a state change and append its events iff the version still matches."""
        update: Document = {
            "$set": {**set_fields, VERSION: expected_version + 1},
        }
        if events:
            update["$push"] = {OUTBOX: {"$each": self._entries(events)}}
        unset = {k: "" for k in unset_fields}
        if unset:
            update["$unset"] = unset
        res = await self.collection.update_one(
            {"_id": aggregate_id, VERSION: expected_version}, update
        )
        if res.matched_count != 1:
            raise ConcurrencyConflict(f"{self.collection.name}/{aggregate_id} v{expected_version}")
        self._committed(events)
        return expected_version + 1


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
    ) -> None:
        self.db = db
        self.collections = list(collections)
        self._producer_factory = producer_factory
        self._producer: AIOKafkaProducer | None = None
        self.name = name
        self.owner = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.poll_seconds = poll_seconds
        self.batch = batch
        self.lease = timedelta(seconds=lease_seconds)
        self.stall_seconds = stall_seconds
        self._wake = asyncio.Event()
        self._stopping = False
        self.healthy = True

    @staticmethod
    def indexes() -> list[IndexSpec]:
        return [IndexSpec("leases", [("until", 1)])]

    def wake(self) -> None:
        """Ask for a relay round now (called after a commit that added events)."""
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
            return False  # the filter missed because someone else holds a live lease
        return True

    async def release_lease(self) -> None:
        await self.db.leases.delete_one({"_id": self.name, "owner": self.owner})

    async def _ensure_producer(self) -> AIOKafkaProducer:
        if self._producer is None:
            producer = self._producer_factory()
            try:
                await producer.start()
            except BaseException:
                await producer.stop()
                raise
            self._producer = producer
        return self._producer

    async def _drop_producer(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            try:
                # With the broker down, stop() would wait for unsendable batches; those
                # entries stay in the outbox and go out after the next start.
                await asyncio.wait_for(producer.stop(), timeout=5)
            except Exception:
                log.warning("relay.producer_stop_failed", exc_info=True)

    async def drain(self) -> int:
        """Publish everything pending now; returns how many entries went out."""
        total = 0
        for name in self.collections:
            while True:
                sent = await self._drain_batch(self.db[name])
                total += sent
                if sent < self.batch:
                    break
        return total

    async def _drain_batch(self, coll: AsyncCollection[Document]) -> int:
        docs = await coll.find(PENDING, {OUTBOX: 1}).limit(self.batch).to_list()
        if not docs:
            return 0
        PENDING_GAUGE.set(sum(len(d[OUTBOX]) for d in docs))
        producer = await self._ensure_producer()
        # Queue every entry first (ordered per key by the idempotent producer), then wait.
        futures: list[tuple[Document, list[asyncio.Future[Any]]]] = []
        for doc in docs:
            futs = []
            for entry in doc[OUTBOX]:
                env = Envelope.from_outbox(entry)
                futs.append(
                    await producer.send(
                        entry["topic"], env.data, key=env.key, headers=env.headers()
                    )
                )
            futures.append((doc, futs))
        await self._wait_acked([f for _, futs in futures for f in futs])
        sent = 0
        error: BaseException | None = None
        for doc, futs in futures:
            results = await asyncio.gather(*futs, return_exceptions=True)
            # Only the acknowledged prefix is removed, so order survives a partial failure.
            done = []
            for entry, res in zip(doc[OUTBOX], results, strict=True):
                if isinstance(res, BaseException):
                    error = error or res
                    break
                done.append(entry)
            if done:
                await coll.update_one({"_id": doc["_id"]}, {"$pullAll": {OUTBOX: done}})
                for entry in done:
                    PUBLISHED.labels(entry["topic"]).inc()
                sent += len(done)
        if error is not None:
            raise error
        return sent

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
                        n = await self.drain()
                        if n:
                            log.debug("relay.published", count=n)
                    self.healthy = True
                    backoff = self.poll_seconds
                except Exception as exc:  # broker or store down: keep the entries, retry later
                    RELAY_ERRORS.inc()
                    self.healthy = False
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
