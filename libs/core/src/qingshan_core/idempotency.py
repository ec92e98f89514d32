"""Processed-event store: insert-if-absent keyed by (consumer group, event id).

FerretDB 1.x has no TTL indexes, so old entries are removed by a periodic cleanup instead.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError, PyMongoError

from qingshan_core.batching import WriteBatcher
from qingshan_core.logging import get_logger
from qingshan_core.mongo import Document, IndexSpec

COLLECTION = "processed_events"
log = get_logger(__name__)


class ProcessedEvents:
    """Remembers which events a consumer group has handled."""

    def __init__(self, db: AsyncDatabase[Document], group_id: str) -> None:
        self.coll = db[COLLECTION]
        self.group_id = group_id
        # Partitions handled side by side record their events in one command.
        self._marks = WriteBatcher(self.coll)

    @staticmethod
    def indexes() -> list[IndexSpec]:
        return [IndexSpec(COLLECTION, [("at", 1)])]

    def _key(self, event_id: str) -> str:
        return f"{self.group_id}/{event_id}"

    async def seen(self, event_id: str) -> bool:
        # find_one, not count_documents: a count is an aggregation, which FerretDB answers by
        # scanning the collection; a find on _id is an index lookup.
        return await self.coll.find_one({"_id": self._key(event_id)}, {"_id": 1}) is not None

    async def mark(self, event_id: str, event_type: str) -> bool:
        """Record the event as handled; False when it already was."""
        try:
            await self._marks.insert_one(
                {
                    "_id": self._key(event_id),
                    "group": self.group_id,
                    "type": event_type,
                    "at": datetime.now(UTC),
                }
            )
        except DuplicateKeyError:
            return False
        return True

    async def cleanup(self, older_than: timedelta) -> int:
        """Delete this group's entries older than `older_than`; returns how many."""
        cutoff = datetime.now(UTC) - older_than
        res = await self.coll.delete_many({"group": self.group_id, "at": {"$lt": cutoff}})
        return res.deleted_count

    async def run_cleanup(self, retention: timedelta, every_seconds: float = 3600) -> None:
        """Periodic cleanup loop (runs until cancelled)."""
        while True:
            try:
                n = await self.cleanup(retention)
                if n:
                    log.info("processed_events.cleaned", group=self.group_id, deleted=n)
            except PyMongoError as exc:
                log.warning("processed_events.cleanup_failed", error=repr(exc))
            await asyncio.sleep(every_seconds)
