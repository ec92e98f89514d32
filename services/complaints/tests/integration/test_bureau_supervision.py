"""督办 by the bureau's supervisor over HTTP: who may, from which states, what it answers,
records and publishes (issue 15)."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest

from qingshan_core.events import Envelope
from qingshan_core.testing.pytest_plugin import read_topic
from qingshan_core.workdays import SHANGHAI

pytestmark = pytest.mark.integration
TOPIC = "qingshan.complaints.v1"
SUPERVISED = "qingshan.complaints.v1.ComplaintSupervised"


async def _assigned(service, unit: str = "town-03") -> str:
    r = await service.client.post(
        "/v1/complaints", json=service.body(), headers=service.auth("operator")
    )
    assert r.status_code == 201, r.text
    cid = r.json()["id"]
    r = await _act(service, cid, "assign", "supervisor", unit_id=unit)
    assert r.status_code == 200, r.text
    return cid


async def _act(service, cid, action, role, unit=None, sub=None, **body):
    return await service.client.post(
        f"/v1/complaints/{cid}/{action}", json=body, headers=service.auth(role, unit, sub)
    )


async def _published(service, infra, cid: str) -> list[Envelope]:
    for _ in range(100):
        doc = await service.ctx.repo.coll.find_one({"_id": cid}, {"_outbox": 1})
        if not doc["_outbox"]:
            break
        await asyncio.sleep(0.1)
    else:
        raise AssertionError("outbox not drained")
    records = await read_topic(infra["bootstrap"], TOPIC, expect=10**6, timeout=5)
    envs = [Envelope.from_record(r.headers, r.value) for r in records]
    return [e for e in envs if e.subject == cid and e.type == SUPERVISED]


async def test_supervisor_issues_supervision_recorded_counted_and_published(service, infra):
    cid = await _assigned(service)
    due = (datetime.now(SHANGHAI) + timedelta(days=2)).replace(microsecond=0)
    case = await service.client.get(f"/v1/complaints/{cid}", headers=service.auth("supervisor"))
    assert "bureau-supervise" in case.json()["allowed_actions"]
    assert case.json()["bureau_supervisions"] == 0

    r = await _act(
        service,
        cid,
        "bureau-supervise",
        "supervisor",
        sub="supervisor-7",
        reason="群众反映强烈，请两日内现场核查并回复",
        deadline=due.isoformat(),
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "assigned" and r.json()["bureau_supervisions"] == 1
    # An admin may too, and a deadline is optional.
    r = await _act(service, cid, "bureau-supervise", "admin", reason="再次督办")
    assert r.status_code == 200 and r.json()["bureau_supervisions"] == 2

    hist = await service.client.get(
        f"/v1/complaints/{cid}/history", headers=service.auth("supervisor")
    )
    entries = [h for h in hist.json() if h["action"] == "bureau-supervise"]
    assert [h["actor_id"] for h in entries] == ["supervisor-7", "admin-1"]
    assert entries[0]["details"]["reason"] == "群众反映强烈，请两日内现场核查并回复"
    assert datetime.fromisoformat(entries[0]["details"]["deadline"]) == due
    assert entries[0]["details"]["unit_id"] == "town-03"

    issues = await service.client.get(
        "/v1/metrics/issue-list",
        params={"within_hours": 24 * 60},
        headers=service.auth("supervisor"),
    )
    lines = [line for line in issues.json() if line["complaint_id"] == cid]
    assert lines and all(line["bureau_supervisions"] == 2 for line in lines)
    assert all(line["supervisable"] for line in lines)
    as_operator = await service.client.get(
        "/v1/metrics/issue-list",
        params={"within_hours": 24 * 60},
        headers=service.auth("operator"),
    )
    assert not any(line["supervisable"] for line in as_operator.json())
    case = await service.client.get(f"/v1/complaints/{cid}", headers=service.auth("supervisor"))
    assert "escalated" in case.json()["flags"]  # 已督办

    today = datetime.now(SHANGHAI).date().isoformat()
    rates = await service.client.get(
        "/v1/metrics/rates", params={"from": today, "to": today}, headers=service.auth("admin")
    )
    assert rates.json()["bureau_supervisions"] == {
        "cases": 1,
        "supervised_cases": 1,
        "supervisions": 2,
    }
    assert rates.json()["platform_escalations"]["supervisions"] == 0  # kept apart

    events = await _published(service, infra, cid)
    assert len(events) == 2
    first = events[0].decode()
    assert (first.unit_id, first.by, first.level, first.supervision_count) == (
        "town-03",
        "supervisor-7",
        "bureau",
        1,
    )
    assert first.reason == "群众反映强烈，请两日内现场核查并回复"
    assert first.deadline.ToDatetime().timestamp() == due.timestamp()
    assert not events[1].decode().HasField("deadline")


async def test_a_closed_case_is_409_with_its_state(service):
    cid = await _assigned(service, "town-04")
    await _act(service, cid, "accept", "unit_handler", "town-04")
    await _act(service, cid, "reply", "unit_handler", "town-04", text="已整改")
    assert (await _act(service, cid, "close", "supervisor", substantiated=True)).status_code == 200
    r = await _act(service, cid, "bureau-supervise", "supervisor", reason="督办")
    assert r.status_code == 409, r.text
    assert r.json()["code"] == "invalid_transition"
    assert r.json()["current"]["state"] == "closed"


async def test_reason_is_required_and_a_past_deadline_refused(service):
    cid = await _assigned(service)
    r = await _act(service, cid, "bureau-supervise", "supervisor")
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "reason_required" and r.json()["field"] == "reason"
    r = await _act(service, cid, "bureau-supervise", "supervisor", reason="   ")
    assert r.status_code == 422 and r.json()["field"] == "reason"
    past = (datetime.now(SHANGHAI) - timedelta(hours=1)).isoformat()
    r = await _act(service, cid, "bureau-supervise", "supervisor", reason="督办", deadline=past)
    assert r.status_code == 422 and r.json()["field"] == "deadline"
    assert "督办回复期限" in r.json()["detail"]
    r = await _act(service, cid, "bureau-supervise", "supervisor", reason="督办", deadline="明天")
    assert r.status_code == 422
    case = await service.client.get(f"/v1/complaints/{cid}", headers=service.auth("supervisor"))
    assert case.json()["bureau_supervisions"] == 0


async def test_operators_and_units_are_forbidden(service):
    cid = await _assigned(service, "town-05")
    for role, unit in (("operator", None), ("unit_handler", "town-05")):
        r = await _act(service, cid, "bureau-supervise", role, unit, reason="督办")
        assert r.status_code == 403, (role, r.text)
    case = await service.client.get(
        f"/v1/complaints/{cid}", headers=service.auth("unit_handler", "town-05")
    )
    assert "bureau-supervise" not in case.json()["allowed_actions"]
    assert case.json()["bureau_supervisions"] == 0
