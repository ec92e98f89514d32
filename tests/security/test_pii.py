"""Personal data: a full complaints scenario (HTTP intake with name and phone, assign, accept,
reply, close, follow-up, the audited reveal, an Open311 post, a gRPC submit) and the notify
delivery its hotspot event causes. Afterwards no reporter's name or phone number — in any
common spelling — may be found in a log line the services wrote, in a record they published on
qingshan.*.v1 for these cases, or in what they stored: only the audited reveal shows them."""

from __future__ import annotations

import asyncio
import random
import string
import uuid
from collections.abc import Iterator
from typing import Any

import grpc
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from qingshan.complaints.v1 import complaints_service_pb2 as pb
from qingshan.complaints.v1 import complaints_service_pb2_grpc as pb_grpc
from qingshan_core import kafka
from qingshan_core.mongo import create_client
from qingshan_core.testing.ports import free_port

from .conftest import Running, running

pytestmark = [pytest.mark.integration, pytest.mark.slow]

PEOPLE = {"张三": "13812345678", "李四": "13912345678", "王五": "13712345678"}
NOTIFY = {"retry_max_attempts": 1, "dispatch_poll_seconds": 0.2, "webhook_timeout_seconds": 1}
PLACE = {"address": "南川区东城街道金山路18号", "town": "东城街道"}


def spellings(phone: str) -> list[str]:
    a, b, c = phone[:3], phone[3:7], phone[7:]
    return [
        phone,
        f"{a}-{b}-{c}",
        f"{a} {b} {c}",
        f"+86{phone}",
        f"+86 {phone}",
        f"+86 {a} {b} {c}",
        f"+86-{a}-{b}-{c}",
        f"0086{phone}",
    ]


NEEDLES = [*PEOPLE, *(s for phone in PEOPLE.values() for s in spellings(phone))]


def leaks(text: str) -> list[str]:
    return [n for n in NEEDLES if n in text]


def strings(value: Any) -> Iterator[str]:
    """Every text in a stored document, bytes decoded as they would be read."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield str(k)
            yield from strings(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from strings(v)
    elif isinstance(value, bytes):
        yield value.decode("utf-8", "replace")
    elif value is not None:
        yield str(value)


class TopicWatch:
    """Reads what is published on some topics after the moment it started."""

    def __init__(self, bootstrap: str, topics: list[str]) -> None:
        self.bootstrap, self.topics = bootstrap, topics
        self.consumer = AIOKafkaConsumer(
            bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None
        )

    async def __aenter__(self) -> TopicWatch:
        await kafka.ensure_topics(self.bootstrap, self.topics)
        admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap)
        await admin.start()
        try:
            described = await admin.describe_topics(self.topics)
        finally:
            await admin.close()
        parts = [
            TopicPartition(t["topic"], p["partition"]) for t in described for p in t["partitions"]
        ]
        await self.consumer.start()
        self.consumer.assign(parts)
        await self.consumer.seek_to_end(*parts)
        for tp in parts:
            await self.consumer.position(tp)  # pin the start before anything is published
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.consumer.stop()

    async def drain(self, idle: float = 2.0) -> list[Any]:
        records: list[Any] = []
        while batch := await self.consumer.getmany(timeout_ms=int(idle * 1000)):
            for recs in batch.values():
                records.extend(recs)
        return records


async def outbox_drained(svc: Running, timeout: float = 30) -> None:
    """Wait until the relay has published every pending event of the service."""
    db = svc.app.state.runtime.db
    for _ in range(int(timeout / 0.2)):
        if await db.outbox_pending.count_documents({}) == 0:
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"{svc.name}: events still pending after {timeout}s")


async def act(svc: Running, cid: str, action: str, role: str, **body: Any) -> dict[str, Any]:
    unit = "town-01" if role == "unit_handler" else None
    r = await svc.client.post(
        f"/v1/complaints/{cid}/{action}", json=body, headers=svc.auth(role, unit)
    )
    assert r.status_code == 200, r.text
    return dict(r.json())


async def complaints_scenario(svc: Running) -> tuple[set[str], str]:
    """Everything a complaint goes through; returns the case ids and the one revealed."""
    ids: set[str] = set()
    # Three reports at one place: the third raises the hotspot notify passes on.
    for i, phone in enumerate(("+86 138-1234-5678", None, None)):
        body = {
            "channel": "12345",
            "external_id": f"PII{uuid.uuid4().hex[:10]}",
            "category": "noise",
            "description": "夜间施工噪声扰民",
            "location": PLACE,
            "complainant": {"name": "张三", "phone": phone} if i == 0 else {"anonymous": True},
        }
        r = await svc.client.post("/v1/complaints", json=body, headers=svc.auth("operator"))
        assert r.status_code == 201, r.text
        ids.add(r.json()["id"])
    first = min(ids)
    await act(svc, first, "assign", "supervisor", unit_id="town-01")
    await act(svc, first, "accept", "unit_handler")
    await act(svc, first, "reply", "unit_handler", text="已责令停工整改")
    await act(svc, first, "close", "supervisor", substantiated=True)
    await act(svc, first, "follow-up", "operator", satisfaction="satisfied")
    shown = await svc.client.get(
        f"/v1/complaints/{first}/complainant",
        params={"purpose": "核实举报情况"},
        headers=svc.auth("supervisor"),
    )
    assert shown.json() == {"anonymous": False, "name": "张三", "phone": "13812345678"}

    form = {
        "service_code": "water",
        "description": "河道排污",
        "address_string": "南川区大观镇大溪河",
        "last_name": "李",
        "first_name": "四",
        "phone": "139 1234 5678",
    }
    token = svc.codec.issue("civic-app", "public")
    r = await svc.client.post("/open311/v2/requests.json", data={**form, "api_key": token})
    assert r.status_code == 200, r.text
    ids.add(r.json()[0]["service_request_id"])
    # The reporter asks for erasure (个人信息保护法 第四十七条): the case stays, the person goes.
    erased = r.json()[0]["service_request_id"]
    r = await svc.client.post(
        f"/v1/complaints/{erased}/erase",
        json={"reason": "本人申请删除个人信息"},
        headers=svc.auth("admin"),
    )
    assert r.status_code == 200 and {"name", "phone"} <= set(r.json()["removed"]), r.text
    gone = await svc.client.get(
        f"/v1/complaints/{erased}/complainant",
        params={"purpose": "核实举报情况"},
        headers=svc.auth("supervisor"),
    )
    assert gone.status_code == 410 and "139" not in gone.text

    meta = (("authorization", f"Bearer {svc.codec.issue('city-12345', 'integration')}"),)
    async with grpc.aio.insecure_channel(f"127.0.0.1:{svc.settings.grpc_port}") as channel:
        reply = await pb_grpc.ComplaintServiceStub(channel).SubmitComplaint(
            pb.SubmitComplaintRequest(
                channel="12345",
                external_id=f"PII{uuid.uuid4().hex[:10]}",
                category="air",
                description="工厂废气异味",
                location=pb.Location(address="南川区南平镇工业园", town="南平镇"),
                complainant=pb.Complainant(name="王五", phone="0086-137-1234-5678"),
            ),
            metadata=meta,
        )
    ids.add(reply.complaint.id)
    return ids, first


async def forward(records: list[Any], keys: set[str], bootstrap: str, topic: str) -> int:
    """Hand these cases' events to the notify instance under test (it reads its own topic)."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        mine = [r for r in records if r.key and r.key.decode() in keys]
        for r in mine:
            await producer.send_and_wait(topic, value=r.value, key=r.key, headers=list(r.headers))
        return len(mine)
    finally:
        await producer.stop()


