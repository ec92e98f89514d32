"""Wiring of the way back to the platforms: a consumer of the service's own topic queues each
PlatformStepQueued, the dispatcher sends them, refusals go to the group's dead-letter topic.

Runs only when some platform is connected (has a base_url); until then the steps wait in the
topic, and the group reads them from its first start.
"""

from __future__ import annotations

import time
from typing import Any

from aiokafka import AIOKafkaProducer

from complaints.adapters.platform_client import Answer, PlatformClient, tls_context
from complaints.adapters.platform_queue import PlatformQueue, Waiting
from complaints.config import Settings
from complaints.service_layer.context import Context
from complaints.service_layer.ops_alerts import raise_once
from complaints.service_layer.platform_steps import Backoff, Dispatcher, StepQueueHandler
from qingshan.complaints.v1 import events_pb2 as pb
from qingshan_core import kafka
from qingshan_core.events import Envelope, dead_letter_topic
from qingshan_core.runtime import ConsumerSpec, Runtime

STEP_TYPE = pb.PlatformStepQueued.DESCRIPTOR.full_name


class DeadLetters:
    """Puts a refused step on the consumer group's dead-letter topic, with the answer."""

    def __init__(self, bootstrap: str, topic: str, source: str) -> None:
        self.bootstrap, self.topic, self.source = bootstrap, topic, source
        self._producer: AIOKafkaProducer | None = None

    async def __call__(self, w: Waiting, answer: Answer) -> None:
        if self._producer is None:
            producer = kafka.create_producer(self.bootstrap, "complaints-platform-dlt")
            await producer.start()
            self._producer = producer
        env = Envelope.wrap(w.message, source=self.source, subject=w.complaint_id)
        headers = [
            *env.headers(),
            ("dlt_error", f"platform refused: HTTP {answer.status}: {answer.body}".encode()),
            ("dlt_error_type", b"PlatformRefused"),
            ("dlt_platform", w.platform.encode()),
            ("dlt_platform_status", str(answer.status).encode()),
            ("dlt_platform_answer", answer.body.encode()),
            ("dlt_step_key", w.key.encode()),
            ("dlt_attempts", str(w.attempts + 1).encode()),
            ("dlt_time", str(time.time()).encode()),
        ]
        await self._producer.send_and_wait(self.topic, value=env.data, key=env.key, headers=headers)

    async def close(self) -> None:
        if self._producer is not None:
            await self._producer.stop()
            self._producer = None


def wire(runtime: Runtime, ctx: Context, s: Settings) -> Dispatcher | None:
    """Declare the consumer and the dispatcher (when a platform is connected)."""
    ctx.platforms = s.platform_configs()
    queue = PlatformQueue(runtime.db)
    ctx.platform_queue = queue
    if not any(c.connected for c in ctx.platforms.values()):
        return None
    verify = tls_context(
        *(
            str(p) if p else None
            for p in (s.platform_tls_cert, s.platform_tls_key, s.platform_tls_ca)
        )
    )
    client = PlatformClient(s.signing_keys(), verify)
    group = runtime.group_id(s.platform_consumer_name)
    dead = DeadLetters(s.kafka_bootstrap, dead_letter_topic(group), s.source)

    async def ops(key: str, message: Any, now: Any) -> bool:
        return await raise_once(ctx, key, message, now)

    dispatcher = Dispatcher(
        queue,
        client,
        ctx.platforms,
        dead,
        ops,
        backoff=Backoff(s.platform_retry_base_seconds, s.platform_retry_cap_seconds),
        poll_seconds=s.platform_poll_seconds,
        lease_seconds=s.platform_lease_seconds,
        concurrency=s.platform_concurrency,
    )
    handler = StepQueueHandler(queue, dispatcher.wake)
    runtime.consume(ConsumerSpec(s.platform_consumer_name, [s.topic], {STEP_TYPE: handler}))
    runtime.spawn(dispatcher.run(), "platform-dispatcher")
    runtime.on_stop(dead.close)
    runtime.on_stop(client.close)
    return dispatcher
