"""Deadlines over time: the sweeper's events on Kafka, the rates endpoint, the stale calendar."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

import pytest

from complaints.service_layer.rates import check_targets
from complaints.service_layer.sweeper import sweep_due
from qingshan_core.events import Envelope
from qingshan_core.testing.pytest_plugin import read_topic
from qingshan_core.workdays import SHANGHAI

pytestmark = pytest.mark.integration
TOPIC = "qingshan.complaints.v1"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


async def _events(infra, subject: str) -> list[Envelope]:
    records = await read_topic(infra["bootstrap"], TOPIC, expect=10**6, timeout=5)
    envs = [Envelope.from_record(r.headers, r.value) for r in records]
    return [e for e in envs if e.subject == subject]


async def test_back_dated_order_gets_warning_and_overdue_exactly_once(service, infra):
    received = (datetime.now(SHANGHAI) - timedelta(days=12)).replace(microsecond=0)
    r = await service.client.post(
        "/v1/complaints",
        json=service.body(received_at=received.isoformat()),
        headers=service.auth("integration"),
    )
    cid = r.json()["id"]
    doc = await service.ctx.repo.coll.find_one({"_id": cid})
    assert doc["next_alert_at"] <= datetime.now(SHANGHAI)  # due now: found through the index
    first = await sweep_due(service.ctx)
    second = await sweep_due(service.ctx)
    assert first > 0 and second == 0

    doc = await service.ctx.repo.coll.find_one({"_id": cid})
    await _drained(service, cid)
    events = await _events(infra, cid)
    kinds = Counter(
        (e.type.rsplit(".", 1)[1], e.decode().alert.stage) for e in events if "Deadline" in e.type
    )
    for stage in ("assign", "reply", "close"):
        assert kinds[("DeadlineWarning", stage)] == 1
        assert kinds[("DeadlineOverdue", stage)] == 1
    assert kinds[("DeadlineEscalated", "assign")] == 2  # unit head, then bureau
    overdue = next(e.decode() for e in events if e.type.endswith("DeadlineOverdue"))
    assert overdue.alert.level == "overdue" and overdue.alert.channel == "12345"
    assert doc["next_alert_at"] is None or doc["next_alert_at"] > datetime.now(SHANGHAI)


async def test_a_case_changed_during_the_tick_is_checked_again_and_alerted_once(service):
    ctx = service.ctx
    ctx.clock = lambda: at("2026-03-02T09:00:00")  # a Monday
    body = service.body(received_at="2026-03-02T09:00:00+08:00", urgency="urgent")
    r = await service.client.post("/v1/complaints", json=body, headers=service.auth("operator"))
    cid = r.json()["id"]
    due = at("2026-03-02T13:00:01")  # assignment overdue (4 hours) and its warning
    real_due_now, calls = ctx.repo.due_now, []

    async def read_then_change(ids, now):
        loaded = await real_due_now(ids, now)
        calls.append(len(loaded))
        if len(calls) == 1:  # another write lands between the sweeper's read and its save
            await ctx.repo.coll.update_one({"_id": cid}, {"$inc": {"_version": 1}})
        return loaded

    ctx.repo.due_now = read_then_change  # type: ignore[method-assign]
    assert await sweep_due(ctx, due) == 2  # the bulk save missed; the second read raised both
    assert calls == [1, 1]
    ctx.repo.due_now = real_due_now  # type: ignore[method-assign]
    assert await sweep_due(ctx, at("2026-03-02T13:01:30")) == 0
    doc = await ctx.repo.coll.find_one({"_id": cid})
    assert sorted(a.split("/")[1] for a in doc["raised_alerts"]) == ["overdue", "warning"]


async def test_warning_fires_at_80_percent_not_before(service, infra):
    ctx = service.ctx
    ctx.clock = lambda: at("2026-03-02T09:00:00")  # a Monday
    r = await service.client.post(
        "/v1/complaints",
        json=service.body(received_at="2026-03-02T09:00:00+08:00", urgency="urgent"),
        headers=service.auth("operator"),
    )
    cid = r.json()["id"]  # urgent: assign within 4 hours -> warn after 3h12m
    assert await sweep_due(ctx, at("2026-03-02T12:00:00")) == 0
    assert await sweep_due(ctx, at("2026-03-02T12:13:00")) == 1
    assert await sweep_due(ctx, at("2026-03-02T12:14:00")) == 0
    assert await sweep_due(ctx, at("2026-03-02T13:00:01")) == 1  # overdue
    doc = await ctx.repo.coll.find_one({"_id": cid})
    assert [a.split("/")[:2] for a in doc["raised_alerts"]] == [
        ["assign", "overdue"],
        ["assign", "warning"],
    ]


async def test_rates_match_hand_computed_figures(service):
    """March 2026 has no holidays: assign within 1 working day, reply within 5.
    A: on time twice. B: assigned late, replied late. C: never assigned, never replied.
    D: anonymous, assigned on time (no reply duty). 交办率 2/4, 按时回复率 1/3."""
    ctx = service.ctx

    async def case(received: str, **over):
        ctx.clock = lambda: at(received)
        body = service.body(received_at=at(received).isoformat(), **over)
        r = await service.client.post("/v1/complaints", json=body, headers=service.auth("operator"))
        assert r.status_code == 201, r.text
        return r.json()["id"]

    async def act(cid, when, action, role, unit=None, **body):
        ctx.clock = lambda: at(when)
        r = await service.client.post(
            f"/v1/complaints/{cid}/{action}", json=body, headers=service.auth(role, unit)
        )
        assert r.status_code == 200, r.text

    a = await case("2026-03-02T09:00:00")
    await act(a, "2026-03-02T10:00:00", "assign", "supervisor", unit_id="town-01")
    await act(a, "2026-03-02T11:00:00", "accept", "unit_handler", "town-01")
    await act(a, "2026-03-04T16:00:00", "reply", "unit_handler", "town-01", text="已处理")
    b = await case("2026-03-03T09:00:00", location={"address": "水江镇工业园区", "town": "水江镇"})
    await act(b, "2026-03-06T10:00:00", "assign", "supervisor", unit_id="town-02")
    await act(b, "2026-03-06T11:00:00", "accept", "unit_handler", "town-02")
    await act(b, "2026-03-12T09:00:00", "reply", "unit_handler", "town-02", text="已处理")
    await case("2026-03-05T09:00:00", category="water", location={"address": "大溪河"})
    d = await case("2026-03-05T10:00:00", complainant={"anonymous": True}, category="air")
    await act(d, "2026-03-05T11:00:00", "assign", "supervisor", unit_id="town-01")

    ctx.clock = lambda: at("2026-11-29T09:00:00")
    r = await service.client.get(
        "/v1/metrics/rates",
        params={"from": "2026-03-01", "to": "2026-03-31"},
        headers=service.auth("supervisor"),
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["assignment_rate"] == {
        "numerator": 2,
        "denominator": 4,
        "pending": 0,
        "percent": "50.00",
    }
    assert body["on_time_reply_rate"] == {
        "numerator": 1,
        "denominator": 3,
        "pending": 0,
        "percent": "33.33",
    }
    unit = (
        await service.client.get(
            "/v1/metrics/rates",
            params={"from": "2026-03-01", "to": "2026-03-31"},
            headers=service.auth("unit_handler", "town-02"),
        )
    ).json()
    assert unit["unit_id"] == "town-02" and unit["on_time_reply_rate"]["percent"] == "0.00"
    bad = await service.client.get(
        "/v1/metrics/rates",
        params={"from": "2026-03-31", "to": "2026-03-01"},
        headers=service.auth("supervisor"),
    )
    assert bad.status_code == 422

    # The running month's check (as of 2026-03-20) alerts town-02 once.
    raised = await check_targets(ctx, at("2026-03-20T09:00:00"))
    again = await check_targets(ctx, at("2026-03-21T09:00:00"))
    alerts = await ctx.ops.collection.find({"_id": {"$regex": "^rates/"}}).to_list()
    assert raised >= 1 and again == 0
    assert "rates/town-02/2026-03/on_time_reply_rate" in {a["_id"] for a in alerts}


async def test_calendar_without_data_alerts_once_and_marks_deadlines_provisional(service):
    # A 12369 report's 60-day limit from late 2026 runs into a year chinesecalendar lacks.
    ctx = service.ctx
    now = datetime.now(SHANGHAI).replace(microsecond=0)
    years = range(now.year, (now + timedelta(days=62)).year + 1)
    missing = [y for y in years if not ctx.calendar.has_data(y)]
    if not missing:
        pytest.skip("the holiday package covers the whole 60-day window today")
    body = service.body(channel="12369", received_at=now.isoformat())
    r = await service.client.post("/v1/complaints", json=body, headers=service.auth("integration"))
    assert r.json()["deadlines"]["provisional"] is True
    await service.client.post(
        "/v1/complaints",
        json=service.body(channel="12369", received_at=body["received_at"]),
        headers=service.auth("integration"),
    )
    stale = await ctx.ops.collection.find({"_id": {"$regex": "^calendar/"}}).to_list()
    assert [s["_id"] for s in stale] == [f"calendar/{y}" for y in missing]
    cal = (await service.client.get("/v1/admin/calendar", headers=service.auth("admin"))).json()
    assert set(missing) <= set(cal["stale_years"])


async def _drained(service, cid: str) -> None:
    import asyncio

    for _ in range(100):
        doc = await service.ctx.repo.coll.find_one({"_id": cid}, {"_outbox": 1})
        if not doc["_outbox"]:
            return
        await asyncio.sleep(0.1)
    raise AssertionError("outbox not drained")
