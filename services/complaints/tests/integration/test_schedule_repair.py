"""No lost alerts: a case whose schedule entry was never written (the process died between the
case's write and the schedule's) is found by the repair scan and alerted all the same."""

from __future__ import annotations

from datetime import datetime

import pytest

from complaints.adapters.schedule import CURSOR
from complaints.service_layer.schedule_repair import repair_schedule
from complaints.service_layer.sweeper import sweep_due
from qingshan_core.workdays import SHANGHAI

pytestmark = pytest.mark.integration


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


async def _post(service, received: str, **over) -> str:
    body = service.body(received_at=at(received).isoformat(), **over)
    r = await service.client.post("/v1/complaints", json=body, headers=service.auth("operator"))
    assert r.status_code == 201, r.text
    return r.json()["id"]


async def test_a_case_that_lost_its_schedule_entry_is_rescheduled_and_alerted(service):
    ctx, schedule = service.ctx, service.ctx.repo.schedule.coll
    ctx.clock = lambda: at("2026-03-02T09:00:00")  # a Monday
    await sweep_due(ctx)  # the sweeper's first tick: its cursor
    lost = await _post(service, "2026-03-02T09:00:00", urgency="urgent")  # warned at 12:12
    kept = await _post(service, "2026-03-02T09:00:00", urgency="urgent")
    # What a crash after the case's write leaves: the case, but not its schedule entry.
    await schedule.update_many({"_id": {"$ne": CURSOR}}, {"$pull": {"ids": lost}})

    ctx.clock = lambda: at("2026-03-02T12:13:00")
    assert await sweep_due(ctx) == 1  # only the case the schedule still lists
    assert await repair_schedule(ctx) == [lost]
    assert await repair_schedule(ctx) == []  # restored once, listed now
    assert await sweep_due(ctx, at("2026-03-02T12:14:00")) == 1
    for cid in (lost, kept):
        doc = await ctx.repo.coll.find_one({"_id": cid})
        assert [a.split("/")[:2] for a in doc["raised_alerts"]] == [["assign", "warning"]]


async def test_cases_listed_ahead_or_in_a_pending_minute_are_left_alone(service):
    ctx = service.ctx
    ctx.clock = lambda: at("2026-03-02T09:00:00")
    await sweep_due(ctx)
    ahead = await _post(service, "2026-03-02T09:00:00", urgency="urgent")  # its own minute
    ctx.clock = lambda: at("2026-03-02T09:00:30")
    due = await _post(service, "2026-02-02T09:00:00")  # due when written: the current minute
    assert await repair_schedule(ctx) == []
    entries = await ctx.repo.schedule.due(at("2026-03-02T08:59:00"), at("2026-03-02T12:13:00"))
    assert {ahead, due} <= set(entries[0])
