"""The fault suite's instruments: a channel receiver standing in for the SMS gateway and a WeCom
robot, an open-loop intake load, and a reader that follows the event topics from the start.

Everything is labelled with the phase (fault) that was running when it happened, so the report
can attribute each count to a fault."""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition


class Phase:
    """The label of what is going on now (set by the orchestrator, read by everyone)."""

    name = "setup"


@dataclass
class Hit:
    phase: str
    channel: str
    key: str  # SMS: the Idempotency-Key (delivery id); WeCom: the message content
    at: float
    text: str = ""  # SMS: number and text, what the person would read


class Receiver:
    """A tiny HTTP/1.1 server on 127.0.0.1: POST /sms answers like an SMS gateway that honours
    `Idempotency-Key` (notify's SMS contract: a repeated key is acknowledged, not sent again),
    POST /wecom/<x> like a robot ({"errcode": 0}; robots have no such key). Every request is
    recorded, repeats included."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.hits: list[Hit] = []
        self._server: asyncio.Server | None = None
        self._open: set[asyncio.StreamWriter] = set()
        self._sms_keys: set[str] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._conn, "127.0.0.1", self.port)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            for w in list(self._open):
                w.close()
            await self._server.wait_closed()

    async def _conn(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._open.add(writer)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                _, path, _ = lines[0].split(" ", 2)
                headers = {
                    k.strip().lower(): v.strip()
                    for k, v in (ln.split(":", 1) for ln in lines[1:] if ":" in ln)
                }
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                answer = self._record(path, headers, body)
                out = json.dumps(answer).encode()
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    + f"Content-Length: {len(out)}\r\n\r\n".encode()
                    + out
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, ValueError):
            pass
        except asyncio.CancelledError:
            pass  # shutting down: a connection handler just ends (3.11 logs it otherwise)
        finally:
            self._open.discard(writer)
            writer.close()

    def _record(self, path: str, headers: dict[str, str], body: bytes) -> dict[str, Any]:
        data = json.loads(body or b"{}")
        if path.startswith("/sms"):
            key = headers.get("idempotency-key", "")
            repeat = key in self._sms_keys
            self._sms_keys.add(key)
            text = f"{data.get('to')}\n{data.get('text')}"
            self.hits.append(Hit(Phase.name, "sms", key, time.monotonic(), text))
            return {"ok": True, "id": key, "duplicate": repeat}
        content = data.get("markdown", {}).get("content", "")
        self.hits.append(Hit(Phase.name, "wecom", content, time.monotonic()))
        return {"errcode": 0, "errmsg": "ok"}


@dataclass
class Sent:
    kind: str  # complaint | incident
    ref: str  # external id / idempotency key
    phase: str
    status: int  # 0: no answer (connection refused or reset, timeout)
    retry_after: str | None = None
    entity_id: str | None = None
    backdated: bool = False
    error: str = ""
    retry: bool = False  # a resubmission after a 503 or no answer
    took: float = 0.0


def complaint_body(ref: str, n: int, backdated: bool) -> dict[str, Any]:
    body: dict[str, Any] = {
        "channel": "12345",
        "external_id": ref,
        "category": ("noise", "air", "water", "solid_waste")[n % 4],
        "description": "故障演练：夜间施工噪声扰民",
        "location": {"address": f"南川区东城街道金山路{n}号", "town": "东城街道"},
        "complainant": {"anonymous": True},
    }
    if backdated:  # long past every deadline: the sweeper raises DeadlineOverdue
        body["received_at"] = (datetime.now(UTC) - timedelta(days=20)).isoformat()
    return body


@dataclass
class Load:
    """Open-loop intake: `rate` complaints/s (every `backdate_every`-th back-dated) and an
    incident every `incident_every` complaints, whatever the answers take."""

    complaints_url: str
    risk_url: str
    token: str
    run_id: str
    rate: float = 10.0
    backdate_every: int = 10
    incident_every: int = 20
    max_in_flight: int = 100
    sent: list[Sent] = field(default_factory=list)
    bodies: dict[str, dict[str, Any]] = field(default_factory=dict)
    incident_refs: set[str] = field(default_factory=set)
    _n: int = 0
    _stop: bool = False

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    async def run(self) -> None:
        limits = httpx.Limits(max_connections=self.max_in_flight)
        async with httpx.AsyncClient(timeout=30, limits=limits, headers=self.headers) as client:
            gate = asyncio.Semaphore(self.max_in_flight)
            tasks: set[asyncio.Task[None]] = set()
            start = time.monotonic()
            while not self._stop:
                self._n += 1
                for coro in self._requests(client, self._n):
                    task = asyncio.create_task(self._guarded(gate, coro))
                    tasks.add(task)
                    task.add_done_callback(tasks.discard)
                await asyncio.sleep(max(0.0, start + self._n / self.rate - time.monotonic()))
            if tasks:
                await asyncio.wait(tasks, timeout=35)

    def stop(self) -> None:
        self._stop = True

    @staticmethod
    async def _guarded(gate: asyncio.Semaphore, coro: Any) -> None:
        async with gate:
            await coro

    def _requests(self, client: httpx.AsyncClient, n: int) -> list[Any]:
        ref = f"F{self.run_id}C{n:06d}"
        back = n % self.backdate_every == 0
        out = [self.post(client, "complaint", ref, complaint_body(ref, n, back), back)]
        if n % self.incident_every == 0:
            key = f"F{self.run_id}I{n:06d}"
            body = {
                "title": f"故障演练 {key}",
                "occurred_at": datetime.now(UTC).isoformat(),
                "grade": "IV",
                "media": ["water"],
                "idempotency_key": key,
            }
            self.incident_refs.add(key)
            out.append(self.post(client, "incident", key, body))
        return out

    async def post(
        self,
        client: httpx.AsyncClient,
        kind: str,
        ref: str,
        body: dict[str, Any],
        backdated: bool = False,
    ) -> Sent:
        retry = kind == "retry"
        if retry:
            kind = "incident" if ref in self.incident_refs else "complaint"
        base = self.risk_url if kind == "incident" else self.complaints_url
        s = Sent(kind, ref, Phase.name, 0, backdated=backdated, retry=retry)
        self.bodies.setdefault(ref, body)
        t0 = time.monotonic()
        try:
            r = await client.post(f"{base}/v1/{kind}s", json=body)
        except httpx.HTTPError as exc:
            s.error = type(exc).__name__
        else:
            s.status, s.retry_after = r.status_code, r.headers.get("retry-after")
            if r.status_code in (200, 201):
                s.entity_id = r.json()["id"]
            elif r.status_code >= 500:
                s.error = r.text[:200]
        s.took = round(time.monotonic() - t0, 3)
        self.sent.append(s)
        return s


@dataclass
class Published:
    ce_id: str
    type: str
    subject: str
    topic: str
    phase: str


class TopicReader:
    """Follows the given topics from offset 0 (no group) and counts every record by ce_id."""

    def __init__(self, bootstrap: str, topics: list[str]) -> None:
        self.bootstrap, self.topics = bootstrap, topics
        self.records: list[Published] = []
        self.by_id: Counter[str] = Counter()
        self.by_subject: dict[str, list[Published]] = defaultdict(list)
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _run(self) -> None:
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self.bootstrap, enable_auto_commit=False, group_id=None
        )
        await consumer.start()
        try:
            tps = [
                TopicPartition(t, p)
                for t in self.topics
                for p in sorted(consumer.partitions_for_topic(t) or await _partitions(consumer, t))
            ]
            consumer.assign(tps)
            await consumer.seek_to_beginning(*tps)
            while True:
                batch = await consumer.getmany(timeout_ms=500, max_records=1000)
                for records in batch.values():
                    for rec in records:
                        h = {k: (v or b"").decode() for k, v in rec.headers or ()}
                        p = Published(
                            h.get("ce_id", ""),
                            h.get("ce_type", "").rsplit(".", 1)[-1],
                            h.get("ce_subject", ""),
                            rec.topic,
                            Phase.name,
                        )
                        self.records.append(p)
                        self.by_id[p.ce_id] += 1
                        self.by_subject[p.subject].append(p)
        finally:
            await consumer.stop()


async def _partitions(consumer: AIOKafkaConsumer, topic: str) -> set[int]:
    for _ in range(60):
        await consumer._client.force_metadata_update()  # a service makes it
        parts = consumer.partitions_for_topic(topic)
        if parts:
            return set(parts)
        await asyncio.sleep(0.5)
    raise RuntimeError(f"topic {topic} never appeared")
