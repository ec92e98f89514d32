"""Fixtures for integration tests against the real Kafka broker, FerretDB and Keycloak the suite
started.

`make test` starts all three with `deploy/local/stack.py --profile test up` (own ports, own data)
and exports their addresses; these fixtures only connect. Nothing here fakes a server.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer
from pymongo.asynchronous.database import AsyncDatabase

from qingshan_core import kafka
from qingshan_core.mongo import Document, create_client
from qingshan_core.testing.identity import Provider

ROOT = Path(__file__).resolve().parents[5]
STACK = ROOT / "deploy" / "local" / "stack.py"


def kafka_bootstrap() -> str:
    return os.environ.get("QINGSHAN_TEST_KAFKA_BOOTSTRAP", "127.0.0.1:19092")


def mongo_uri() -> str:
    return os.environ.get("QINGSHAN_TEST_MONGO_URI", "mongodb://127.0.0.1:27018/")


def profile() -> str:
    """The stack profile the suite runs against (`make test` sets it; `test` by default)."""
    return os.environ.get("QINGSHAN_TEST_PROFILE", "test")


def stack(command: str) -> None:
    """Run a deploy/local/stack.py command against the suite's profile (e.g. stop-kafka)."""
    subprocess.run([sys.executable, str(STACK), "--profile", profile(), command], check=True)


@contextmanager
def store_paused() -> Iterator[int]:
    """SIGSTOP the suite's FerretDB (a stalled store: connections stay open, nothing answers),
    SIGCONT it afterwards whatever happens; yields its pid."""
    pid = int((ROOT / ".run" / profile() / "ferretdb.pid").read_text())
    os.kill(pid, signal.SIGSTOP)
    try:
        yield pid
    finally:
        os.kill(pid, signal.SIGCONT)


@pytest.fixture(scope="session")
async def infra() -> dict[str, str]:
    """The test servers' addresses; fails loudly when they are not running."""
    bootstrap, uri = kafka_bootstrap(), mongo_uri()
    client = create_client(uri, "qingshan-tests", timeout_ms=3000)
    try:
        await client.admin.command("ping")
    except Exception as exc:
        pytest.fail(f"FerretDB not reachable at {uri} ({exc!r}); run `make test`", pytrace=False)
    finally:
        await client.close()
    if not await kafka.broker_reachable(bootstrap, timeout=5):
        pytest.fail(f"Kafka not reachable at {bootstrap}; run `make test`", pytrace=False)
    return {"bootstrap": bootstrap, "mongo_uri": uri}


@pytest.fixture
async def mongo_db(infra: dict[str, str]) -> AsyncIterator[AsyncDatabase[Document]]:
    """A fresh database for one test, dropped afterwards."""
    client = create_client(infra["mongo_uri"], "qingshan-tests")
    name = f"t_{uuid.uuid4().hex[:12]}"
    try:
        yield client[name]
    finally:
        await client.drop_database(name)
        await client.close()


@pytest.fixture
async def new_topic(infra: dict[str, str]) -> Callable[..., Awaitable[str]]:
    """Create a uniquely named topic: `await new_topic("outbox", partitions=3)`."""

    async def make(prefix: str = "t", partitions: int = 3) -> str:
        name = f"test.{prefix}.{uuid.uuid4().hex[:10]}"
        await kafka.ensure_topics(infra["bootstrap"], [name], partitions=partitions)
        return name

    return make


async def read_topic(bootstrap: str, topic: str, expect: int, timeout: float = 30) -> list[Any]:
    """Read a topic from the beginning until `expect` records arrived (or the time is up),
    then keep reading briefly so that any extra record (a duplicate) is seen too."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=None,
    )
    await consumer.start()
    records: list[Any] = []
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline and len(records) < expect:
            batch = await consumer.getmany(timeout_ms=300)
            for recs in batch.values():
                records.extend(recs)
        grace = loop.time() + 1.5
        while loop.time() < grace:
            batch = await consumer.getmany(timeout_ms=300)
            for recs in batch.values():
                records.extend(recs)
    finally:
        await consumer.stop()
    return records


@pytest.fixture(scope="session")
async def identity() -> Provider:
    """The suite's real identity provider (Keycloak, started by `make test` with the stack)."""
    issuer = os.environ.get("QINGSHAN_TEST_OIDC_ISSUER")
    if not issuer:
        pytest.fail("QINGSHAN_TEST_OIDC_ISSUER is not set; run `make test`", pytrace=False)
    provider = Provider(issuer)
    try:
        await provider.token("admin")
    except Exception as exc:
        pytest.fail(f"Keycloak not usable at {issuer} ({exc!r}); run `make test`", pytrace=False)
    return provider
