"""The sweeper's schedule: per local minute, SHARDS small documents listing the cases whose
next alert falls in it (the shard is picked from the case id), so a tick reads the minutes
since the last tick by _id -- one `_id $in` query -- never the whole collection. Sharding keeps
each list short: every `$addToSet` rewrites its whole document, and a busy minute (a burst of
intake all due at the same moment) would otherwise grow one document per write, at a cost that
grows with it. Entries can be stale (the case moved on): the sweeper checks each case."""

from __future__ import annotations

import zlib
from datetime import datetime, timedelta
from typing import Any

from pymongo import DeleteOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from qingshan_core.batching import WriteBatcher, write_in_chunks
from qingshan_core.mongo import find_by_ids
from qingshan_core.workdays import SHANGHAI

Doc = dict[str, Any]
CURSOR = "cursor"
SHARDS = 16


def minute_key(moment: datetime) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y%m%d%H%M")


def bucket_key(minute: str, complaint_id: str) -> str:
    shard = zlib.crc32(complaint_id.encode()) % SHARDS
    return f"{minute}/{shard:02d}"


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
        key = bucket_key(minute_key(max(moment, now)), complaint_id)
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
        wanted: list[str] = []
        minute = after + timedelta(minutes=1)
        while minute <= until:
            m = minute_key(minute)
            # ...and the minute's unsharded document, as stores written before sharding hold
            wanted += [m, *(f"{m}/{shard:02d}" for shard in range(SHARDS))]
            minute += timedelta(minutes=1)
        found = {d["_id"]: d.get("ids", []) for d in await find_by_ids(self.coll, wanted)}
        keys = [k for k in wanted if k in found]  # in time order
        ids = [i for k in keys for i in found[k]]
        return list(dict.fromkeys(ids)), keys

    async def listed_at_their_minute(self, cases: list[tuple[str, datetime]]) -> set[str]:
        """Those of these (id, moment) whose moment's bucket lists them, in `_id $in` pages."""
        keys = {case_id: bucket_key(minute_key(at), case_id) for case_id, at in cases}
        found = await find_by_ids(self.coll, sorted(set(keys.values())))
        listed = {d["_id"]: set(d.get("ids", ())) for d in found}
        return {case_id for case_id, key in keys.items() if case_id in listed.get(key, ())}

    async def drop(self, keys: list[str]) -> None:
        await write_in_chunks(self.coll, [DeleteOne({"_id": k}) for k in keys])
