"""The projects app, in-process, against the suite's real Kafka broker and FerretDB.

Each test gets its own database; the service topic is fixed (qingshan.projects.v1), so tests
read it from the offsets it had before they acted and filter by subject and actor.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from fastapi import FastAPI

from projects.bootstrap import create_app
from projects.config import Settings
from qingshan_core.auth import Role, TokenCodec
from qingshan_core.events import Envelope
from qingshan_core.mongo import create_client
from qingshan_core.testing.ports import free_port
from qingshan_core.testing.tokens import SignsDevelopmentTokens

# The plan's appendix preamble and field headings, word for word (tests/data/SOURCE.md).
PLAN_EXCERPT = Path(__file__).resolve().parents[1] / "data" / "plan_reserve_excerpt.txt"
TOPIC = "qingshan.projects.v1"


@dataclass
class Service(SignsDevelopmentTokens):
    """A running projects app and what a test needs to talk to it."""

    app: FastAPI
    client: httpx.AsyncClient
    settings: Settings
    codec: TokenCodec
    bootstrap: str

    def token(self, role: Role, subject: str | None = None, unit: str | None = None) -> str:
        return self.codec.issue(subject or f"{role.value}-{uuid.uuid4().hex[:6]}", role, unit=unit)


async def start_service(infra: dict[str, str], **overrides: Any) -> tuple[FastAPI, Settings]:
    values: dict[str, Any] = {
        "environment": "test",
        "mongo_uri": infra["mongo_uri"],
        "mongo_db": f"t_projects_{uuid.uuid4().hex[:10]}",
        "kafka_bootstrap": infra["bootstrap"],
        "http_port": 0,
        "grpc_port": free_port(),
        "log_json": False,
        "log_level": "WARNING",
        "relay_poll_seconds": 0.2,
        "dispatch_first_delay_seconds": 3600,
    }
    settings = Settings(**(values | overrides))
    return create_app(settings), settings


@pytest.fixture
def service_factory(infra: dict[str, str]) -> Callable[..., Any]:
    """`async with service_factory(seed=False) as svc:` — an app with its lifespan running."""
    from contextlib import asynccontextmanager

    @asynccontextmanager
    async def make(seed: bool = True, **overrides: Any) -> AsyncIterator[Service]:
        if not seed:
            overrides.setdefault("seed_on_start", False)
        app, settings = await start_service(infra, **overrides)
        try:
            async with app.router.lifespan_context(app):
                transport = httpx.ASGITransport(app=app)
                async with httpx.AsyncClient(transport=transport, base_url="http://projects") as c:
                    codec = TokenCodec(settings.jwt_secret.get_secret_value())
                    yield Service(app, c, settings, codec, infra["bootstrap"])
        finally:
            client = create_client(infra["mongo_uri"], "qingshan-tests")
            await client.drop_database(settings.mongo_db)
            await client.close()

    return make


@pytest.fixture
async def seeded(service_factory: Callable[..., Any]) -> AsyncIterator[Service]:
    """The app after its start-up seed of the plan's table and indicators."""
    async with service_factory(seed=True) as svc:
        yield svc


@pytest.fixture
async def empty(service_factory: Callable[..., Any]) -> AsyncIterator[Service]:
    """The app with an empty reserve (no seed)."""
    async with service_factory(seed=False) as svc:
        yield svc


class TopicTail:
    """Reads a topic from the end offsets it had when created."""

    def __init__(self, bootstrap: str, topic: str = TOPIC) -> None:
        self.bootstrap, self.topic = bootstrap, topic
        self.start: dict[TopicPartition, int] = {}

    async def mark(self) -> TopicTail:
        admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap)
        await admin.start()
        try:
            parts: list[int] = []
            for _ in range(100):  # the runtime creates the topic in the background at start
                [desc] = await admin.describe_topics([self.topic])
                parts = sorted(p["partition"] for p in desc.get("partitions") or ())
                if parts:
                    break
                await asyncio.sleep(0.2)
        finally:
            await admin.close()
        assert parts, f"topic {self.topic} does not exist"
        consumer = AIOKafkaConsumer(bootstrap_servers=self.bootstrap, enable_auto_commit=False)
        await consumer.start()
        try:
            self.start = await consumer.end_offsets([TopicPartition(self.topic, p) for p in parts])
        finally:
            await consumer.stop()
        return self

    async def read(
        self, match: Callable[[Envelope], bool], expect: int, timeout: float = 30
    ) -> list[Envelope]:
        """Matching envelopes after the mark: until `expect` came, then 2 s more for extras."""
        consumer = AIOKafkaConsumer(bootstrap_servers=self.bootstrap, enable_auto_commit=False)
        await consumer.start()
        found: list[Envelope] = []
        try:
            consumer.assign(list(self.start))
            for tp, offset in self.start.items():
                consumer.seek(tp, offset)
            loop = asyncio.get_running_loop()
            deadline = loop.time() + timeout
            grace: float | None = None
            while loop.time() < (grace or deadline):
                batch = await consumer.getmany(timeout_ms=300)
                for records in batch.values():
                    for r in records:
                        env = Envelope.from_record(r.headers, r.value)
                        if match(env):
                            found.append(env)
                if grace is None and len(found) >= expect:
                    grace = loop.time() + 2.0
        finally:
            await consumer.stop()
        return found


@pytest.fixture
def tail(infra: dict[str, str]) -> Callable[[], Any]:
    """`t = await tail()` marks the topic's end now; `await t.read(match, n)` reads after it."""

    async def make() -> TopicTail:
        return await TopicTail(infra["bootstrap"]).mark()

    return make


def seed_bytes() -> bytes:
    """The plan's reserve table as the service ships it (package data)."""
    return Settings(environment="test").reserve_table.read_bytes()


__all__ = ["PLAN_EXCERPT", "Service", "seed_bytes"]
