"""The risk app, in process, against the suite's real Kafka and FerretDB."""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from qingshan.risk.v1 import events_pb2  # noqa: F401 - registers the event types for decode()
from qingshan_core import kafka
from qingshan_core.auth import TokenCodec
from qingshan_core.events import Envelope
from qingshan_core.testing.ports import free_port
from qingshan_core.testing.tokens import SignsDevelopmentTokens
from risk.bootstrap import create_app
from risk.config import Settings
from risk.domain.credit_code import CHARSET, make_credit_code
from risk.service_layer.context import Deps

TOPIC = "qingshan.risk.v1"


def credit_code() -> str:
    """A fresh valid 统一社会信用代码 (unique per run: events on the shared topic stay apart)."""
    body = "".join(random.choices(CHARSET, k=9))
    return make_credit_code(f"91500119{body}").value


def manifest_number(year: int = 2024) -> str:
    """A fresh well-formed 14-digit manifest number (Chongqing, random city and serial)."""
    return f"{year}50{random.randint(1, 99):02d}{random.randint(1, 999_999):06d}"


class TopicWatch:
    """Reads the service topic from where it ended when the watch started."""

    def __init__(self, bootstrap: str) -> None:
        self.bootstrap = bootstrap
        self.consumer: AIOKafkaConsumer | None = None
        self.seen: list[Any] = []

    async def start(self) -> TopicWatch:
        await kafka.ensure_topics(self.bootstrap, [TOPIC], 3)
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self.bootstrap, enable_auto_commit=False, group_id=None
        )
        await consumer.start()
        admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap)
        await admin.start()
        try:
            (described,) = await admin.describe_topics([TOPIC])
        finally:
            await admin.close()
        partitions = [p["partition"] for p in described["partitions"]]
        tps = [TopicPartition(TOPIC, p) for p in sorted(partitions or [])]
        consumer.assign(tps)
        await consumer.seek_to_end(*tps)
        for tp in tps:
            await consumer.position(tp)  # resolve "end" now, before the action under test
        self.consumer = consumer
        return self

    async def stop(self) -> None:
        if self.consumer is not None:
            await self.consumer.stop()

    async def events(
        self, subject: str, type_name: str, expect: int = 1, timeout: float = 20, grace: float = 2
    ) -> list[tuple[Any, Envelope]]:
        """Records of one subject and type: wait for `expect`, then `grace` for duplicates."""
        assert self.consumer is not None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        full = f"qingshan.risk.v1.{type_name}"

        def matching() -> list[tuple[Any, Envelope]]:
            found = []
            for record in self.seen:
                env = Envelope.from_record(record.headers, record.value)
                if env.subject == subject and env.type == full:
                    found.append((record, env))
            return found

        while loop.time() < deadline and len(matching()) < expect:
            batch = await self.consumer.getmany(timeout_ms=200)
            for records in batch.values():
                self.seen.extend(records)
        end = loop.time() + grace
        while loop.time() < end:
            batch = await self.consumer.getmany(timeout_ms=200)
            for records in batch.values():
                self.seen.extend(records)
        return matching()


@dataclass
class Service(SignsDevelopmentTokens):
    """A running risk app plus what tests need to drive it."""

    client: httpx.AsyncClient
    deps: Deps
    settings: Settings
    codec: TokenCodec
    app: Any
    watch: TopicWatch

    async def register(self, role: str = "supervisor", **body: Any) -> dict[str, Any]:
        """Register a risk source (fresh credit code unless given)."""
        payload = {"name": f"测试企业{uuid.uuid4().hex[:6]}", "credit_code": credit_code(), **body}
        r = await self.client.post("/v1/risk-sources", json=payload, headers=self.auth(role))
        assert r.status_code == 201, r.text
        return dict(r.json())

    async def sweep(self) -> dict[str, Any]:
        r = await self.client.post("/v1/sweeps", headers=self.auth("admin"))
        assert r.status_code == 200, r.text
        return dict(r.json())


@pytest.fixture
async def service(infra: dict[str, str]) -> AsyncIterator[Service]:
    settings = Settings(
        environment="test",
        mongo_uri=infra["mongo_uri"],
        mongo_db=f"t_risk_{uuid.uuid4().hex[:10]}",
        kafka_bootstrap=infra["bootstrap"],
        grpc_port=free_port(),
        sweep_interval_seconds=3600,  # tests sweep explicitly
        relay_poll_seconds=0.2,
    )
    watch = await TopicWatch(infra["bootstrap"]).start()
    app = create_app(settings)
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://risk") as client:
                yield Service(
                    client,
                    app.state.risk,
                    settings,
                    TokenCodec(settings.jwt_secret.get_secret_value()),
                    app,
                    watch,
                )
            await app.state.runtime.client.drop_database(settings.mongo_db)
    finally:
        await watch.stop()
