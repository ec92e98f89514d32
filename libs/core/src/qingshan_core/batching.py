"""Group commit for single-document writes.

Every write command costs the store a round of its own (FerretDB 1.x runs writes one at a
time; a MongoDB primary journals each one), so fifty concurrent requests that each insert one
document pay fifty rounds. A `WriteBatcher` sends the writes that callers hand it while the
previous command is still in flight as one unordered `bulk_write`, and gives every caller the
outcome of its own write: a duplicate key raises `DuplicateKeyError` for that caller only, a
store that cannot be reached fails every caller of that command. A lone write goes out at once
(no timer, no added latency); batches only form under load, where they pay.

Only writes whose caller needs no per-write answer beyond success or failure belong here:
inserts, and updates whose effect does not depend on a guard the caller must check (upserts,
`$inc`, `$addToSet`, `$pullAll`, deletes). A version-guarded update needs its own matched count
and stays a single command.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any

from prometheus_client import Histogram
from pymongo import DeleteOne, InsertOne, ReturnDocument, UpdateOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError, DuplicateKeyError, OperationFailure

from qingshan_core.mongo import Document

BATCH_SIZES = Histogram(
    "qingshan_store_write_batch_size",
    "Single-document writes sent together in one bulk command",
    ["collection"],
    buckets=(1, 2, 4, 8, 16, 32, 64),
)

_Op = InsertOne[Document] | UpdateOne | DeleteOne
# Statements per command. FerretDB 1.x holds a pooled SQLite connection per update statement
# until the whole command ends (deploy/local/stack.py patches that); commands stay well below
# its pool of 100 whatever store runs underneath.
MAX_BATCH = 64


async def write_in_chunks(collection: AsyncCollection[Document], ops: Sequence[_Op]) -> None:
    """Send writes the caller already holds together, MAX_BATCH statements per command."""
    for i in range(0, len(ops), MAX_BATCH):
        await collection.bulk_write(list(ops[i : i + MAX_BATCH]), ordered=False)


class WriteBatcher:
    """Coalesces concurrent single-document writes to one collection."""

    def __init__(self, collection: AsyncCollection[Document], max_batch: int = MAX_BATCH) -> None:
        self.collection = collection
        self.max_batch = max_batch
        self._queue: list[tuple[_Op, asyncio.Future[None]]] = []
        self._flusher: asyncio.Task[None] | None = None

    async def insert_one(self, doc: Document) -> None:
        """Insert `doc`; DuplicateKeyError when its _id (or a unique key) exists."""
        await self._submit(InsertOne(doc))

    async def update_one(
        self, filter: Mapping[str, Any], update: Mapping[str, Any], *, upsert: bool = False
    ) -> None:
        """Apply `update` to the first document matching `filter` (no matched count)."""
        await self._submit(UpdateOne(filter, update, upsert=upsert))

    async def delete_one(self, filter: Mapping[str, Any]) -> None:
        await self._submit(DeleteOne(filter))

    async def _submit(self, op: _Op) -> None:
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queue.append((op, fut))
        if self._flusher is None or self._flusher.done():
            # A task, not the caller: a caller that is cancelled must not strand the others.
            self._flusher = asyncio.create_task(self._flush(), name="write-batcher")
        await fut

    async def _flush(self) -> None:
        while self._queue:
            batch = self._queue[: self.max_batch]
            del self._queue[: self.max_batch]
            BATCH_SIZES.labels(self.collection.name).observe(len(batch))
            try:
                await self.collection.bulk_write([op for op, _ in batch], ordered=False)
            except BulkWriteError as exc:
                failed = {e["index"]: e for e in exc.details.get("writeErrors", [])}
                for i, (_, fut) in enumerate(batch):
                    err = failed.get(i)
                    _settle(fut, None if err is None else _error(err))
            except Exception as exc:  # the whole command failed: so did every write in it
                for _, fut in batch:
                    _settle(fut, exc)
            else:
                for _, fut in batch:
                    _settle(fut, None)


class SequenceBatcher:
    """Gapless counters shared by concurrent callers: the callers waiting for the same counter
    while an increment is in flight are served by the next single `$inc: n`, each getting its
    own number of the n consecutive ones it reserved (in the order they asked).

    One findAndModify per caller is one serialized store write per intake; under load this is
    one per batch. Numbers stay gapless as long as every caller uses the number it got (a
    caller cancelled after the increment leaves a gap, as a failed single increment would).
    """

    def __init__(self, collection: AsyncCollection[Document], field: str = "seq") -> None:
        self.collection = collection
        self.field = field
        self._queues: dict[str, list[asyncio.Future[int]]] = {}
        self._flushers: dict[str, asyncio.Task[None]] = {}

    async def next(self, key: str) -> int:
        """The next number of counter `key` (1 for a counter that does not exist yet)."""
        fut: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._queues.setdefault(key, []).append(fut)
        flusher = self._flushers.get(key)
        if flusher is None or flusher.done():
            self._flushers[key] = asyncio.create_task(self._flush(key), name="sequence-batcher")
        return await fut

    async def _flush(self, key: str) -> None:
        queue = self._queues[key]
        while queue:
            batch = queue[:]
            del queue[:]
            BATCH_SIZES.labels(self.collection.name).observe(len(batch))
            try:
                last = await self._increment(key, len(batch))
            except Exception as exc:
                for fut in batch:
                    if not fut.done():
                        fut.set_exception(exc)
                continue
            for i, fut in enumerate(batch):
                if not fut.done():
                    fut.set_result(last - len(batch) + 1 + i)
        del self._queues[key]
        del self._flushers[key]  # one counter per day: nothing kept for the days gone by

    async def _increment(self, key: str, n: int) -> int:
        for _ in range(5):
            try:
                doc = await self.collection.find_one_and_update(
                    {"_id": key},
                    {"$inc": {self.field: n}},
                    upsert=True,
                    return_document=ReturnDocument.AFTER,
                )
            except DuplicateKeyError:
                continue  # two first upserts raced (two processes); increment the winner's
            assert doc is not None  # upsert with ReturnDocument.AFTER always returns one
            return int(doc[self.field])
        raise RuntimeError(f"could not increment counter {key}")


def _error(err: Mapping[str, Any]) -> OperationFailure:
    cls = DuplicateKeyError if err.get("code") == 11000 else OperationFailure
    return cls(err.get("errmsg", "write failed"), err.get("code"), dict(err))


def _settle(fut: asyncio.Future[None], exc: BaseException | None) -> None:
    if fut.done():  # the caller was cancelled; its write went out all the same
        return
    if exc is None:
        fut.set_result(None)
    else:
        fut.set_exception(exc)
