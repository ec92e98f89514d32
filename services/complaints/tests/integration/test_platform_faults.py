"""Issue 17 when the platform misbehaves: down for a stretch of activity, every step arrives
after it returns, once each, in order per case; 503s, Retry-After and dropped connections are
ridden out; a refused step lands in the dead-letter topic with the platform's answer and raises
the ops event; a 催办 reaches the unit head's inbox (notify on the same stack)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import time

import httpx
import pytest
from prometheus_client import REGISTRY

from notify.bootstrap import create_app as notify_app
from notify.config import Settings as NotifySettings
from qingshan.complaints.v1 import events_pb2 as pb
from qingshan_core.events import Envelope, dead_letter_topic
from qingshan_core.mongo import create_client
from qingshan_core.testing.ports import free_port
from qingshan_core.testing.pytest_plugin import read_topic

from .platform_loop import UNIT, eventually, platform_loop

pytestmark = [pytest.mark.integration, pytest.mark.slow]

# The "down for ten minutes of activity", compressed by configuration (retries at most
# 1 s apart, platform_loop's settings): the simulator is down for OUTAGE seconds while the
# district works five orders through three steps each.
OUTAGE = 8.0
ORDERS = 5


def per_case_seqs(loop, number: str) -> list[int]:
    """The 序号 of the step requests the platform received for an order, in arrival order,
    each taken once (the first arrival of each key)."""
    seen: dict[str, int] = {}
    for r in loop.sim.requests:
        if r["number"] == number and r["key"] not in seen:
            seen[r["key"]] = r["body"]["序号"]
    return list(seen.values())


@pytest.mark.timeout(240)
async def test_platform_down_then_back_every_step_arrives_once_in_order(infra):
    async with platform_loop(infra) as loop:
        orders = [await loop.dispatch() for _ in range(ORDERS)]
        h = loop.handler
        await loop.sim.stop()  # the city platform goes down
        started = asyncio.get_running_loop().time()
        for _, case_id in orders:
            await loop.act(case_id, "accept", h)
        for number, case_id in orders:
            await loop.act(case_id, "reply", h, text=f"已处理 {number}")
        for _, case_id in orders:
            await loop.act(case_id, "close", loop.auth("supervisor"), substantiated=True)
        pending = loop.ctx.platform_queue.pending

        async def all_queued() -> bool:
            return await pending.count_documents({}) == 3 * ORDERS

        await eventually(all_queued)  # every step waits; only a case's first one is tried
        await asyncio.sleep(max(0.0, OUTAGE - (asyncio.get_running_loop().time() - started)))
        heads = await pending.find({"step": "accept"}).to_list()
        assert len(heads) == ORDERS and all(d["attempts"] >= 3 for d in heads), heads
        later = await pending.find({"step": {"$ne": "accept"}}).to_list()
        assert all(d["attempts"] == 0 for d in later)  # in order: none tried before its turn
        assert loop.sim.requests == []  # nothing reached a platform that was down

        # Back, but shaky: two 503s with Retry-After, then two steps taken and the connection
        # dropped before the answer (qingshan cannot know they arrived, and sends them again).
        loop.sim.faults.fail_next, loop.sim.faults.retry_after = 2, 1
        loop.sim.faults.drop_next = 2
        await loop.sim.start(loop.sim.port)
        for number, _ in orders:
            await eventually(lambda n=number: loop.delivered(n, 3), timeout=60)
        for number, _ in orders:
            city = loop.city_view(number)
            assert city["状态"] == "已办结" and city["办理结果"] == f"已处理 {number}"
            assert [s["办理环节"] for s in city["环节"]] == ["签收", "回复", "办结"]
            keys = [s["key"] for s in city["环节"]]
            assert len(keys) == len(set(keys)) == 3  # once each
            assert per_case_seqs(loop, number) == sorted(per_case_seqs(loop, number))
        repeats = len(loop.sim.requests) - len({r["key"] for r in loop.sim.requests})
        assert repeats >= 2  # the 503s and the dropped answers were sent again …
        assert len(loop.sim.book.keys) == 3 * ORDERS  # … and taken once


@pytest.mark.timeout(120)
async def test_a_refused_step_is_dead_lettered_with_the_answer_and_raises_the_ops_event(infra):
    async with platform_loop(infra) as loop:
        refused_before = (
            REGISTRY.get_sample_value(
                "qingshan_complaints_platform_steps_total",
                {"platform": "12345", "outcome": "refused"},
            )
            or 0.0
        )
        loop.sim.faults.refuse = {"签收": 422}
        number, case_id = await loop.dispatch()
        await loop.act(case_id, "accept", loop.handler)
        await loop.act(case_id, "reply", loop.handler, text="已处理")
        # An order the platform never sent (filed by hand with a made-up number): 404.
        r = await loop.http.post(
            "/v1/complaints",
            json={
                "channel": "12345",
                "external_id": "GD-UNKNOWN-" + uuid.uuid4().hex[:6],
                "category": "air",
                "description": "异味扰民",
                "location": {"address": "南川区大观镇", "town": "大观镇"},
                "complainant": {"anonymous": True},
            },
            headers=loop.auth("operator"),
        )
        assert r.status_code == 201, r.text
        stray = r.json()
        await loop.act(stray["id"], "assign", loop.auth("operator"), unit_id=UNIT)
        await loop.act(stray["id"], "accept", loop.handler)

        async def settled() -> bool:
            a = (await loop.order(number))["steps"]
            b = (await loop.order(stray["external_id"]))["steps"]
            return [s["outcome"] for s in a + b] == ["refused"] * 3

        await eventually(settled)
        accept, reply = (await loop.order(number))["steps"]
        assert accept["status"] == 422 and "STEP_REFUSED" in accept["answer"]
        # qingshan does not hold later steps back behind a refusal: the city judges them, and
        # 回复 before 签收 is out of order there (409), refused in its turn.
        assert reply["status"] == 409 and "STEP_OUT_OF_ORDER" in reply["answer"]
        dlt = dead_letter_topic(f"qingshan.{loop.settings.service_name}.platform-steps")
        records = await read_topic(infra["bootstrap"], dlt, expect=3, timeout=30)
        by_key = {dict(r.headers)["dlt_step_key"].decode(): r for r in records}
        assert len(records) == 3
        assert set(by_key) == {
            f"{case_id}:2:accept",
            f"{case_id}:3:reply",
            f"{stray['id']}:2:accept",
        }
        ours = dict(by_key[f"{case_id}:2:accept"].headers)
        assert ours["dlt_platform_status"] == b"422"
        assert "平台拒收签收" in ours["dlt_platform_answer"].decode()
        stray_answer = dict(by_key[f"{stray['id']}:2:accept"].headers)
        assert stray_answer["dlt_platform_status"] == b"404"
        step = pb.PlatformStepQueued.FromString(by_key[f"{case_id}:2:accept"].value)
        assert (step.order_number, step.step, step.seq) == (number, "accept", 2)

        # Read to the end of the service's own (test-private) topic: the ops events are there.
        events = await read_topic(infra["bootstrap"], loop.settings.topic, expect=10**6, timeout=4)
        refusals = [
            Envelope.from_record(r.headers, r.value).decode()
            for r in events
            if dict(r.headers).get("ce_type") == b"qingshan.complaints.v1.PlatformStepRefused"
        ]
        assert sorted((m.order_number, m.step, m.http_status) for m in refusals) == sorted(
            [(number, "accept", 422), (number, "reply", 409), (stray["external_id"], "accept", 404)]
        )
        refused_now = REGISTRY.get_sample_value(
            "qingshan_complaints_platform_steps_total", {"platform": "12345", "outcome": "refused"}
        )
        assert refused_now == refused_before + 3
        metrics = await loop.http.get("/metrics")
        assert "qingshan_complaints_platform_steps_total" in metrics.text


@pytest.mark.timeout(120)
async def test_an_urge_reaches_the_unit_head_inbox(infra):
    async with platform_loop(infra) as loop:
        tag = uuid.uuid4().hex[:8]
        settings = NotifySettings(
            environment="test",
            mongo_uri=infra["mongo_uri"],
            mongo_db=f"t_platform_notify_{tag}",
            kafka_bootstrap=infra["bootstrap"],
            grpc_port=free_port(),
            consume_topics=[loop.settings.topic],
            consumer_name=f"platform{tag}",
            smtp_port=free_port(),
            smtp_security="none",
            relay_poll_seconds=0.2,
            dispatch_poll_seconds=0.2,
            quiet_start=time(0, 0),
            quiet_end=time(0, 0),
            log_level="WARNING",
        )
        app = notify_app(settings)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://notify") as n:
                admin = loop.auth("admin")
                r = await n.post(
                    "/v1/recipients", json={"id": "head-a", "name": "李主任"}, headers=admin
                )
                assert r.status_code == 201, r.text
                # The unit head is the registry's (complaints' /v1/units); notify learns it
                # from the unit events on complaints' topic.
                r = await loop.http.patch(
                    f"/v1/units/{UNIT}", json={"head": "head-a"}, headers=admin
                )
                assert r.status_code == 200, r.text

                async def chain() -> bool:
                    got = (await n.get("/v1/escalation-chains", headers=admin)).json()
                    return any(c["unit"] == UNIT and c["unit_heads"] == ["head-a"] for c in got)

                await eventually(chain, timeout=30)
                number, _ = await loop.dispatch()
                r = await loop.sim.urge(number, note="群众多次来电")
                assert r.status_code == 200, r.text
                r = await loop.sim.urge(number, supervise=True, note="市中心督办")
                assert r.status_code == 200 and r.json()["escalation_level"] == "supervise"
                head = {"Authorization": loop.auth("supervisor", sub="head-a")["Authorization"]}

                async def inbox() -> list:
                    got = (await n.get("/v1/inbox", headers=head)).json()
                    return got if len(got) >= 2 else []

                messages = await eventually(inbox, timeout=60)
                titles = sorted(m["title"] for m in messages)
                assert any(t.startswith("【催办】") and number in t for t in titles), titles
                assert any(t.startswith("【督办】") and number in t for t in titles), titles
        c = create_client(infra["mongo_uri"], "qingshan-tests")
        await c.drop_database(settings.mongo_db)
        await c.close()
