"""A service's running parts, wired once in the lifespan: store, relay, consumers, gRPC, topics.

Nothing here runs at import time. `Runtime.start()` tolerates a broker that is down: the HTTP
API still accepts writes (they wait in the outbox), topics are created once the broker answers,
and consumers keep reconnecting. So readiness is the store's alone: a broker outage must not
take the pods out of their Service (intake would stop although the outbox keeps every write).
The broker's state is watched on its own -- a metric (`qingshan_broker_reachable`), a detail of
/readyz, and one warning per outage -- and never decides readiness.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from prometheus_client import Gauge, Histogram
from pymongo.asynchronous.database import AsyncDatabase

from qingshan_core import crashpoints, kafka
from qingshan_core.consumer import ConsumerConfig, ConsumerRunner, Handler
from qingshan_core.events import dead_letter_topic
from qingshan_core.grpc_server import GrpcServer, GrpcTls, Registrar
from qingshan_core.idempotency import ProcessedEvents
from qingshan_core.logging import get_logger
from qingshan_core.mongo import Document, IndexSpec, create_client, ensure_indexes, ping
from qingshan_core.oidc import verifier_for
from qingshan_core.ops import COLLECTION as OPS_COLLECTION
from qingshan_core.ops import OpsAlerts
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
BROKER_UP = Gauge(
    "qingshan_broker_reachable", "1 while the broker answers metadata requests, 0 while not"
)
BROKER_CHECK_TIMEOUT = 2.0
STORE_CHECK_TIMEOUT = 2.0


@dataclass
class BrokerState:
    """What the broker watch saw last: reachable (None before the first check) and since when
    (wall clock, ISO 8601), so an outage is reported once, with its start."""

    reachable: bool | None = None
    since: str = ""
    checked: float = 0.0  # monotonic time of the last check

    def detail(self) -> dict[str, Any]:
        return {"reachable": self.reachable, "since": self.since}


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
    broker: BrokerState = field(default_factory=BrokerState)
    _stopping: bool = False
    # What a reader of /readyz should know about this process (e.g. it started unseeded).
    notes: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        s = self.settings
        crashpoints.arm(s.crash_at)
        self.client = create_client(
            s.mongo_uri,
            app_name=f"qingshan-{s.service_name}",
            timeout_ms=s.mongo_select_timeout_ms,
            operation_ms=s.mongo_operation_timeout_ms,
            tls_ca_file=s.mongo_tls_ca_file,
        )
        self.db: AsyncDatabase[Document] = self.client[s.mongo_db]
        self.token_verifier = verifier_for(s)
        self.grpc = GrpcServer(
            s.grpc_port,
            self.token_verifier,
            host=s.http_host,
            tls=GrpcTls.from_files(s.grpc_tls_cert_file, s.grpc_tls_key_file),
            reflection=s.grpc_reflection,
            max_message_bytes=s.grpc_max_message_bytes,
            max_concurrent_rpcs=s.grpc_max_concurrent_rpcs,
        )
        self._consumer_specs: list[ConsumerSpec] = []
        self._aggregates: list[str] = []
        self._jobs: list[tuple[float, Callable[[], Awaitable[Any]], str, float]] = []
        self._stop_hooks: list[Callable[[], Awaitable[Any]]] = []
        # Operational alerts about the service itself (qingshan.ops.v1.OpsAlert), once each.
        self.ops = OpsAlerts(self.outbox(OPS_COLLECTION), s.service_name)

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

    async def _quarantined(self, entry: Document, collection: str, agg: Any, error: str) -> None:
        await self.ops.raise_once(
            "outbox_quarantined",
            str(entry["id"]),
            f"事件被消息队列拒收，已隔离 / refused by the broker, quarantined: {entry['type']}",
            f"collection={collection} aggregate={agg} error={error}",
            severity="critical",
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
            lambda: kafka.create_producer(
                s.kafka_bootstrap, f"{s.service_name}-relay", security=s.kafka_security
            ),
            name=f"{s.service_name}-outbox-relay",
            poll_seconds=s.relay_poll_seconds,
            batch=s.relay_batch,
            published=partial(kafka.published_ids, s.kafka_bootstrap, security=s.kafka_security),
            poison_attempts=s.relay_poison_attempts,
            on_quarantine=self._quarantined,
        )
        self._spawn(self._relay.run(), "relay")
        for spec in self._consumer_specs:
            runner = ConsumerRunner(
                ConsumerConfig(
                    group_id=self.group_id(spec.name),
                    topics=spec.topics,
                    bootstrap=s.kafka_bootstrap,
                    security=s.kafka_security,
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
        self._spawn(self._watch_broker(), "broker-watch")
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
        while not self._stopping:
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
                    s.kafka_bootstrap,
                    self.topics(),
                    s.topic_partitions,
                    s.topic_replication,
                    security=s.kafka_security,
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

    async def _watch_broker(self) -> None:
        while True:
            await self.check_broker()
            await asyncio.sleep(self.settings.broker_check_seconds)

    async def check_broker(self) -> bool:
        """Probe the broker once; record the state, the metric, and a warning when an outage
        begins (an info line when it ends): one alert per outage, not one per probe."""
        s = self.settings
        ok = await kafka.broker_reachable(
            s.kafka_bootstrap, timeout=BROKER_CHECK_TIMEOUT, security=s.kafka_security
        )
        b = self.broker
        b.checked = time.monotonic()
        BROKER_UP.set(1 if ok else 0)
        if ok != b.reachable:
            was, since = b.reachable, b.since
            b.reachable, b.since = ok, datetime.now(UTC).isoformat()
            if not ok:
                log.warning("runtime.broker_unreachable", bootstrap=s.kafka_bootstrap)
            elif was is False:
                log.info("runtime.broker_back", bootstrap=s.kafka_bootstrap, down_since=since)
        return ok

    async def readiness(self) -> dict[str, bool]:
        """Ready when the store answers (within STORE_CHECK_TIMEOUT). The broker is not asked:
        while it is down, writes wait in the outbox and go out when it returns."""
        return {"store": await ping(self.client, STORE_CHECK_TIMEOUT)}

    def health_details(self) -> dict[str, Any]:
        """What /readyz reports beside its checks: the broker as last seen, the relay."""
        relay = None if self._relay is None else {"healthy": self._relay.healthy}
        return {"broker": self.broker.detail(), "relay": relay}

    async def _cancel_all(self, rounds: int = 20) -> None:
        """Cancel every loop and wait for it. A cancellation can be lost: Python 3.11's
        asyncio.wait_for (which the store driver uses for its socket timeouts) swallows one
        that arrives as the awaited read completes, and the loop then sleeps on. So a loop
        still running after a second is cancelled again."""
        self._stopping = True
        for n in range(rounds):
            pending = [t for t in self._tasks if not t.done()]
            if not pending:
                break
            if n:
                log.info("runtime.cancelled_again", loops=[t.get_name() for t in pending])
            for t in pending:
                t.cancel()
            await asyncio.wait(pending, timeout=1)
        stuck = [t.get_name() for t in self._tasks if not t.done()]
        if stuck:
            log.warning("runtime.loops_not_stopped", loops=stuck)
        await asyncio.gather(*(t for t in self._tasks if t.done()), return_exceptions=True)

    async def stop(self) -> None:
        """Stop consumers (finishing their batch), the relay, gRPC, then close the store."""
        for c in self._consumers:
            c.stop()
        if self._relay is not None:
            self._relay.stop()
        await self.grpc.stop(grace=3)
        loops = [t for t in self._tasks if t.get_name().split(":")[1] in ("consumer", "relay")]
        _, pending = await asyncio.wait(loops, timeout=15) if loops else (set(), set())
        await self._cancel_all()
        for hook in reversed(self._stop_hooks):
            try:
                await hook()
            except Exception as exc:
                log.warning("runtime.stop_hook_failed", error=repr(exc))
        await self.client.close()
        log.info("runtime.stopped", cancelled_loops=len(pending))
