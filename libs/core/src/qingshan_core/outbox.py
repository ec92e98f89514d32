"""Transactional outbox without multi-document transactions.

An aggregate document carries its own pending events in `_outbox`; the state change and the
events are one single-document write, so either both land or neither does. The relay publishes
pending entries with the idempotent producer, waits for acks, then removes exactly those entries
with `$pullAll` (another single-document write that cannot clobber newer state or newer events).

Finding pending work and publishing it is the relay's job (qingshan_core.relay); each write
that adds events also bumps a small marker document (`outbox_pending`) so the relay never has
to scan the aggregates.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pymongo import UpdateOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError, PyMongoError

from qingshan_core.batching import MAX_BATCH, WriteBatcher
from qingshan_core.errors import ConcurrentUpdate
from qingshan_core.events import Envelope
from qingshan_core.logging import get_logger
from qingshan_core.mongo import Document, find_by_ids

OUTBOX = "_outbox"
VERSION = "_version"
WRITE = "_w"  # the token of the last bulk write (update_all)
MARKERS = "outbox_pending"
PENDING = {f"{OUTBOX}.0": {"$exists": True}}

log = get_logger(__name__)


class ConcurrencyConflict(ConcurrentUpdate):
    """The aggregate changed since it was read (optimistic concurrency; a 409 to a caller)."""

    def __init__(self, what: str = "") -> None:
        super().__init__()
        self.what = what


class OutboxCollection:
    """Writes aggregates together with their pending events, in one document write each."""

    def __init__(
        self,
        collection: AsyncCollection[Document],
        *,
        topic: str,
        source: str,
        on_commit: Callable[[], None] | None = None,
        on_mark_failed: Callable[[], None] | None = None,
    ) -> None:
        self.collection = collection
        self.markers = collection.database[MARKERS]
        # Concurrent requests' inserts and marker bumps go to the store together.
        self._inserts = WriteBatcher(collection)
        self._marks = WriteBatcher(self.markers)
        self.topic = topic
        self.source = source
        self._on_commit = on_commit
        self._on_mark_failed = on_mark_failed

    def _entries(self, events: Iterable[Envelope]) -> list[dict[str, Any]]:
        stored = datetime.now(UTC)  # where the relay's look back over the topic starts
        return [{**e.to_outbox(self.topic), "stored": stored} for e in events]

    async def _committed(self, aggregate_id: Any, events: Sequence[Envelope]) -> None:
        if not events:
            return
        marked = await mark_pending(self._marks, self.collection.name, aggregate_id)
        if not marked and self._on_mark_failed:
            self._on_mark_failed()  # the events are stored: have the relay rescan soon
        if self._on_commit:
            self._on_commit()

    async def insert(self, doc: Document, events: Sequence[Envelope]) -> None:
        """Insert a new aggregate (version 1) with its first events. DuplicateKeyError passes up."""
        await self._inserts.insert_one({**doc, VERSION: 1, OUTBOX: self._entries(events)})
        await self._committed(doc["_id"], events)

    async def update(
        self,
        aggregate_id: Any,
        expected_version: int,
        set_fields: Document,
        events: Sequence[Envelope],
        unset_fields: Iterable[str] = (),
    ) -> int:
        """Apply a state change and append its events iff the version still matches."""
        update = self._update(expected_version, set_fields, events, unset_fields)
        res = await self.collection.update_one(
            {"_id": aggregate_id, VERSION: expected_version}, update
        )
        if res.matched_count != 1:
            raise ConcurrencyConflict(f"{self.collection.name}/{aggregate_id} v{expected_version}")
        await self._committed(aggregate_id, events)
        return expected_version + 1

    async def update_all(self, changes: Sequence[Change]) -> set[Any]:
        """Several guarded updates (each as `update` does, one per aggregate) in bulk commands;
        returns the ids whose version no longer matched (nothing of theirs was written).

        A bulk command only says how many statements matched. When fewer matched than were
        sent, each statement's write token (`_w`, new per write) is read back: the aggregates
        that do not hold theirs are reported, and a caller reads them again. (A later bulk
        write by someone who read this one can replace the token; the caller then re-reads
        an aggregate that was written, and finds its change there.)"""
        missed: set[Any] = set()
        for i in range(0, len(changes), MAX_BATCH):
            chunk = changes[i : i + MAX_BATCH]
            tokens = {c.aggregate_id: uuid.uuid4().hex for c in chunk}
            ops = [
                UpdateOne(
                    {"_id": c.aggregate_id, VERSION: c.expected_version},
                    self._update(
                        c.expected_version,
                        {**c.set_fields, WRITE: tokens[c.aggregate_id]},
                        c.events,
                    ),
                )
                for c in chunk
            ]
            res = await self.collection.bulk_write(ops, ordered=False)
            if res.matched_count < len(chunk):
                docs = await find_by_ids(self.collection, list(tokens), None, {WRITE: 1})
                landed = {d["_id"] for d in docs if d.get(WRITE) == tokens[d["_id"]]}
                missed |= set(tokens) - landed
        await asyncio.gather(
            *(
                self._committed(c.aggregate_id, c.events)
                for c in changes
                if c.aggregate_id not in missed
            )
        )
        return missed

    def _update(
        self,
        expected_version: int,
        set_fields: Document,
        events: Sequence[Envelope],
        unset_fields: Iterable[str] = (),
    ) -> Document:
        update: Document = {"$set": {**set_fields, VERSION: expected_version + 1}}
        if events:
            update["$push"] = {OUTBOX: {"$each": self._entries(events)}}
        unset = {k: "" for k in unset_fields}
        if unset:
            update["$unset"] = unset
        return update


@dataclass(frozen=True)
class Change:
    """One guarded update for `OutboxCollection.update_all`."""

    aggregate_id: Any
    expected_version: int
    set_fields: Document
    events: Sequence[Envelope] = ()


async def mark_pending(
    markers: AsyncCollection[Document] | WriteBatcher, collection: str, agg_id: Any
) -> bool:
    """Bump the aggregate's pending marker; False when that failed, which only delays the
    events to the next rescan."""
    for _ in range(3):
        try:
            await markers.update_one(
                {"_id": f"{collection}/{agg_id}"},
                {"$inc": {"seq": 1}, "$set": {"c": collection, "a": agg_id}},
                upsert=True,
            )
            return True
        except DuplicateKeyError:
            continue  # two first upserts raced: the marker exists now, bump it
        except PyMongoError as exc:
            log.warning("outbox.mark_failed", collection=collection, error=repr(exc))
            return False
    return True
