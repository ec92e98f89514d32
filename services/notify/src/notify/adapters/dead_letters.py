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
from qingshan_core.kafka import LazyProducer


class KafkaDeadLetters:
    def __init__(
        self, topic: str, group: str, producer_factory: Callable[[], AIOKafkaProducer]
    ) -> None:
        self.topic = topic
        self.group = group
        self._producer = LazyProducer(producer_factory)

    async def publish(self, delivery: Delivery, event: IncomingEvent | None, reason: str) -> None:
        producer = await self._producer.get()
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
        """Stop the producer; the next dead letter starts a new one."""
        await self._producer.drop()
