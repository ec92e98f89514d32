"""The sweeper's schedule: one document per local minute listing the cases whose next alert
falls in it, so a tick reads the minutes since the last tick by _id (never the whole
collection). Entries can be stale (the case moved on): the sweeper checks each case."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from qingshan_core.batching import WriteBatcher
from qingshan_core.workdays import SHANGHAI

Doc = dict[str, Any]
CURSOR = "cursor"


def minute_key(moment: datetime) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y%m%d%H%M")


class AlertSchedule:
    """Minute buckets plus the sweeper's cursor (the last minute fully processed)."""

    def __init__(self, coll: AsyncCollection[Doc]) -> None:
        self.coll = coll
        self._writes = WriteBatcher(coll)  # concurrent saves schedule their cases together

    async def add(self, moment: datetime | None, complaint_id: str, now: datetime) -> None:
        """Schedule a case; one already due goes in the current minute (the sweeper's cursor
        may be past its own minute)."""
        if moment is None:
            return
        key = minute_key(max(moment, now))
        for _ in range(3):
            try:
                await self._writes.update_one(
                    {"_id": key}, {"$addToSet": {"ids": complaint_id}}, upsert=True
                )
                return
            except DuplicateKeyError:
                continue  # two first upserts raced

    async def cursor(self) -> datetime | None:
        doc = await self.coll.find_one({"_id": CURSOR})
        return None if doc is None else doc["minute"].astimezone(SHANGHAI)

    async def set_cursor(self, minute: datetime) -> None:
        await self.coll.update_one({"_id": CURSOR}, {"$set": {"minute": minute}}, upsert=True)

    async def due(self, after: datetime, until: datetime) -> tuple[list[str], list[str]]:
        """Case ids in the minutes (after, until], and the bucket keys read."""
        ids: list[str] = []
        keys: list[str] = []
        minute = after + timedelta(minutes=1)
        while minute <= until:
            key = minute_key(minute)
            doc = await self.coll.find_one({"_id": key})
            if doc:
                ids += doc.get("ids", [])
                keys.append(key)
            minute += timedelta(minutes=1)
        return list(dict.fromkeys(ids)), keys

    async def drop(self, keys: list[str]) -> None:
        for key in keys:
            await self.coll.delete_one({"_id": key})
