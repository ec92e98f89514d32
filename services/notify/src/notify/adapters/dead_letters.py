"""Failed deliveries to the dead-letter topic: the original event's value and CloudEvents
headers, plus the reason and the delivery in `dlt_*` headers (as the consumer runner does)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from aiokafka import AIOKafkaProducer

from notify.domain.delivery import Delivery
from notify.service_layer.ports import IncomingEvent
from qingshan_core.events import Envelope


class KafkaDeadLetters:
    def __init__(
        self, topic: str, group: str, producer_factory: Callable[[], AIOKafkaProducer]
    ) -> None:
        self.topic = topic
        self.group = group
        self._factory = producer_factory
        self._producer: AIOKafkaProducer | None = None

    async def _ensure(self) -> AIOKafkaProducer:
        if self._producer is None:
            producer = self._factory()
            try:
                await producer.start()
            except BaseException:
                await producer.stop()
                raise
            self._producer = producer
        return self._producer

    async def publish(self, delivery: Delivery, event: IncomingEvent | None, reason: str) -> None:
        producer = await self._ensure()
        headers: list[tuple[str, bytes]] = []
        value = b""
        if event is not None:
            env = Envelope(
                id=event.id,
                source=event.source,
                type=event.type,
                subject=event.subject,
                time=event.time,
                data=event.raw,
                trace_id=event.trace_id,
            )
            headers, value = env.headers(), event.raw
        headers += [
            ("dlt_error", f"DeliveryFailed: {reason}"[:2000].encode()),
            ("dlt_error_type", b"DeliveryFailed"),
            ("dlt_group", self.group.encode()),
            ("dlt_attempts", str(delivery.attempt_count).encode()),
            ("dlt_time", str(time.time()).encode()),
            ("dlt_delivery_id", delivery.id.encode()),
            ("dlt_channel", delivery.channel.value.encode()),
            ("dlt_recipient", delivery.recipient.encode()),
        ]
        try:
            await asyncio.wait_for(
                producer.send_and_wait(
                    self.topic, value=value, key=delivery.id.encode(), headers=headers
                ),
                timeout=20,
            )
        except Exception:
            await self.close()
            raise

    async def close(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            try:
                await producer.stop()
            except Exception:
                pass
