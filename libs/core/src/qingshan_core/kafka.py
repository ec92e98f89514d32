"""Kafka client glue: the idempotent producer, topic creation and a broker reachability probe."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from aiokafka import AIOKafkaClient, AIOKafkaProducer
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
