"""Runs the real notify app (lifespan, consumers, jobs, gRPC) against the test broker and
store, fed with events on fresh topics; HTTP through httpx.ASGITransport."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import time
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from fastapi import FastAPI
from google.protobuf.message import Message

from notify.adapters.clock import ManualClock
from notify.bootstrap import create_app
from notify.config import Settings
from notify.entrypoints.jobs import Jobs
from notify.service_layer.context import NotifyContext
from qingshan_core import kafka
from qingshan_core.auth import TokenCodec
from qingshan_core.events import Envelope
from qingshan_core.testing.ports import free_port

from .receivers import HttpReceiver, SmtpServer


@dataclass
class Topics:
    complaints: str
    risk: str
    projects: str

    def all(self) -> list[str]:
        return [self.complaints, self.risk, self.projects]


@dataclass
class Notify:
    app: FastAPI
    http: httpx.AsyncClient
    settings: Settings
    producer: AIOKafkaProducer
    topics: Topics

    @property
    def ctx(self) -> NotifyContext:
        ctx: NotifyContext = self.app.state.notify
        return ctx

    @property
    def jobs(self) -> Jobs:
        jobs: Jobs = self.app.state.notify_jobs
        return jobs

    @property
    def dlt_topic(self) -> str:
        return f"qingshan.notify.{self.settings.consumer_name}.dlt"

    def token(self, sub: str, role: str = "admin", unit: str | None = None) -> dict[str, str]:
        codec = TokenCodec(self.settings.jwt_secret.get_secret_value())
        return {"Authorization": f"Bearer {codec.issue(sub, role, unit=unit)}"}

    @property
    def admin(self) -> dict[str, str]:
        return self.token("admin-1", "admin")

    async def publish(
        self, topic: str, msg: Message, subject: str, event_id: str | None = None
    ) -> Envelope:
        env = Envelope.wrap(msg, source="/qingshan/test", subject=subject, event_id=event_id)
        await kafka.publish(self.producer, topic, env)
        return env

    async def publish_envelope(self, topic: str, env: Envelope) -> None:
        await kafka.publish(self.producer, topic, env)

    async def post(
        self, path: str, body: Any, headers: dict[str, str] | None = None
    ) -> httpx.Response:
        return await self.http.post(path, json=body, headers=headers or self.admin)

    async def put(self, path: str, body: Any) -> httpx.Response:
        return await self.http.put(path, json=body, headers=self.admin)

    async def get(
        self, path: str, headers: dict[str, str] | None = None, **params: Any
    ) -> httpx.Response:
        return await self.http.get(path, params=params, headers=headers or self.admin)

    async def deliveries(self, event_id: str) -> list[dict[str, Any]]:
        r = await self.get("/v1/deliveries", event_id=event_id)
        assert r.status_code == 200, r.text
        items: list[dict[str, Any]] = r.json()
        return items


def settings_for(
    infra: dict[str, str],
    db_name: str,
    topics: Topics,
    receiver: HttpReceiver,
    smtp: SmtpServer,
    **overrides: Any,
) -> Settings:
    values: dict[str, Any] = {
        "environment": "test",
        "mongo_uri": infra["mongo_uri"],
        "mongo_db": db_name,
        "kafka_bootstrap": infra["bootstrap"],
        "grpc_port": free_port(),
        "consume_topics": topics.all(),
        "consumer_name": f"t{uuid.uuid4().hex[:10]}",
        "smtp_host": "127.0.0.1",
        "smtp_port": smtp.port,
        "smtp_security": "none",
        "sms_gateway_url": receiver.url("/sms/send"),
        "sms_api_key": "test-key",
        "dispatch_poll_seconds": 0.2,
        "jobs_poll_seconds": 0.3,
        "retry_base_seconds": 0.2,
        "retry_max_attempts": 3,
        "log_level": "WARNING",
        "relay_poll_seconds": 0.2,
        # No service-wide quiet hours: the wall clock must not decide whether a test's message
        # goes now or at 07:00 (CI runs at any hour). test_policies sets them, with its own clock.
        "quiet_start": time(0, 0),
        "quiet_end": time(0, 0),
    }
    values.update(overrides)
    return Settings(**values)


@asynccontextmanager
async def running(
    settings: Settings, topics: Topics, clock: ManualClock | None = None
) -> AsyncIterator[Notify]:
    app = create_app(settings, clock=clock)
    producer = kafka.create_producer(settings.kafka_bootstrap, "notify-tests")
    await producer.start()
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://notify") as http:
                yield Notify(app, http, settings, producer, topics)
    finally:
        await producer.stop()


async def find_record(bootstrap: str, topic: str, match: Any, timeout: float = 30.0) -> Any:
    """The first record of `topic` (read from the beginning) for which match(record) holds."""
    import asyncio

    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", enable_auto_commit=False
    )
    await consumer.start()
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            batch = await consumer.getmany(timeout_ms=300)
            for recs in batch.values():
                for rec in recs:
                    if match(rec):
                        return rec
        raise AssertionError(f"no matching record on {topic} within {timeout}s")
    finally:
        await consumer.stop()


def header(record: Any, name: str) -> str:
    for k, v in record.headers or ():
        if k == name:
            return bytes(v).decode()
    return ""


async def setup_office(n: Notify, receiver: HttpReceiver) -> None:
    """People and groups most tests need, through the REST API: the emergency office with a
    WeCom robot and a signed DingTalk robot, a unit with a handler, supervisors with email."""
    people = [
        {"id": "alice", "name": "王丽", "phone": "13800000001", "email": "alice@sthjj.example.cn"},
        {"id": "bob", "name": "李强", "phone": "13800000002"},
        {"id": "carol", "name": "赵敏", "unit": "town-a", "phone": "13800000003"},
        {"id": "dave", "name": "孙涛", "email": "dave@sthjj.example.cn"},
    ]
    for p in people:
        r = await n.post("/v1/recipients", p)
        assert r.status_code == 201, r.text
    office = {
        "id": "emergency-office",
        "name": "应急办",
        "members": ["alice", "bob"],
        "wecom": {"url": receiver.url("/wecom/eo?key=k-eo")},
        "dingtalk": {"url": receiver.url("/dingtalk/eo?access_token=t-eo"), "secret": "SEC-eo"},
    }
    r = await n.put("/v1/groups/emergency-office", office)
    assert r.status_code == 200, r.text
    r = await n.put(
        "/v1/groups/supervisors", {"id": "supervisors", "name": "督办", "members": ["dave"]}
    )
    assert r.status_code == 200, r.text
    r = await n.put(
        "/v1/escalation-chains/town-a", {"handlers": ["carol"], "unit_heads": ["alice"]}
    )
    assert r.status_code == 200, r.text
