"""With the clock injected: at 23:00 a non-critical message waits until 07:00 while an incident
goes at once; low-priority messages are grouped into one daily digest; an incident nobody
acknowledges is escalated to the supervisors (and notify.notice.escalated goes out)."""

from __future__ import annotations

import asyncio
from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from notify.adapters.clock import ManualClock

from .events import incident, rates, warning
from .harness import find_record, header, running, settings_for, setup_office
from .receivers import eventually

pytestmark = pytest.mark.integration
SH = ZoneInfo("Asia/Shanghai")


async def test_quiet_hours_hold_non_critical_until_seven(infra, mongo_db, topics, receiver, smtp):
    clock = ManualClock(datetime(2025, 3, 3, 23, 0, tzinfo=SH))
    # Periodic jobs run only when the test says so (the clock is the test's too).
    # The service's own quiet hours (the harness turns them off for every other test).
    quiet = {"quiet_start": time(22, 0), "quiet_end": time(7, 0)}
    s = settings_for(infra, mongo_db.name, topics, receiver, smtp, jobs_poll_seconds=3600, **quiet)
    async with running(s, topics, clock) as n:
        await setup_office(n, receiver)
        warn = await n.publish(topics.complaints, warning("c-2301"), "c-2301")
        inc = await n.publish(topics.risk, incident("inc-2301"), "inc-2301")
        await eventually(lambda: receiver.at("/wecom/eo"), timeout=40)  # critical: at once

        async def planned() -> list:  # type: ignore[type-arg]
            return await n.deliveries(warn.id)

        by_channel = {d["channel"]: d for d in await eventually(planned, timeout=40)}
        sms = by_channel["sms"]
        assert sms["status"] == "held" and sms["recipient"] == "person:carol"
        assert datetime.fromisoformat(sms["next_attempt_at"]) == datetime(
            2025, 3, 4, 7, 0, tzinfo=SH
        )
        assert "quiet hours" in sms["hold_reason"]
        await eventually(
            lambda: [i for i in receiver.at("/sms/send") if i.body["to"] == "13800000001"],
            timeout=20,
        )  # the incident's SMS to the office did not wait
        assert not [r for r in receiver.at("/sms/send") if r.body["to"] == "13800000003"]
        # The inbox does not interrupt anyone: carol can read the warning tonight.
        inbox = (
            await n.get("/v1/inbox", headers=n.token("carol", "unit_handler", unit="town-a"))
        ).json()
        assert [i["event_id"] for i in inbox] == [warn.id]

        async def incident_sent() -> bool:
            return {d["status"] for d in await n.deliveries(inc.id)} == {"sent"}

        await eventually(incident_sent, timeout=20)

        clock.set(datetime(2025, 3, 4, 6, 59, tzinfo=SH))
        n.jobs.wake()
        await asyncio.sleep(0.5)
        assert not [r for r in receiver.at("/sms/send") if r.body["to"] == "13800000003"]
        clock.set(datetime(2025, 3, 4, 7, 0, 1, tzinfo=SH))
        n.jobs.wake()
        [sent] = await eventually(
            lambda: [r for r in receiver.at("/sms/send") if r.body["to"] == "13800000003"],
            timeout=20,
        )
        assert "【临期预警】" in sent.body["text"]