async def hotspot_handled(notify: Running, timeout: float = 30) -> list[dict[str, Any]]:
    """The hotspot's deliveries once the inbox one is sent and the robot one has failed."""
    for _ in range(int(timeout / 0.3)):
        r = await notify.client.get("/v1/deliveries", headers=notify.auth("admin"))
        mine = [d for d in r.json() if d["event_type"].endswith("HotspotDetected")]
        if {(d["channel"], d["status"]) for d in mine} >= {("inbox", "sent"), ("wecom", "failed")}:
            return mine
        await asyncio.sleep(0.3)
    raise AssertionError("the hotspot was not delivered to the inbox and tried on the robot")


async def test_no_personal_data_in_logs_events_or_store(
    infra: dict[str, str], capfd: pytest.CaptureFixture[str]
) -> None:
    bootstrap = infra["bootstrap"]
    feed = f"test.security.pii.{uuid.uuid4().hex[:10]}"
    prefix = "".join(random.choices(string.ascii_uppercase, k=6))
    topics = ["qingshan.complaints.v1", "qingshan.notify.v1"]
    await kafka.ensure_topics(bootstrap, [feed])
    async with (
        TopicWatch(bootstrap, topics) as watch,
        running("complaints", infra, id_prefix=prefix) as complaints,
        running("notify", infra, consume_topics=[feed], **NOTIFY) as notify,
    ):
        admin = notify.auth("admin")
        staff = {"id": "sup-1", "name": "督办员", "subject": "supervisor-1"}
        r = await notify.client.post("/v1/recipients", json=staff, headers=admin)
        assert r.status_code == 201, r.text
        # A robot nobody answers: its delivery fails at once and notify publishes DeliveryFailed.
        robot = {"url": f"http://127.0.0.1:{free_port()}/cgi-bin/webhook/send?key=k"}
        group = {"id": "supervisors", "name": "督办人员", "members": ["sup-1"], "wecom": robot}
        r = await notify.client.put("/v1/groups/supervisors", json=group, headers=admin)
        assert r.status_code == 200, r.text

        ids, revealed = await complaints_scenario(complaints)
        await outbox_drained(complaints)
        published = await watch.drain()
        assert await forward(published, ids, bootstrap, feed) >= 10
        deliveries = await hotspot_handled(notify)
        await outbox_drained(notify)
        published += await watch.drain()

        stored: dict[str, list[Any]] = {}
        client = create_client(infra["mongo_uri"], "qingshan-tests")
        try:
            for svc in (complaints, notify):
                db = client[svc.settings.mongo_db]
                for name in await db.list_collection_names():
                    stored[f"{svc.name}.{name}"] = await db[name].find({}).to_list()
        finally:
            await client.close()

    notify_keys = {d["id"] for d in deliveries}
    records = [
        r
        for r in published
        if r.key and r.key.decode() in (ids if r.topic.endswith("complaints.v1") else notify_keys)
    ]
    assert {r.topic for r in records} == set(topics), "both services published for these cases"
    for r in records:
        blob = b"".join([r.key or b"", r.value or b"", *(v for _, v in r.headers)])
        text = blob.decode("utf-8", "replace")
        assert not leaks(text), f"{r.topic} record {r.key!r} carries {leaks(text)}"

    assert revealed in {d["_id"] for d in stored["complaints.complaints"]}
    for where, docs in stored.items():
        for doc in docs:
            found = [n for s in strings(doc) for n in leaks(s)]
            assert not found, f"{where} {doc.get('_id')!r} stores {found}"

    out, err = capfd.readouterr()
    lines = [line for line in (out + err).splitlines() if line.strip()]
    assert sum('"event"' in line for line in lines) > 0, "the services logged nothing at all"
    for line in lines:
        assert not leaks(line), f"a log line carries {leaks(line)}: {line[:300]}"
