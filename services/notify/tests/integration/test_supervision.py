"""The bureau's 督办 (ComplaintSupervised, issue 15) reaches the handling unit's head through
notify's default rule: inbox and SMS, high priority, the Chinese default template; other
units' heads hear nothing."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from qingshan.complaints.v1 import events_pb2 as complaints

from .events import ts
from .harness import running, settings_for
from .receivers import eventually

pytestmark = pytest.mark.integration
RULE = "default.complaints.ComplaintSupervised"


def supervised(cid: str, unit: str, deadline: datetime | None) -> complaints.ComplaintSupervised:
    msg = complaints.ComplaintSupervised(
        complaint_id=cid,
        occurred_at=ts(),
        unit_id=unit,
        by="supervisor-1",
        reason="群众反映强烈，请现场核查",
        level="bureau",
        supervision_count=2,
        category="noise",
        channel="12345",
    )
    if deadline is not None:
        msg.deadline.CopyFrom(ts(deadline))
    return msg


async def test_the_unit_head_gets_the_bureaus_supervision(infra, mongo_db, topics, receiver, smtp):
    tag = uuid.uuid4().hex[:8]
    unit, other = f"town-{tag}", f"town-{tag}-b"
    people = (
        {"id": f"head-{tag}", "phone": "13800009001"},
        {"id": f"handler-{tag}", "phone": "13800009002"},
        {"id": f"other-{tag}", "phone": "13800009003"},
    )
    s = settings_for(infra, mongo_db.name, topics, receiver, smtp)
    async with running(s, topics) as n:
        for p in people:
            body = {**p, "name": "测试", "quiet_hours": {"enabled": False}}
            r = await n.post("/v1/recipients", body)
            assert r.status_code == 201, r.text
        for uid, heads, handlers in (
            (unit, [f"head-{tag}"], [f"handler-{tag}"]),
            (other, [f"other-{tag}"], []),
        ):
            r = await n.put(
                f"/v1/escalation-chains/{uid}", {"unit_heads": heads, "handlers": handlers}
            )
            assert r.status_code == 200, r.text

        due = datetime(2030, 1, 2, 1, 30, tzinfo=UTC)  # 09:30 in Shanghai
        env = await n.publish(topics.complaints, supervised(f"TS-{tag}", unit, due), f"TS-{tag}")

        async def inbox(sub: str) -> list:  # type: ignore[type-arg]
            r = await n.get("/v1/inbox", headers=n.token(sub, "operator"))
            assert r.status_code == 200, r.text
            return [i for i in r.json() if i["event_id"] == env.id]

        [item] = await eventually(lambda: inbox(f"head-{tag}"), timeout=30)
        assert item["priority"] == "high"
        assert item["title"] == f"【局督办】投诉TS-{tag}（第2次）"
        assert "督办意见：群众反映强烈，请现场核查" in item["body"]
        assert "请于 2030-01-02 09:30 前回复" in item["body"]
        sms = await eventually(
            lambda: [r for r in receiver.at("/sms/send") if r.body["to"] == "13800009001"],
            timeout=30,
        )
        assert len(sms) == 1

        deliveries = await n.deliveries(env.id)
        assert {(d["recipient"], d["channel"]) for d in deliveries} == {
            (f"person:head-{tag}", "inbox"),
            (f"person:head-{tag}", "sms"),
        }
        assert {d["rule_id"] for d in deliveries} == {RULE}
        # The unit's handler and another unit's head are not told.
        assert await inbox(f"handler-{tag}") == []
        assert await inbox(f"other-{tag}") == []
