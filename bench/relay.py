"""The event relay on its own: a backlog of outbox entries (one per aggregate, as intake leaves
them, each with its pending marker) published by the relay the services run, timed from the
first round to the empty outbox; and the relay's lag under the intake load, read off the topic
(broker append time of each ComplaintReceived minus the time the event was stored)."""

from __future__ import annotations

import asyncio
import statistics
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from qingshan.complaints.v1 import events_pb2 as pb
from qingshan_core import kafka
from qingshan_core.events import Envelope
from qingshan_core.mongo import create_client
from qingshan_core.outbox import MARKERS, OUTBOX, VERSION
from qingshan_core.relay import OutboxRelay


async def backlog_drain(mongo_uri: str, bootstrap: str, entries: int, batch: int) -> dict[str, Any]:
    """Publish a backlog of `entries` outbox entries with a fresh relay; entries/s."""
    db_name = f"bench_relay_{uuid.uuid4().hex[:6]}"
    topic = f"bench.relay.{uuid.uuid4().hex[:6]}"
    await kafka.ensure_topics(bootstrap, [topic], partitions=3)
    client = create_client(mongo_uri, "bench-relay")
    db = client[db_name]
    now = datetime.now(UTC)
    try:
        for start in range(0, entries, 2000):
            docs, marks = [], []
            for i in range(start, min(entries, start + 2000)):
                agg = f"R{i:08d}"
                msg = pb.ComplaintReceived(complaint_id=agg, channel="12345", category="noise")
                env = Envelope.wrap(msg, source="/qingshan/bench", subject=agg)
                docs.append(
                    {"_id": agg, VERSION: 1, OUTBOX: [{**env.to_outbox(topic), "stored": now}]}
                )
                marks.append({"_id": f"cases/{agg}", "seq": 1, "c": "cases", "a": agg})
            await db.cases.insert_many(docs, ordered=False)
            await db[MARKERS].insert_many(marks, ordered=False)
        relay = OutboxRelay(
            db,
            ["cases"],
            lambda: kafka.create_producer(bootstrap, "bench-relay"),
            batch=batch,
            published=None,  # a first start would look back over the topic: not what is timed
        )
        assert await relay.acquire_lease()
        t0 = time.perf_counter()
        sent = await relay.drain()
        elapsed = time.perf_counter() - t0
        await relay._drop_producer()
        left = await db.cases.count_documents({f"{OUTBOX}.0": {"$exists": True}})
        return {
            "entries": entries,
            "published": sent,
            "left": left,
            "seconds": round(elapsed, 2),
            "rate": sent / elapsed,
            "batch": batch,
        }
    finally:
        await client.drop_database(db_name)
        await client.close()


class LagProbe:
    """Reads a topic from its end while the load runs: per record, broker append time minus
    the event's `ce_time` (stored in the outbox at that moment)."""

    def __init__(self, bootstrap: str, topic: str, event_type: str) -> None:
        self.bootstrap, self.topic, self.type = bootstrap, topic, event_type
        self.lags_ms: list[float] = []
        self._task: asyncio.Task[None] | None = None
        self._consumer: AIOKafkaConsumer | None = None

    async def start(self) -> None:
        self._consumer = AIOKafkaConsumer(
            self.topic,
            bootstrap_servers=self.bootstrap,
            auto_offset_reset="latest",
            enable_auto_commit=False,
            group_id=f"bench-lag-{uuid.uuid4().hex[:6]}",
        )
        await self._consumer.start()
        await self._consumer.getmany(timeout_ms=500)  # joined, positioned at the end
        self._task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self._consumer is not None
        while True:
            batch = await self._consumer.getmany(timeout_ms=500, max_records=2000)
            for records in batch.values():
                for r in records:
                    headers = {k: v.decode() for k, v in r.headers or ()}
                    if headers.get("ce_type", "").endswith(self.type) and "ce_time" in headers:
                        stored = datetime.fromisoformat(headers["ce_time"].replace("Z", "+00:00"))
                        self.lags_ms.append(r.timestamp - stored.timestamp() * 1000)

    async def stop(self, settle: float = 3.0) -> dict[str, Any]:
        await asyncio.sleep(settle)  # the tail of the load reaches the topic
        if self._task:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        if self._consumer:
            await self._consumer.stop()
        lags = sorted(self.lags_ms)
        if not lags:
            return {"n": 0}

        def q(p: float) -> float:
            return lags[min(len(lags) - 1, int(p * len(lags)))]

        return {
            "n": len(lags),
            "p50": q(0.5),
            "p95": q(0.95),
            "max": lags[-1],
            "mean": statistics.fmean(lags),
        }


async def group_offsets(bootstrap: str, group: str, topic: str) -> tuple[int, int]:
    """(records the group has committed past, records in the topic), summed over partitions."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await admin.start()
    await consumer.start()
    try:
        described = await admin.describe_topics([topic])
        parts = [TopicPartition(topic, p["partition"]) for d in described for p in d["partitions"]]
        ends = await consumer.end_offsets(parts)
        committed = await admin.list_consumer_group_offsets(group, partitions=parts)
        done = sum(meta.offset for meta in committed.values() if meta.offset >= 0)
        return done, sum(ends.values())
    finally:
        await consumer.stop()
        await admin.close()


async def catch_up(
    bootstrap: str, group: str, topic: str, since: float, settle: float = 3.0, timeout: float = 300
) -> dict[str, Any]:
    """How long after `since` (perf_counter, the end of the load) the group had committed all
    that the topic held once the relay had published the load's tail (`settle` seconds later):
    a consumer that handles events slower than they come in is still behind at the end."""
    polls: list[tuple[float, int, int]] = []

    async def poll() -> None:
        done, end = await group_offsets(bootstrap, group, topic)
        polls.append((time.perf_counter(), done, end))

    while time.perf_counter() < since + settle:
        await poll()
        await asyncio.sleep(0.1)
    target = polls[-1][2]
    while True:
        hit = next((at for at, done, _ in polls if done >= target), None)
        if hit is not None:
            return {"caught_up_s": max(0.0, hit - since), "records": target, "polls": len(polls)}
        if time.perf_counter() > since + timeout:
            return {"caught_up_s": None, "records": target, "left": target - polls[-1][1]}
        await poll()
        await asyncio.sleep(0.1)
