"""A service's running parts, wired once in the lifespan: store, relay, consumers, gRPC, topics.

Nothing here runs at import time. `Runtime.start()` tolerates a broker that is down: the HTTP
API still accepts writes (they wait in the outbox), topics are created once the broker answers,
and consumers keep reconnecting.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from typing import Any

from prometheus_client import Histogram
from pymongo.asynchronous.database import AsyncDatabase

from qingshan_core import kafka
from qingshan_core.consumer import ConsumerConfig, ConsumerRunner, Handler
from qingshan_core.events import dead_letter_topic
from qingshan_core.grpc_server import GrpcServer, Registrar
from qingshan_core.idempotency import ProcessedEvents
from qingshan_core.logging import get_logger
from qingshan_core.mongo import Document, IndexSpec, create_client, ensure_indexes, ping
from qingshan_core.oidc import verifier_for
from qingshan_core.outbox import OutboxCollection
from qingshan_core.relay import OutboxRelay
from qingshan_core.roles import STAFF, Role
from qingshan_core.settings import ServiceSettings

log = get_logger(__name__)
JOB_SECONDS = Histogram(
    "qingshan_job_seconds",
    "Duration of one round of a periodic job",
    ["job"],
    buckets=(0.005, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)


@dataclass
class ConsumerSpec:
    """One consumer group of a service: group `qingshan.<service>.<name>`."""

    name: str
    topics: Sequence[str]
    handlers: Mapping[str, Handler]


@dataclass
class Runtime:
    """Clients and background loops of one service process."""

    settings: ServiceSettings
    indexes: list[IndexSpec] = field(default_factory=list)
    _tasks: list[asyncio.Task[Any]] = field(default_factory=list)
    _consumers: list[ConsumerRunner] = field(default_factory=list)
    _relay: OutboxRelay | None = None
    _grpc: GrpcServer | None = None
    _broker_ok: tuple[float, bool] = (0.0, False)
    # What a reader of /readyz should know about this process (e.g. it started unseeded).
    notes: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        s = self.settings
        self.client = create_client(s.mongo_uri, app_name=f"qingshan-{s.service_name}")
        self.db: AsyncDatabase[Document] = self.client[s.mongo_db]
        self.token_verifier = verifier_for(s)
        self.grpc = GrpcServer(s.grpc_port, self.token_verifier, host=s.http_host)
        self._consumer_specs: list[ConsumerSpec] = []
        self._aggregates: list[str] = []
        self._jobs: list[tuple[float, Callable[[], Awaitable[Any]], str, float]] = []
        self._stop_hooks: list[Callable[[], Awaitable[Any]]] = []

    def outbox(self, collection: str) -> OutboxCollection:
        """An aggregate collection whose writes carry events to this service's topic."""
        if collection not in self._aggregates:
            self._aggregates.append(collection)
        return OutboxCollection(
            self.db[collection],
            topic=self.settings.topic,
            source=self.settings.source,
            on_commit=self._wake_relay,
            on_mark_failed=self._rescan_relay,
        )

    def _wake_relay(self) -> None:
        if self._relay is not None:
            self._relay.wake()

    def _rescan_relay(self) -> None:
        if self._relay is not None:
            self._relay.request_rescan()

    def consume(self, spec: ConsumerSpec) -> None:
        """Declare a consumer group; it starts with the runtime."""
        self._consumer_specs.append(spec)

    def serve_grpc(
        self, registrar: Registrar, service_name: str, roles: Iterable[Role] = STAFF
    ) -> None:
        """Serve a gRPC service; every method authenticated, open to `roles` (see grpc_server)."""
        self.grpc.add(registrar, service_name, roles)

    def group_id(self, name: str) -> str:
        return f"qingshan.{self.settings.service_name}.{name}"

    def topics(self) -> list[str]:
        """Every topic this service needs: its own, and a dead-letter topic per group."""
        return [self.settings.topic] + [
            dead_letter_topic(self.group_id(c.name)) for c in self._consumer_specs
        ]

    async def start(self) -> None:
        s = self.settings
        await ensure_indexes(
            self.db, [*self.indexes, *OutboxRelay.indexes(), *ProcessedEvents.indexes()]
        )
        self._spawn(self._ensure_topics(), "topics")
        self._relay = OutboxRelay(
            self.db,
            self._aggregates,
            lambda: kafka.create_producer(s.kafka_bootstrap, f"{s.service_name}-relay"),
            name=f"{s.service_name}-outbox-relay",
            poll_seconds=s.relay_poll_seconds,
            batch=s.relay_batch,
            published=partial(kafka.published_ids, s.kafka_bootstrap),
        )
        self._spawn(self._relay.run(), "relay")
        for spec in self._consumer_specs:
            runner = ConsumerRunner(
                ConsumerConfig(
                    group_id=self.group_id(spec.name),
                    topics=spec.topics,
                    bootstrap=s.kafka_bootstrap,
                    max_attempts=s.consumer_max_attempts,
                    backoff_seconds=s.consumer_backoff_seconds,
                ),
                spec.handlers,
                self.db,
            )
            self._consumers.append(runner)
            self._spawn(runner.run(), f"consumer:{spec.name}")
            self._spawn(
                runner.processed.run_cleanup(timedelta(days=s.processed_retention_days)),
                f"cleanup:{spec.name}",
            )
        for seconds, job, name, first_delay in self._jobs:
            self._spawn(self._periodic(seconds, job, name, first_delay), f"job:{name}")
        await self.grpc.start()
        self._spawn(self._grpc_health_loop(), "grpc-health")
        log.info(
            "runtime.started",
            http_port=s.http_port,
            grpc_port=s.grpc_port,
            topic=s.topic,
            consumers=[c.name for c in self._consumer_specs],
        )

    def _spawn(self, coro: Any, name: str) -> None:
        self._tasks.append(asyncio.create_task(coro, name=f"{self.settings.service_name}:{name}"))

    def spawn(self, coro: Any, name: str) -> None:
        """Run a long-lived coroutine of the service's (cancelled when the runtime stops)."""
        self._spawn(coro, f"task:{name}")

    def on_stop(self, hook: Callable[[], Awaitable[Any]]) -> None:
        """Await `hook` when the runtime stops, after the loops (close clients, flush)."""
        self._stop_hooks.append(hook)

    def note(self, key: str, text: str) -> None:
        """Say something about this process in /readyz's details (kept until it stops)."""
        self.notes[key] = text

    def every(
        self,
        seconds: float,
        job: Callable[[], Awaitable[Any]],
        name: str,
        first_delay: float = 0.0,
    ) -> None:
        """Run `job` periodically once started, the first time after `first_delay` (a scheduled
        job over durable state: what it finds to do is in the store, so a crash between rounds
        loses nothing)."""
        self._jobs.append((seconds, job, name, first_delay))

    async def _periodic(
        self, seconds: float, job: Callable[[], Awaitable[Any]], name: str, first_delay: float
    ) -> None:
        await asyncio.sleep(first_delay)
        while True:
            started = time.perf_counter()
            try:
                await job()
            except Exception as exc:
                log.warning("runtime.job_failed", job=name, error=repr(exc))
            JOB_SECONDS.labels(name).observe(time.perf_counter() - started)
            await asyncio.sleep(seconds)

    async def _ensure_topics(self) -> None:
        s = self.settings
        delay = 1.0
        while True:
            try:
                created = await kafka.ensure_topics(
                    s.kafka_bootstrap, self.topics(), s.topic_partitions, s.topic_replication
                )
                if created:
                    log.info("runtime.topics_created", topics=created)
                return
            except Exception as exc:
                log.warning("runtime.topics_pending", error=repr(exc))
                await asyncio.sleep(delay)
                delay = min(delay * 2, 15)

    async def _grpc_health_loop(self) -> None:
        while True:
            checks = await self.readiness()
            await self.grpc.set_serving(all(checks.values()))
            await asyncio.sleep(5)

    async def readiness(self) -> dict[str, bool]:
        """Ready only when the store and the broker are reachable."""
        now = time.monotonic()
        at, ok = self._broker_ok
        if now - at > 2.0:
            ok = await kafka.broker_reachable(self.settings.kafka_bootstrap, timeout=2.0)
            self._broker_ok = (now, ok)
        return {"store": await ping(self.client), "broker": ok}

    async def stop(self) -> None:
        """Stop consumers (finishing their batch), the relay, gRPC, then close the store."""
        for c in self._consumers:
            c.stop()
        if self._relay is not None:
            self._relay.stop()
        await self.grpc.stop(grace=3)
        loops = [t for t in self._tasks if t.get_name().split(":")[1] in ("consumer", "relay")]
        _, pending = await asyncio.wait(loops, timeout=15) if loops else (set(), set())
        for t in self._tasks:
            if not t.done():
                t.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for hook in reversed(self._stop_hooks):
            try:
                await hook()
            except Exception as exc:
                log.warning("runtime.stop_hook_failed", error=repr(exc))
        await self.client.close()
        log.info("runtime.stopped", cancelled_loops=len(pending))
