"""Outages as a service meets them. A stalled store (FerretDB paused with SIGSTOP: connections
open, nothing answers) is answered 503 with Retry-After within the operation budget, never a
hanging request, and readiness follows the store. A broker that is down leaves readiness and
intake alone (writes wait in the outbox): its state is a metric and a detail of /readyz."""

from __future__ import annotations

import asyncio
import socket

import pytest

from qingshan_core.testing.pytest_plugin import store_paused

from .conftest import running

pytestmark = [pytest.mark.integration, pytest.mark.slow]


async def test_stalled_store_answers_503_with_retry_after_then_recovers(infra):
    # Server selection and connecting may take 30 s here (so the driver's monitor is slow to
    # give up on the store): what answers within the 10 s below is the operation budget.
    async with running(
        infra, mongo_operation_timeout_ms=1500, mongo_select_timeout_ms=30000
    ) as svc:
        headers = svc.auth("operator")
        assert (
            await svc.client.post("/v1/complaints", json=svc.body(), headers=headers)
        ).is_success
        with store_paused():
            r = await asyncio.wait_for(
                svc.client.post("/v1/complaints", json=svc.body(), headers=headers), timeout=10
            )
            ready = await asyncio.wait_for(svc.client.get("/readyz"), timeout=10)
        assert r.status_code == 503, r.text
        assert r.headers["Retry-After"].isdigit()
        assert ready.status_code == 503 and ready.json()["checks"] == {"store": False}
        for _ in range(40):  # the pool reconnects by itself
            r = await svc.client.post("/v1/complaints", json=svc.body(), headers=headers)
            if r.status_code == 201:
                break
            await asyncio.sleep(0.5)
        assert r.status_code == 201, r.text
        assert (await svc.client.get("/readyz")).status_code == 200


async def test_broker_down_keeps_readiness_and_intake_and_reports_the_broker(infra):
    with socket.socket() as s:  # a port nobody listens on: the broker is down
        s.bind(("127.0.0.1", 0))
        dead = f"127.0.0.1:{s.getsockname()[1]}"
    async with running({**infra, "bootstrap": dead}, broker_check_seconds=0.2) as svc:
        for _ in range(50):
            if svc.app.state.runtime.broker.reachable is False:
                break
            await asyncio.sleep(0.1)
        first = svc.app.state.runtime.broker.since
        ready = await svc.client.get("/readyz")
        assert ready.status_code == 200, ready.text
        body = ready.json()
        assert body["checks"] == {"store": True}
        assert body["broker"]["reachable"] is False and body["broker"]["since"] == first
        r = await svc.client.post("/v1/complaints", json=svc.body(), headers=svc.auth("operator"))
        assert r.status_code == 201, r.text  # kept in the outbox until the broker returns
        metrics = (await svc.client.get("/metrics")).text
        assert "qingshan_broker_reachable 0.0" in metrics
        await asyncio.sleep(0.5)  # more probes, all failing: still the same outage
        assert svc.app.state.runtime.broker.since == first
