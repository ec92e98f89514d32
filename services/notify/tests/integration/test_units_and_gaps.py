"""complaints' unit registry drives notify's directory over Kafka (a unit's head receives its
overdue notices, a retired unit's do not), and a notice nobody can receive is an ops event on
notify's topic, a /metrics count and a line of GET /v1/admin/unreachable."""

from __future__ import annotations

import uuid

import pytest

from qingshan.complaints.v1 import events_pb2 as complaints
from qingshan.notify.v1 import events_pb2 as notify_pb
from qingshan_core.events import Envelope

from .events import ts
from .harness import find_record, running, settings_for
from .receivers import eventually

pytestmark = pytest.mark.integration
NOTIFY_TOPIC = "qingshan.notify.v1"
RULE = "default.complaints.DeadlineOverdue"


def unit_event(cls, uid: str, version: int, head: str, active: bool = True):  # type: ignore[no-untyped-def]
    unit = complaints.HandlingUnit(
        id=uid, name="白沙镇", kind="town", head=head, contacts=[], active=active, version=version
    )
    return cls(unit=unit, occurred_at=ts(), changed_by="admin-1")


def overdue(cid: str, uid: str) -> complaints.DeadlineOverdue:
    alert = complaints.DeadlineAlert(
        complaint_id=cid, occurred_at=ts(), stage="reply", level="overdue", due_at=ts(), unit_id=uid
    )
    return complaints.DeadlineOverdue(alert=alert)


async def test_the_registry_names_the_head_and_gaps_are_told(
    infra, mongo_db, topics, receiver, smtp
):
    tag = uuid.uuid4().hex[:8]
    uid, head = f"town-{tag}", f"head-{tag}"
    s = settings_for(infra, mongo_db.name, topics, receiver, smtp)
    async with running(s, topics) as n:
        r = await n.post(
            "/v1/recipients", {"id": head, "name": "镇长", "email": f"{head}@x.example.cn"}
        )
        assert r.status_code == 201, r.text
        await n.publish(topics.complaints, unit_event(complaints.UnitRegistered, uid, 1, head), uid)

        async def chain() -> dict | None:  # type: ignore[type-arg]
            r = await n.get("/v1/escalation-chains")
            return next((c for c in r.json() if c["unit"] == uid), None)

        got = await eventually(chain, timeout=30)
        assert got["unit_heads"] == [head] and got["source"] == "registry"
        put = await n.put(f"/v1/escalation-chains/{uid}", {"unit_heads": ["someone"]})
        assert put.status_code == 422 and put.json()["errors"][0]["field"] == "unit_heads"

        # The unit's overdue case reaches its head (inbox and e-mail).
        env = await n.publish(topics.complaints, overdue(f"TS-{tag}-1", uid), f"TS-{tag}-1")
        inbox = await eventually(lambda: _items(n, head, env.id), timeout=30)
        assert inbox[0]["priority"] == "high"
        await eventually(lambda: any(head in str(m) for m in smtp.messages), timeout=30)

        # Retired: no chain for it any more, and the bureau-wide chain has no unit head here.
        await n.publish(
            topics.complaints, unit_event(complaints.UnitRetired, uid, 2, head, active=False), uid
        )
        await eventually(lambda: _gone(n, uid), timeout=30)
        late = await n.publish(topics.complaints, overdue(f"TS-{tag}-2", uid), f"TS-{tag}-2")
        key = f"{RULE}/{uid}/unit_head"

        async def listed() -> dict | None:  # type: ignore[type-arg]
            r = await n.get("/v1/admin/unreachable")
            return next((g for g in r.json()["items"] if g["key"] == key), None)

        gap = await eventually(listed, timeout=30)
        assert gap["open"] and gap["notices"] == 1 and gap["scope"] == uid
        assert gap["role"] == "unit_head" and gap["role_label"] == "单位负责人"
        assert gap["rule_id"] == RULE and uid in gap["reason"]
        assert await n.deliveries(late.id) == []

        again = await n.publish(topics.complaints, overdue(f"TS-{tag}-3", uid), f"TS-{tag}-3")
        await eventually(lambda: _notices(n, key, 2), timeout=30)
        del again
        metrics = (await n.http.get("/metrics")).text
        assert (
            f'qingshan_notify_unreachable_notices_total{{kind="unit_level",role="unit_head",rule="{RULE}"}}'
            in metrics
        )

        record = await find_record(
            s.kafka_bootstrap, NOTIFY_TOPIC, lambda rec: rec.key == key.encode(), timeout=30
        )
        told = Envelope.from_record(record.headers, record.value).decode()
        assert isinstance(told, notify_pb.RecipientUnreachable)
        assert (told.rule_id, told.kind, told.scope, told.role) == (
            RULE,
            "unit_level",
            uid,
            "unit_head",
        )
        assert told.event_id == late.id and told.notices == 1
        # Once a day: the second notice did not publish a second event.
        records = await _all_for(s.kafka_bootstrap, key)
        assert len(records) == 1


async def _items(n, sub: str, event_id: str) -> list:  # type: ignore[no-untyped-def,type-arg]
    r = await n.get("/v1/inbox", headers=n.token(sub, "operator"))
    return [i for i in r.json() if i["event_id"] == event_id]


async def _gone(n, uid: str) -> bool:  # type: ignore[no-untyped-def]
    r = await n.get("/v1/escalation-chains")
    return all(c["unit"] != uid for c in r.json())


async def _notices(n, key: str, count: int) -> bool:  # type: ignore[no-untyped-def]
    r = await n.get("/v1/admin/unreachable")
    return any(g["key"] == key and g["notices"] == count for g in r.json()["items"])


async def _all_for(bootstrap: str, key: str) -> list:  # type: ignore[type-arg]
    from qingshan_core.testing.pytest_plugin import read_topic

    recs = await read_topic(bootstrap, NOTIFY_TOPIC, expect=10**6, timeout=3)
    return [r for r in recs if r.key == key.encode()]
