"""Consumer runner: consumer groups, commit after success, bounded retries, dead-letter topic.

For each record: decode the envelope; skip it if this group already handled the event id;
call the handler registered for its type, retrying with exponential backoff; when the attempts
are spent, publish the record to `<group>.dlt` with the error in headers. A handler that fails
because the store is unreachable is not dead-lettered: the record is a good one, so it is
rewound and retried until the store answers again. The offset is committed only after the
record was handled or dead-lettered, so a consumer killed mid-batch resumes at the first record
it had not finished. Handlers should still be idempotent: a crash between a handler's write and
the processed mark re-runs that one handler.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, TopicPartition
from aiokafka.structs import ConsumerRecord
from google.protobuf.message import Message
from prometheus_client import Counter
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import ConnectionFailure

from qingshan_core import kafka
from qingshan_core.events import Envelope, EnvelopeError, dead_letter_topic
from qingshan_core.idempotency import ProcessedEvents
from qingshan_core.logging import get_logger
from qingshan_core.mongo import Document

Handler = Callable[[Envelope, Message], Awaitable[None]]

HANDLED = Counter("qingshan_consumer_records_total", "Records by outcome", ["group", "outcome"])
log = get_logger(__name__)


@dataclass
class ConsumerConfig:
    """How one consumer group reads, retries and dead-letters."""

    group_id: str
    topics: Sequence[str]
    bootstrap: str
    security: kafka.KafkaSecurity = kafka.PLAINTEXT
    max_attempts: int = 4
    backoff_seconds: float = 0.2
    max_records: int = 100
    session_timeout_ms: int = 10000
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def dlt(self) -> str:
        return dead_letter_topic(self.group_id)


class _Rebalance(ConsumerRebalanceListener):  # type: ignore[misc]
    """Holds a rebalance until the batch in hand is handled and committed."""

    def __init__(self, lock: asyncio.Lock) -> None:
        self.lock = lock

    async def on_partitions_revoked(self, revoked: Any) -> None:
        async with self.lock:
            pass

    async def on_partitions_assigned(self, assigned: Any) -> None:
        pass


class ConsumerRunner:
    """Runs one consumer group's loop; `handlers` maps event type (proto full name) to handler."""

    def __init__(
        self,
        config: ConsumerConfig,
        handlers: Mapping[str, Handler],
        db: AsyncDatabase[Document],
    ) -> None:
        self.config = config
        self.handlers = dict(handlers)
        self.processed = ProcessedEvents(db, config.group_id)
        self._lock = asyncio.Lock()
        self._dlt_lock = asyncio.Lock()
        self._stopping = False
        self._consumer: AIOKafkaConsumer | None = None
        self._dlt_producer: Any = None
        self.assigned = asyncio.Event()

    def stop(self) -> None:
        """Finish the batch in hand, commit, and leave the group."""
        self._stopping = True

    async def run(self) -> None:
        """Consume until stopped; reconnects after broker outages."""
        while not self._stopping:
            try:
                await self._run_once()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("consumer.loop_failed", group=self.config.group_id, error=repr(exc))
                await asyncio.sleep(1.0)

    async def _run_once(self) -> None:
        cfg = self.config
        consumer = AIOKafkaConsumer(
            **cfg.security.options(),
            bootstrap_servers=cfg.bootstrap,
            group_id=cfg.group_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            isolation_level="read_committed",
            session_timeout_ms=cfg.session_timeout_ms,
            heartbeat_interval_ms=max(500, cfg.session_timeout_ms // 4),
            **cfg.extra,
        )
        consumer.subscribe(list(cfg.topics), listener=_Rebalance(self._lock))
        try:
            await consumer.start()
        except BaseException:
            await consumer.stop()  # a start that failed (broker down) still holds its client
            raise
        self._consumer = consumer
        try:
            while not self._stopping:
                batch = await consumer.getmany(timeout_ms=500, max_records=cfg.max_records)
                if consumer.assignment():
                    self.assigned.set()
                async with self._lock:
                    # Partitions side by side, each in order: what several replicas would do
                    # anyway (handlers never share a partition's order with another one).
                    done = await asyncio.gather(
                        *(self._handle_partition(consumer, tp, recs) for tp, recs in batch.items()),
                        return_exceptions=True,
                    )
                    for outcome in done:
                        if isinstance(outcome, BaseException):
                            raise outcome
        finally:
            self._consumer = None
            await consumer.stop()
            if self._dlt_producer is not None:
                await self._dlt_producer.stop()
                self._dlt_producer = None

    async def _handle_partition(
        self,
        consumer: AIOKafkaConsumer,
        tp: TopicPartition,
        records: list[ConsumerRecord[Any, Any]],
    ) -> None:
        for i, record in enumerate(records):
            try:
                await self._handle_record(record)
            except Exception:
                # Could neither handle nor dead-letter (store or broker down): commit what is
                # done, rewind to this record and let the loop try again.
                if i:
                    await consumer.commit({tp: records[i - 1].offset + 1})
                consumer.seek(tp, record.offset)
                raise
        await consumer.commit({tp: records[-1].offset + 1})

    async def _handle_record(self, record: ConsumerRecord[Any, Any]) -> None:
        group = self.config.group_id
        try:
            env = Envelope.from_record(record.headers, record.value)
        except EnvelopeError as exc:
            await self._dead_letter(record, exc, attempts=0)
            return
        if await self.processed.seen(env.id):
            HANDLED.labels(group, "duplicate").inc()
            return
        handler = self.handlers.get(env.type)
        if handler is None:
            HANDLED.labels(group, "ignored").inc()
            return
        try:
            message = env.decode()
        except EnvelopeError as exc:
            await self._dead_letter(record, exc, attempts=0)
            return
        delay = self.config.backoff_seconds
        for attempt in range(1, self.config.max_attempts + 1):
            try:
                await handler(env, message)
                break
            except Exception as exc:
                log.warning(
                    "consumer.handler_failed",
                    group=group,
                    event_id=env.id,
                    type=env.type,
                    attempt=attempt,
                    error=repr(exc),
                )
                if attempt == self.config.max_attempts:
                    if isinstance(exc, ConnectionFailure):
                        raise  # the store is down, not the record bad: rewind, retry later
                    await self._dead_letter(record, exc, attempts=attempt)
                    return
                await asyncio.sleep(delay)
                delay *= 2
        await self.processed.mark(env.id, env.type)
        HANDLED.labels(group, "handled").inc()

    async def _dead_letter(
        self, record: ConsumerRecord[Any, Any], exc: BaseException, attempts: int
    ) -> None:
        async with self._dlt_lock:  # two partitions may dead-letter at the same moment
            if self._dlt_producer is None:
                name = f"{self.config.group_id}-dlt"
                producer = kafka.create_producer(
                    self.config.bootstrap, name, security=self.config.security
                )
                await producer.start()
                self._dlt_producer = producer
        headers = [
            *(record.headers or ()),
            ("dlt_error", f"{type(exc).__name__}: {exc}"[:2000].encode()),
            ("dlt_error_type", type(exc).__name__.encode()),
            ("dlt_original_topic", record.topic.encode()),
            ("dlt_original_partition", str(record.partition).encode()),
            ("dlt_original_offset", str(record.offset).encode()),
            ("dlt_group", self.config.group_id.encode()),
            ("dlt_attempts", str(attempts).encode()),
            ("dlt_time", str(time.time()).encode()),
        ]
        await self._dlt_producer.send_and_wait(
            self.config.dlt, value=record.value, key=record.key, headers=headers
        )
        HANDLED.labels(self.config.group_id, "dead_lettered").inc()
        log.error(
            "consumer.dead_lettered",
            group=self.config.group_id,
            topic=record.topic,
            offset=record.offset,
            error=repr(exc),
        )
