"""An incident reaches the emergency office's robots, phones and inboxes — once, even when Kafka
delivers the event twice or a new consumer group replays the topic — and how fast it does."""

from __future__ import annotations

import base64
import hashlib
import hmac
import statistics
import time

import pytest

from .events import incident
from .harness import running, settings_for, setup_office
from .receivers import eventually

pytestmark = pytest.mark.integration


def mentions(receiver, incident_id: str) -> list:  # type: ignore[no-untyped-def]
    return [r for r in receiver.requests if incident_id in str(r.body)]


async def test_incident_reaches_the_emergency_office_once(infra, mongo_db, topics, receiver, smtp):
    s = settings_for(infra, mongo_db.name, topics, receiver, smtp)
    async with running(s, topics) as n:
        await setup_office(n, receiver)
        env = await n.publish(topics.risk, incident("inc-101"), "inc-101")
        await eventually(lambda: len(mentions(receiver, "inc-101")) >= 4, timeout=40)

        wecom = receiver.at("/wecom/eo")
        assert len(wecom) == 1 and wecom[0].query["key"] == ["k-eo"]
        assert "【突发环境事件】inc-101 初报已报送" in wecom[0].body["markdown"]["content"]
        [ding] = receiver.at("/dingtalk/eo")
        stamp, sign = ding.query["timestamp"][0], ding.query["sign"][0]
        expected = hmac.new(b"SEC-eo", f"{stamp}\nSEC-eo".encode(), hashlib.sha256).digest()
        assert base64.b64decode(sign) == expected  # the query was url-decoded once
        assert abs(int(stamp) / 1000 - time.time()) < 60
        sms = receiver.at("/sms/send")
        assert sorted(r.body["to"] for r in sms) == ["13800000001", "13800000002"]
        assert all(r.headers["Authorization"] == "Bearer test-key" for r in sms)

        inbox = (await n.get("/v1/inbox", headers=n.token("alice", "operator"))).json()
        [item] = [i for i in inbox if i["event_id"] == env.id]
        assert item["priority"] == "critical" and item["ack_required"]

        async def all_sent() -> list:  # type: ignore[type-arg]
            found = await n.deliveries(env.id)
            return found if {d["status"] for d in found} == {"sent"} else []

        deliveries = await eventually(all_sent, timeout=20)
        assert len(deliveries) == 6  # 2 robots + 2 SMS + 2 inboxes
        assert all(d["attempts"][0]["outcome"] == "sent" for d in deliveries)

        # Kafka delivers the same event again (same CloudEvents id); then a later event.
        await n.publish_envelope(topics.risk, env)
        await n.publish(topics.risk, incident("inc-102"), "inc-102")
        await eventually(lambda: len(mentions(receiver, "inc-102")) >= 4, timeout=40)
        assert len(mentions(receiver, "inc-101")) == 4
        assert len(await n.deliveries(env.id)) == 6

    # A new consumer group replays the whole topic into the same store: nothing is re-sent.
    replay = s.model_copy(update={"consumer_name": s.consumer_name + "-replay"})
    async with running(replay, topics):
        group = f"qingshan.notify.{replay.consumer_name}"

        async def replayed() -> bool:
            return await mongo_db.processed_events.count_documents({"group": group}) >= 2

        await eventually(replayed, timeout=40)
        assert len(mentions(receiver, "inc-101")) == 4
        assert len(mentions(receiver, "inc-102")) == 4


async def test_end_to_end_delay_from_kafka_to_webhook(infra, mongo_db, topics, receiver, smtp):
    s = settings_for(infra, mongo_db.name, topics, receiver, smtp, rate_limits={})
    async with running(s, topics) as n:
        await setup_office(n, receiver)
        await n.publish(topics.risk, incident("warm-up"), "warm-up")  # joins the group first
        await eventually(lambda: receiver.at("/wecom/eo"), timeout=40)
        delays: list[float] = []
        for i in range(30):
            iid = f"lat-{i}"
            started = time.perf_counter()
            await n.publish(topics.risk, incident(iid), iid)
            hit = await eventually(
                lambda iid=iid: [r for r in receiver.at("/wecom/eo") if iid in str(r.body)],
                timeout=20,
                every=0.002,
            )
            delays.append((hit[0].at - started) * 1000)
        p50 = statistics.median(delays)
        p95 = sorted(delays)[int(len(delays) * 0.95) - 1]
        print(
            f"\nend-to-end delay Kafka publish → WeCom webhook (ms), n={len(delays)}: "
            f"min {min(delays):.1f}, median {p50:.1f}, p95 {p95:.1f}, max {max(delays):.1f}"
        )
        assert p50 < 2000
