"""Kafka client glue: the idempotent producer, topic creation, a broker reachability probe and
a look back over topics for event ids already published."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import datetime

from aiokafka import AIOKafkaClient, AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from qingshan_core.events import Envelope


def create_producer(
    bootstrap: str, client_id: str, request_timeout_ms: int = 15000
) -> AIOKafkaProducer:
    """Idempotent producer with acks=all: broker-side retries never duplicate or reorder."""
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        client_id=client_id,
        acks="all",
        enable_idempotence=True,
        linger_ms=5,
        request_timeout_ms=request_timeout_ms,
        retry_backoff_ms=200,
        metadata_max_age_ms=30000,
    )


async def publish(producer: AIOKafkaProducer, topic: str, env: Envelope) -> None:
    """Send one event and wait for the broker's acknowledgement."""
    await producer.send_and_wait(topic, value=env.data, key=env.key, headers=env.headers())


async def ensure_topics(
    bootstrap: str, topics: Iterable[str], partitions: int = 3, replication: int = 1
) -> list[str]:
    """Create missing topics; returns the ones created. Existing topics are left as they are."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10000)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        wanted = [t for t in dict.fromkeys(topics) if t not in existing]
        if not wanted:
            return []
        try:
            await admin.create_topics(
                [
                    NewTopic(t, num_partitions=partitions, replication_factor=replication)
                    for t in wanted
                ]
            )
        except TopicAlreadyExistsError:
            pass  # another replica created it first
        return wanted
    finally:
        await admin.close()


async def broker_reachable(bootstrap: str, timeout: float = 3.0) -> bool:
    """True when the broker answers a metadata request within `timeout` seconds."""
    client = AIOKafkaClient(bootstrap_servers=bootstrap, request_timeout_ms=int(timeout * 1000))
    try:
        await asyncio.wait_for(client.bootstrap(), timeout)
        return True
    except Exception:
        return False
    finally:
        await client.close()


async def published_ids(
    bootstrap: str, topics: Iterable[str], wanted: set[str], since: datetime
) -> set[str]:
    """The ids among `wanted` that records in `topics` carry (`ce_id`), reading every partition
    from the first record produced at or after `since` up to its current end."""
    client = AIOKafkaClient(bootstrap_servers=bootstrap)
    try:
        await client.bootstrap()
        cluster = await client.fetch_all_metadata()
    finally:
        await client.close()
    tps = [
        TopicPartition(t, p)
        for t in sorted(set(topics))
        for p in sorted(cluster.partitions_for_topic(t) or ())
    ]
    if not tps:
        return set()
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    try:
        await consumer.start()  # inside: a start that fails is closed all the same
        consumer.assign(tps)
        ends = await consumer.end_offsets(tps)
        starts = await consumer.offsets_for_times({tp: int(since.timestamp() * 1000) for tp in tps})
        todo: dict[TopicPartition, int] = {}
        for tp in tps:
            start = starts[tp].offset if starts[tp] is not None else ends[tp]
            if start < ends[tp]:
                consumer.seek(tp, start)
                todo[tp] = ends[tp]
        found: set[str] = set()
        while todo:
            batch = await consumer.getmany(*todo, timeout_ms=1000, max_records=5000)
            for records in batch.values():
                for rec in records:
                    ce_id = dict(rec.headers or ()).get("ce_id", b"").decode()
                    if ce_id in wanted:
                        found.add(ce_id)
            for tp in list(todo):
                if await consumer.position(tp) >= todo[tp]:
                    del todo[tp]
        return found
    finally:
        await consumer.stop()
