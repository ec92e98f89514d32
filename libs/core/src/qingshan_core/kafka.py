"""Kafka client glue: the idempotent producer, topic creation, a broker reachability probe and
a look back over topics for event ids already published.

Every client made here (producer, consumer, admin, metadata) takes the same `KafkaSecurity`:
TLS (the CA that signed the brokers' certificates, optionally a client certificate) and SASL
(mechanism, username, password). The default is a plain connection (the local stack).
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from aiokafka import AIOKafkaClient, AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from aiokafka.helpers import create_ssl_context

from qingshan_core.events import Envelope
from qingshan_core.logging import get_logger

Protocol = Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]
Mechanism = Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]
log = get_logger(__name__)


@dataclass(frozen=True)
class KafkaSecurity:
    """How every client authenticates to the brokers and checks them (the same for all)."""

    protocol: Protocol = "PLAINTEXT"
    ca_file: str = ""  # PEM; empty: the system's trust store
    cert_file: str = ""  # PEM client certificate (mutual TLS), optional
    key_file: str = ""
    mechanism: Mechanism = "SCRAM-SHA-512"
    username: str = ""
    password: str = field(default="", repr=False)

    def __post_init__(self) -> None:
        if self.protocol.startswith("SASL_") and not (self.username and self.password):
            raise ValueError(f"Kafka {self.protocol} needs a SASL username and password")
        if bool(self.cert_file) != bool(self.key_file):
            raise ValueError("a Kafka client certificate needs both its cert and key file")

    @property
    def tls(self) -> bool:
        return self.protocol in ("SSL", "SASL_SSL")

    def options(self) -> dict[str, Any]:
        """The keyword arguments aiokafka's clients take for this security."""
        if self.protocol == "PLAINTEXT":
            return {}
        opts: dict[str, Any] = {"security_protocol": self.protocol}
        if self.tls:
            opts["ssl_context"] = self.ssl_context()
        if self.protocol.startswith("SASL_"):
            opts |= {
                "sasl_mechanism": self.mechanism,
                "sasl_plain_username": self.username,
                "sasl_plain_password": self.password,
            }
        return opts

    def ssl_context(self) -> ssl.SSLContext:
        """Verifies the broker's certificate and host name against `ca_file` (TLS 1.2+)."""
        ctx: ssl.SSLContext = create_ssl_context(
            cafile=self.ca_file or None,
            certfile=self.cert_file or None,
            keyfile=self.key_file or None,
        )
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        return ctx


PLAINTEXT = KafkaSecurity()


def create_producer(
    bootstrap: str,
    client_id: str,
    request_timeout_ms: int = 15000,
    security: KafkaSecurity = PLAINTEXT,
) -> AIOKafkaProducer:
    """Idempotent producer with acks=all: broker-side retries never duplicate or reorder."""
    return AIOKafkaProducer(
        **security.options(),
        bootstrap_servers=bootstrap,
        client_id=client_id,
        acks="all",
        enable_idempotence=True,
        linger_ms=5,
        request_timeout_ms=request_timeout_ms,
        retry_backoff_ms=200,
        metadata_max_age_ms=30000,
    )


class LazyProducer:
    """A producer started on first use and dropped after a failure, so the next use starts a
    fresh one (the relay's, notify's dead letters'): a broker that is down costs no start-up."""

    def __init__(self, factory: Callable[[], AIOKafkaProducer], stop_timeout: float = 5) -> None:
        self._factory = factory
        self._producer: AIOKafkaProducer | None = None
        self._stop_timeout = stop_timeout

    async def get(self) -> AIOKafkaProducer:
        """The started producer, starting one now if there is none."""
        if self._producer is None:
            producer = self._factory()
            try:
                await producer.start()
            except BaseException:
                await producer.stop()
                raise
            self._producer = producer
        return self._producer

    async def drop(self) -> None:
        """Stop and forget the producer (with the broker down, stop() would wait for batches it
        cannot send: bounded by `stop_timeout`; what they held is resent from durable state)."""
        producer, self._producer = self._producer, None
        if producer is not None:
            try:
                await asyncio.wait_for(producer.stop(), timeout=self._stop_timeout)
            except Exception:
                log.warning("kafka.producer_stop_failed", exc_info=True)


async def publish(producer: AIOKafkaProducer, topic: str, env: Envelope) -> None:
    """Send one event and wait for the broker's acknowledgement."""
    await producer.send_and_wait(topic, value=env.data, key=env.key, headers=env.headers())


async def ensure_topics(
    bootstrap: str,
    topics: Iterable[str],
    partitions: int = 3,
    replication: int = 1,
    security: KafkaSecurity = PLAINTEXT,
) -> list[str]:
    """Create missing topics; returns the ones created. Existing topics are left as they are."""
    admin = AIOKafkaAdminClient(
        **security.options(), bootstrap_servers=bootstrap, request_timeout_ms=10000
    )
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


async def broker_reachable(
    bootstrap: str, timeout: float = 3.0, security: KafkaSecurity = PLAINTEXT
) -> bool:
    """True when the broker answers a metadata request within `timeout` seconds (after the TLS
    handshake and SASL authentication: a refused password is an unreachable broker)."""
    client = AIOKafkaClient(
        **security.options(), bootstrap_servers=bootstrap, request_timeout_ms=int(timeout * 1000)
    )
    try:
        await asyncio.wait_for(client.bootstrap(), timeout)
        return True
    except Exception:
        return False
    finally:
        await client.close()


async def published_ids(
    bootstrap: str,
    topics: Iterable[str],
    wanted: set[str],
    since: datetime,
    security: KafkaSecurity = PLAINTEXT,
) -> set[str]:
    """The ids among `wanted` that records in `topics` carry (`ce_id`), reading every partition
    from the first record produced at or after `since` up to its current end."""
    client = AIOKafkaClient(**security.options(), bootstrap_servers=bootstrap)
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
    consumer = AIOKafkaConsumer(
        **security.options(), bootstrap_servers=bootstrap, enable_auto_commit=False
    )
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