async def test_daily_digest_groups_low_priority_messages(infra, mongo_db, topics, receiver, smtp):
    clock = ManualClock(datetime(2025, 3, 3, 10, 0, tzinfo=SH))
    # Periodic jobs run only when the test says so (the clock is the test's too).
    s = settings_for(infra, mongo_db.name, topics, receiver, smtp, jobs_poll_seconds=3600)
    async with running(s, topics, clock) as n:
        await setup_office(n, receiver)
        first = await n.publish(topics.complaints, rates("town-a", "2025-03", "0.9500"), "r-a")
        second = await n.publish(topics.complaints, rates("town-b", "2025-03", "0.9000"), "r-b")

        async def waiting() -> list:  # type: ignore[type-arg]
            found = [
                d
                for e in (first, second)
                for d in await n.deliveries(e.id)
                if d["channel"] == "email" and d["status"] == "digest"
            ]
            return found if len(found) == 2 else []

        items = await eventually(waiting, timeout=40)
        assert {d["recipient"] for d in items} == {"person:dave"}
        assert all(
            datetime.fromisoformat(d["next_attempt_at"]) == datetime(2025, 3, 4, 8, 0, tzinfo=SH)
            for d in items
        )
        assert await n.jobs.run_periodic_once() == {
            "digests": 0,
            "escalations": 0,
            "dead_letters": 0,
        }
        assert smtp.messages == []

        clock.set(datetime(2025, 3, 4, 8, 0, 1, tzinfo=SH))
        await n.jobs.run_periodic_once()
        n.jobs.wake()
        [mail] = await eventually(lambda: smtp.messages, timeout=20)
        assert mail["to"] == ["dave@sthjj.example.cn"]
        assert "town-a" in mail["data"] and "town-b" in mail["data"]
        folded = [
            d for e in (first, second) for d in await n.deliveries(e.id) if d["channel"] == "email"
        ]
        assert {d["status"] for d in folded} == {"digested"}
        assert len({d["digest_id"] for d in folded}) == 1
        digest = (await n.get(f"/v1/deliveries/{folded[0]['digest_id']}")).json()
        assert digest["event_type"] == "notify.digest" and digest["status"] == "sent"
        assert sorted(digest["digest_items"]) == sorted(d["id"] for d in folded)
        assert digest["title"] == "【每日汇总】共 2 条通知"
        await n.jobs.run_periodic_once()
        assert len(smtp.messages) == 1


async def test_unacknowledged_incident_is_escalated(infra, mongo_db, topics, receiver, smtp):
    clock = ManualClock(datetime(2025, 3, 3, 14, 0, tzinfo=SH))
    # Periodic jobs run only when the test says so (the clock is the test's too).
    s = settings_for(infra, mongo_db.name, topics, receiver, smtp, jobs_poll_seconds=3600)
    async with running(s, topics, clock) as n:
        await setup_office(n, receiver)
        ignored = await n.publish(topics.risk, incident("inc-esc"), "inc-esc")
        handled = await n.publish(topics.risk, incident("inc-ack"), "inc-ack")

        async def inbox_of(sub: str) -> list:  # type: ignore[type-arg]
            return (await n.get("/v1/inbox", headers=n.token(sub, "operator"))).json()

        items = await eventually(lambda: _both(inbox_of("bob"), ignored.id, handled.id), timeout=40)
        # The inbox item names its subject and carries its chain: whom each step reaches now.
        first = items[ignored.id]
        assert first["subject"] == "inc-esc" and first["level"] == 0
        steps = [(s["level"], s["label"], s["people"], s["reached"]) for s in first["escalation"]]
        assert steps == [
            (0, "分组 应急办", ["王丽", "李强"], True),
            (1, "分组 督办", ["孙涛"], False),
        ]
        acked = await n.post(
            f"/v1/inbox/{items[handled.id]['id']}/ack", {}, headers=n.token("bob", "operator")
        )
        assert acked.status_code == 200 and acked.json()["acknowledged_at"]
        other = await n.post(
            f"/v1/inbox/{items[handled.id]['id']}/ack", {}, headers=n.token("dave", "operator")
        )
        assert other.status_code == 404  # not dave's item

        clock.set(datetime(2025, 3, 3, 14, 16, tzinfo=SH))
        assert (await n.jobs.run_periodic_once())["escalations"] == 1
        levels = {
            (d["level"], d["recipient"], d["channel"]) for d in await n.deliveries(ignored.id)
        }
        assert (1, "person:dave", "inbox") in levels
        assert all(d["level"] == 0 for d in await n.deliveries(handled.id))
        dave = await eventually(lambda: inbox_of("dave"), timeout=20)
        assert dave[0]["title"].startswith("【升级督办·第1级】") and dave[0]["level"] == 1
        assert [s["reached"] for s in dave[0]["escalation"]] == [True, True]
        bob = {i["event_id"]: i for i in await inbox_of("bob")}
        assert [s["reached"] for s in bob[ignored.id]["escalation"]] == [True, True]
        assert [s["reached"] for s in bob[handled.id]["escalation"]] == [True, False]

        notice = await find_record(
            infra["bootstrap"],
            "qingshan.notify.v1",
            lambda r: (
                header(r, "ce_type") == "qingshan.notify.v1.NoticeEscalated"
                and ignored.id in header(r, "ce_subject")
            ),
        )
        assert header(notice, "ce_source") == "/qingshan/notify"


async def _both(items_coro, a: str, b: str) -> dict:  # type: ignore[no-untyped-def,type-arg]
    items = {i["event_id"]: i for i in await items_coro}
    return items if a in items and b in items else {}
