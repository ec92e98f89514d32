"""A robot that keeps failing is retried with backoff, then the delivery is dead-lettered with
the reason and notify.delivery.failed goes out; an unparseable event is dead-lettered by the
consumer runner and consumption continues."""

from __future__ import annotations

import itertools

import pytest

from qingshan.notify.v1 import events_pb2 as notify_events
from qingshan_core.events import Envelope

from .events import incident
from .harness import find_record, header, running, settings_for, setup_office
from .receivers import eventually

pytestmark = pytest.mark.integration


async def test_failing_webhook_is_retried_then_dead_lettered(
    infra, mongo_db, topics, receiver, smtp
):
    receiver.answers["/wecom/eo"] = (500, {"errcode": -1, "errmsg": "system busy"})
    s = settings_for(
        infra, mongo_db.name, topics, receiver, smtp, retry_max_attempts=3, retry_base_seconds=0.5
    )
    async with running(s, topics) as n:
        await setup_office(n, receiver)
        env = await n.publish(topics.risk, incident("inc-500"), "inc-500")

        async def wecom_failed() -> dict | None:  # type: ignore[type-arg]
            for d in await n.deliveries(env.id):
                if d["channel"] == "wecom" and d["status"] == "failed" and d["dead_lettered"]:
                    return d
            return None

        d = await eventually(wecom_failed, timeout=40)
        assert len(receiver.at("/wecom/eo")) == 3
        assert [a["outcome"] for a in d["attempts"]] == ["failed"] * 3
        assert all(a["status_code"] == 500 for a in d["attempts"])
        walls = [r.wall for r in receiver.at("/wecom/eo")]
        gaps = [b - a for a, b in itertools.pairwise(walls)]
        assert 0.35 < gaps[0] < gaps[1]  # exponential backoff: 0.5 s then 1 s, ± 20 % jitter
        assert "attempts spent" in d["last_error"] or "HTTP 500" in d["last_error"]
        # The other channels of the same event were not affected.
        others = [x for x in await n.deliveries(env.id) if x["channel"] != "wecom"]
        assert {x["status"] for x in others} == {"sent"} and len(others) == 5

        dead = await find_record(
            infra["bootstrap"], n.dlt_topic, lambda r: header(r, "dlt_delivery_id") == d["id"]
        )
        assert "HTTP 500" in header(dead, "dlt_error")
        assert header(dead, "ce_id") == env.id and header(dead, "dlt_channel") == "wecom"
        assert dead.value == env.data  # the original event rides along

        failed = await find_record(
            infra["bootstrap"],
            "qingshan.notify.v1",
            lambda r: header(r, "ce_subject") == d["id"],
        )
        assert header(failed, "ce_type") == "qingshan.notify.v1.DeliveryFailed"
        msg = notify_events.DeliveryFailed.FromString(failed.value)
        assert msg.event_id == env.id and msg.attempts == 3 and msg.channel == "wecom"
        assert "HTTP 500" in msg.reason and msg.recipient == "group:emergency-office"


async def test_a_channel_that_keeps_failing_trips_its_breaker(
    infra, mongo_db, topics, receiver, smtp
):
    receiver.answers["/wecom/eo"] = (502, {"errcode": -1, "errmsg": "bad gateway"})
    s = settings_for(
        infra,
        mongo_db.name,
        topics,
        receiver,
        smtp,
        retry_max_attempts=1,
        breaker_threshold=2,
        breaker_cooldown_seconds=30,
    )
    async with running(s, topics) as n:
        await setup_office(n, receiver)
        for i in (1, 2):
            await n.publish(topics.risk, incident(f"inc-br{i}"), f"inc-br{i}")
        await eventually(lambda: len(receiver.at("/wecom/eo")) >= 2, timeout=40)

        async def tripped() -> dict | None:  # type: ignore[type-arg]
            chans = {c["channel"]: c for c in (await n.get("/v1/channels")).json()}
            return chans["wecom"] if chans["wecom"]["breaker"] == "open" else None

        wecom = await eventually(tripped, timeout=20)
        assert wecom["failures"] >= 2 and wecom["open_until"]
        third = await n.publish(topics.risk, incident("inc-br3"), "inc-br3")

        async def deferred() -> dict | None:  # type: ignore[type-arg]
            for d in await n.deliveries(third.id):
                if d["channel"] == "wecom" and d["attempts"]:
                    return d
            return None

        d = await eventually(deferred, timeout=40)
        assert d["status"] == "pending" and d["attempt_count"] == 0
        assert "circuit open" in d["attempts"][-1]["detail"]
        assert len(receiver.at("/wecom/eo")) == 2  # the open breaker kept it from the robot
        others = [x for x in await n.deliveries(third.id) if x["channel"] == "dingtalk"]
        assert others  # other channels keep working


async def test_refused_address_fails_at_once(infra, mongo_db, topics, receiver, smtp):
    receiver.answers["/dingtalk/eo"] = (200, {"errcode": 310000, "errmsg": "sign not match"})
    s = settings_for(infra, mongo_db.name, topics, receiver, smtp)
    async with running(s, topics) as n:
        await setup_office(n, receiver)
        env = await n.publish(topics.risk, incident("inc-sign"), "inc-sign")

        async def refused() -> list:  # type: ignore[type-arg]
            return [
                d
                for d in await n.deliveries(env.id)
                if d["channel"] == "dingtalk" and d["status"] == "failed"
            ]

        [d] = await eventually(refused, timeout=40)
        assert d["attempt_count"] == 1 and "310000" in d["last_error"]
        assert len(receiver.at("/dingtalk/eo")) == 1


async def test_unparseable_event_is_dead_lettered_and_consumption_continues(
    infra, mongo_db, topics, receiver, smtp
):
    s = settings_for(infra, mongo_db.name, topics, receiver, smtp)
    async with running(s, topics) as n:
        await setup_office(n, receiver)
        good = Envelope.wrap(incident("inc-x"), source="/t", subject="inc-x")
        garbage = Envelope(
            id="bad-1",
            source="/t",
            type="qingshan.risk.v1.IncidentReported",
            subject="inc-bad",
            time=good.time,
            data=b"\xff\xff\xff not protobuf",
            trace_id=good.trace_id,
        )
        await n.publish_envelope(topics.risk, garbage)
        await n.producer.send_and_wait(topics.risk, value=b"no headers at all", key=b"k")
        await n.publish_envelope(topics.risk, good)
        await eventually(
            lambda: [r for r in receiver.at("/wecom/eo") if "inc-x" in str(r.body)], timeout=40
        )
        dead = await find_record(
            infra["bootstrap"], n.dlt_topic, lambda r: header(r, "ce_id") == "bad-1"
        )
        assert "not a valid" in header(dead, "dlt_error")
        await find_record(
            infra["bootstrap"],
            n.dlt_topic,
            lambda r: "missing CloudEvents" in header(r, "dlt_error"),
        )
