"""Fixtures of notify's integration tests: real receivers, fresh topics, a running service."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator

import pytest

from .harness import Topics
from .receivers import HttpReceiver, SmtpServer


@pytest.fixture
def receiver() -> Iterator[HttpReceiver]:
    r = HttpReceiver()
    r.start()
    yield r
    r.stop()


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    s = SmtpServer()
    s.start()
    yield s
    s.stop()


@pytest.fixture
async def topics(new_topic: Callable[..., Awaitable[str]]) -> AsyncIterator[Topics]:
    yield Topics(
        await new_topic("complaints"), await new_topic("risk"), await new_topic("projects")
    )
