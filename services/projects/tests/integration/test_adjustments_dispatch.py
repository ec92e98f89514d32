"""Adjustments with "as of" roll-ups, progress reports by lead units, and the dispatch check
announcing overdue reports on the real broker exactly once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from qingshan.projects.v1 import events_pb2 as pb
from qingshan_core.auth import Role

from .conftest import Service
from .helpers import first_subitem, walk

pytestmark = pytest.mark.integration


async def test_approved_adjustment_and_rollup_as_of(seeded: Service) -> None:
    item = await first_subitem(seeded)  # 序号 1: 5000 万元, field F1
    base = f"/v1/subitems/{item['id']}"
    requester = seeded.auth(Role.SUPERVISOR, sub="planner-requester")
    approver = seeded.auth(Role.ADMIN, sub="planner-approver")
    before = datetime.now(UTC).isoformat()
    await asyncio.sleep(0.05)
    r = await seeded.client.post(
        f"{base}/adjustments",
        json={"kind": "investment", "investment_wan": "6000.5", "reason": "设备价格上涨"},
        headers=requester,
    )
    assert r.status_code == 201, r.text
    adj = r.json()
    assert adj["status"] == "pending" and adj["changes"][0]["after"] == "6000.5"
    pending = await seeded.client.get("/v1/adjustments", headers=approver)
    assert [p["adjustment"]["id"] for p in pending.json()] == [adj["id"]]
    assert pending.json()[0]["subitem"]["id"] == item["id"]
    self_approval = await seeded.client.post(
        f"{base}/adjustments/{adj['id']}/approve", json={}, headers=requester
    )
    assert self_approval.status_code == 409
    approved = await seeded.client.post(
        f"{base}/adjustments/{adj['id']}/approve", json={"note": "同意"}, headers=approver
    )
    assert approved.status_code == 200, approved.text
    assert approved.json()["investment_wan"] == "6000.5"
    assert (await seeded.client.get("/v1/adjustments", headers=approver)).json() == []
    again = await seeded.client.post(
        f"{base}/adjustments/{adj['id']}/approve", json={}, headers=approver
    )
    assert again.status_code == 409
    now = await seeded.client.get("/v1/rollups", params={"by": "field"}, headers=approver)
    assert now.json()["total"]["investment_wan"] == "1082905.5"
    assert now.json()["groups"][0]["investment_wan"] == "437350.5"
    past = await seeded.client.get(
        "/v1/rollups", params={"by": "field", "as_of": before}, headers=approver
    )
    assert past.status_code == 200, past.text
    assert past.json()["total"]["investment_wan"] == "1081905"
    assert past.json()["total"]["yi_text"] == "108.1905"
    naive = await seeded.client.get(
        "/v1/rollups", params={"by": "field", "as_of": "2025-01-01T00:00:00"}, headers=approver
    )
    assert naive.status_code == 422 and naive.json()["errors"][0]["field"] == "as_of"
    wrong_kind = await seeded.client.post(
        f"{base}/adjustments",
        json={"kind": "site", "investment_wan": "1", "reason": "x"},
        headers=requester,
    )
    assert wrong_kind.status_code == 422


async def test_progress_only_by_lead_units(seeded: Service) -> None:
    item = await first_subitem(seeded, lead_unit="区生态环境局")
    await walk(seeded, item["id"], "implementation")
    url = f"/v1/subitems/{item['id']}/progress"
    body = {"period": "2025-01", "percent_complete": "10", "invested_to_date_wan": "500"}
    other = seeded.auth(Role.UNIT_HANDLER, unit="区林业局")
    assert (await seeded.client.post(url, json=body, headers=other)).status_code == 403
    lead = seeded.auth(Role.UNIT_HANDLER, sub="unit-eeb", unit="区生态环境局")
    r = await seeded.client.post(url, json=body, headers=lead)
    assert r.status_code == 201, r.text
    assert r.json()["late"] is True  # January's report was due on 10 February
    bad = await seeded.client.post(url, json={**body, "percent_complete": "120"}, headers=lead)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "percent_complete"
    bad_period = await seeded.client.post(url, json={**body, "period": "2025-13"}, headers=lead)
    assert bad_period.status_code == 422 and bad_period.json()["errors"][0]["field"] == "period"


async def test_dispatch_announces_overdue_reports_once(seeded: Service, tail) -> None:
    item = await first_subitem(seeded, field="F3")
    await walk(seeded, item["id"], "implementation")  # in 实施 since 2025-01-05
    planner = seeded.auth(Role.SUPERVISOR)
    await seeded.client.post(
        f"/v1/subitems/{item['id']}/progress",
        json={"period": "2025-01", "percent_complete": "5", "invested_to_date_wan": "100"},
        headers=planner,
    )
    t = await tail()
    r = await seeded.client.post("/v1/dispatch/check", headers=planner)
    assert r.status_code == 200, r.text
    overdue = r.json()["reports_overdue"]
    assert overdue >= 10  # every month from 2025-02 until last month, not January
    overdue_type = "qingshan.projects.v1.ProgressReportOverdue"
    found = await t.read(
        lambda e: e.subject == item["id"] and e.type == overdue_type, expect=overdue
    )
    assert len(found) == overdue
    periods = [
        m.period for m in (e.decode() for e in found) if isinstance(m, pb.ProgressReportOverdue)
    ]
    assert periods[0] == "2025-02" and "2025-01" not in periods
    assert len(set(periods)) == overdue
    second = await seeded.client.post("/v1/dispatch/check", headers=planner)
    assert second.json()["reports_overdue"] == 0
    detail = await seeded.client.get(f"/v1/subitems/{item['id']}", headers=planner)
    assert detail.json()["stage"] == "implementation"


async def test_slipped_milestone_is_announced(seeded: Service, tail) -> None:
    item = await first_subitem(seeded, field="F6")
    h = seeded.auth(Role.SUPERVISOR)
    r = await seeded.client.post(
        f"/v1/subitems/{item['id']}/milestones",
        json={"stage": "可研", "due": "2025-06-30"},
        headers=h,
    )
    assert r.status_code == 200, r.text
    t = await tail()
    check = await seeded.client.post("/v1/dispatch/check", headers=h)
    assert check.json()["milestones_slipped"] >= 1
    slipped_type = "qingshan.projects.v1.MilestoneSlipped"
    [env] = await t.read(lambda e: e.subject == item["id"] and e.type == slipped_type, expect=1)
    msg = env.decode()
    assert isinstance(msg, pb.MilestoneSlipped)
    assert (msg.stage, msg.due_date, msg.current_stage) == ("feasibility", "2025-06-30", "reserve")
