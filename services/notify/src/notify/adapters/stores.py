"""Small stores: the events notify acted on (for digests, escalation and dead letters), the
per-channel circuit breakers, and rate-limit windows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from google.protobuf import descriptor_pool, message_factory
from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from notify.adapters.event_codec import attributes, message_data
from notify.domain.catalog import PSEUDO_TYPES
from notify.domain.model import SHANGHAI
from notify.domain.resilience import BreakerState, CircuitBreaker
from notify.service_layer.ports import IncomingEvent
from qingshan_core.mongo import Document, IndexSpec

EVENTS, BREAKERS, RATE_WINDOWS = "events", "breakers", "rate_windows"


def store_indexes() -> list[IndexSpec]:
    return [IndexSpec(EVENTS, [("received_at", 1)]), IndexSpec(RATE_WINDOWS, [("at", 1)])]


class MongoEvents:
    def __init__(self, db: AsyncDatabase[Document], tz: str = SHANGHAI) -> None:
        self.coll = db[EVENTS]
        self.tz = tz

    async def put(self, event: IncomingEvent) -> None:
        doc: dict[str, Any] = {
            "_id": event.id,
            "type": event.type,
            "source": event.source,
            "subject": event.subject,
            "time": event.time,
            "trace_id": event.trace_id,
            "raw": event.raw,
            "received_at": datetime.now(UTC),
        }
        if event.type in PSEUDO_TYPES:
            doc["data"] = dict(event.data)
        try:
            await self.coll.insert_one(doc)
        except DuplicateKeyError:
            pass

    async def get(self, event_id: str) -> IncomingEvent | None:
        d = await self.coll.find_one({"_id": event_id})
        if d is None:
            return None
        data: dict[str, Any] = d.get("data") or {}
        if d["type"] not in PSEUDO_TYPES:
            desc = descriptor_pool.Default().FindMessageTypeByName(d["type"])
            msg = message_factory.GetMessageClass(desc)()
            msg.ParseFromString(bytes(d["raw"]))
            data = message_data(msg, self.tz)
        t: datetime = d["time"]
        return IncomingEvent(
            id=d["_id"],
            type=d["type"],
            source=d["source"],
            subject=d["subject"],
            time=t,
            trace_id=d["trace_id"],
            data=data,
            attrs=attributes(data) if d["type"] not in PSEUDO_TYPES else {},
            raw=bytes(d.get("raw") or b""),
        )

    async def cleanup(self, older_than: timedelta) -> int:
        cutoff = datetime.now(UTC) - older_than
        return (await self.coll.delete_many({"received_at": {"$lt": cutoff}})).deleted_count

    async def forget_subject(self, subject: str) -> list[str]:
        ids = [d["_id"] async for d in self.coll.find({"subject": subject}, {"_id": 1})]
        if ids:
            await self.coll.delete_many({"_id": {"$in": ids}})
        return ids


class MongoResilience:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.breakers = db[BREAKERS]
        self.windows = db[RATE_WINDOWS]

    async def breaker(self, channel: str) -> tuple[CircuitBreaker, int]:
        d = await self.breakers.find_one({"_id": channel})
        if d is None:
            return CircuitBreaker(channel), 0
        until = d.get("open_until")
        b = CircuitBreaker(
            channel,
            BreakerState(d["state"]),
            d["failures"],
            d.get("trips", 0),
            until,
        )
        return b, d["v"]

    async def save_breaker(self, breaker: CircuitBreaker, version: int) -> bool:
        fields = {
            "state": breaker.state.value,
            "failures": breaker.failures,
            "trips": breaker.trips,
            "open_until": breaker.open_until,
            "v": version + 1,
        }
        if version == 0:
            try:
                await self.breakers.insert_one({"_id": breaker.channel, **fields})
            except DuplicateKeyError:
                return False
            return True
        res = await self.breakers.update_one(
            {"_id": breaker.channel, "v": version}, {"$set": fields}
        )
        return res.matched_count == 1

    async def count_in_window(self, channel: str, window: int) -> int:
        for _ in range(3):  # two first senders of a window may both try to insert it
            try:
                d = await self.windows.find_one_and_update(
                    {"_id": f"{channel}:{window}"},
                    {"$inc": {"count": 1}, "$setOnInsert": {"at": datetime.now(UTC)}},
                    upsert=True,
                    return_document=ReturnDocument.AFTER,
                )
            except DuplicateKeyError:
                continue
            if d is not None:
                return int(d["count"])
        raise RuntimeError(f"rate window {channel}:{window} kept conflicting")

    async def cleanup(self, older_than: timedelta) -> int:
        cutoff = datetime.now(UTC) - older_than
        return (await self.windows.delete_many({"at": {"$lt": cutoff}})).deleted_count
