"""End-to-end delays: from a service's HTTP answer to the notification at a robot webhook.

A small HTTP receiver on 127.0.0.1 stands in for the WeCom robot; notify is configured over its
own API (a recipient whose robot is the receiver, and critical rules for the two events), so
the path measured is the real one: HTTP → outbox → relay → Kafka → notify consumer → delivery
document → dispatcher → webhook.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

COMPLAINTS, RISK, NOTIFY = (f"http://127.0.0.1:2800{i}" for i in (1, 3, 4))


class Receiver:
    """Records when each request body arrived."""

    def __init__(self) -> None:
        self.hits: list[tuple[float, str]] = []
        self.server: asyncio.AbstractServer | None = None
        self.port = 0

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.decode("latin-1").split("\r\n"):
                    if line.lower().startswith("content-length:"):
                        length = int(line.split(":", 1)[1])
                body = await reader.readexactly(length) if length else b""
                self.hits.append((time.perf_counter(), body.decode("utf-8", "replace")))
                reply = b'{"errcode":0,"errmsg":"ok"}'
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    + f"Content-Length: {len(reply)}\r\n\r\n".encode()
                    + reply
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def first_hit_containing(self, text: str, timeout: float = 30) -> float | None:
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            for at, body in self.hits:
                if text in body:
                    return at
            await asyncio.sleep(0.01)
        return None

    async def stop(self) -> None:
        if self.server:
            self.server.close()


def notify_env(receiver_port: int) -> dict[str, str]:
    """Environment for the services so the measured path is not held or throttled."""
    del receiver_port
    return {
        "QINGSHAN_NOTIFY_WEBHOOK_REQUIRE_HTTPS": "false",
        "QINGSHAN_NOTIFY_WEBHOOK_ALLOWED_HOSTS": '["127.0.0.1"]',
        "QINGSHAN_NOTIFY_RATE_LIMITS": json.dumps(
            {"sms": 10**6, "wecom": 10**6, "dingtalk": 10**6, "email": 10**6}
        ),
        "QINGSHAN_NOTIFY_DISPATCH_POLL_SECONDS": "0.2",
        "QINGSHAN_COMPLAINTS_SWEEP_SECONDS": "0.5",
        # The bench loads the services on purpose: no abuse limits (qingshan_core.ratelimit).
        **{
            f"QINGSHAN_{name}_HTTP_RATE_LIMIT_ENABLED": "false"
            for name in ("COMPLAINTS", "PROJECTS", "RISK", "NOTIFY")
        },
    }


async def configure_notify(admin: str, receiver_port: int) -> None:
    """A recipient whose WeCom robot is the receiver; critical rules for the two events."""
    h = {"Authorization": f"Bearer {admin}"}
    robot = {"url": f"http://127.0.0.1:{receiver_port}/cgi-bin/webhook/send?key=bench"}
    async with httpx.AsyncClient(base_url=NOTIFY, headers=h, timeout=30) as c:
        r = await c.post(
            "/v1/recipients",
            json={
                "id": "bench-desk",
                "name": "值班台",
                "wecom": robot,
                "quiet_hours": {"enabled": False},
            },
        )
        assert r.status_code in (200, 201), r.text
        for rid, event_type in (
            ("bench-overdue", "qingshan.complaints.v1.DeadlineOverdue"),
            ("bench-incident", "qingshan.risk.v1.IncidentRegistered"),
        ):
            r = await c.post(
                "/v1/rules",
                json={
                    "id": rid,
                    "name": rid,
                    "event_type": event_type,
                    "channels": ["wecom"],
                    "targets": [{"kind": "recipient", "ref": "bench-desk"}],
                    "priority": "critical",
                },
            )
            assert r.status_code in (200, 201), r.text


def pcts(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
    return {"p50": pick(0.5), "p95": pick(0.95), "p99": pick(0.99), "n": len(ordered)}


async def overdue_complaints(receiver: Receiver, token: str, n: int) -> dict[str, float]:
    """201 of a complaint whose assignment deadline passed days ago → the overdue notice."""
    h = {"Authorization": f"Bearer {token}"}
    delays: list[float] = []
    received = (datetime.now(UTC) - timedelta(days=4)).isoformat()
    async with httpx.AsyncClient(base_url=COMPLAINTS, headers=h, timeout=30) as c:
        for i in range(n):
            body = {
                "channel": "12345",
                "external_id": f"E2E-{uuid.uuid4().hex[:10]}",
                "category": "noise",
                "description": "端到端测量",
                "received_at": received,
                "location": {"address": f"端到端路{i}号"},
                "complainant": {"anonymous": True},
            }
            r = await c.post("/v1/complaints", json=body)
            t0 = time.perf_counter()
            assert r.status_code == 201, r.text
            at = await receiver.first_hit_containing(r.json()["id"])
            if at is not None:
                delays.append((at - t0) * 1000)
            await asyncio.sleep(0.2)
    return pcts(delays)


async def incidents(receiver: Receiver, token: str, n: int) -> dict[str, float]:
    """201 of an incident report → the emergency notice."""
    h = {"Authorization": f"Bearer {token}"}
    delays: list[float] = []
    async with httpx.AsyncClient(base_url=RISK, headers=h, timeout=30) as c:
        for i in range(n):
            body: dict[str, Any] = {
                "title": f"端到端测量事件{i}",
                "occurred_at": datetime.now(UTC).isoformat(),
                "grade": "IV",
                "media": ["water"],
            }
            r = await c.post("/v1/incidents", json=body)
            t0 = time.perf_counter()
            assert r.status_code == 201, r.text
            at = await receiver.first_hit_containing(r.json()["id"])
            if at is not None:
                delays.append((at - t0) * 1000)
            await asyncio.sleep(0.2)
    return pcts(delays)
