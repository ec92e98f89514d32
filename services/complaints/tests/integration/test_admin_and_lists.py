"""Admin data (versioned policies, calendar overrides), 问题清单, hotspots."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from qingshan_core.events import Envelope
from qingshan_core.testing.pytest_plugin import read_topic
from qingshan_core.workdays import SHANGHAI

pytestmark = pytest.mark.integration
TOPIC = "qingshan.complaints.v1"
WD = "working_days"


def limits(reply: int) -> dict:
    base = {"amount": 1, "unit": WD}
    return {
        "assign": base,
        "accept": base,
        "reply": {"amount": reply, "unit": WD},
        "close": {"amount": reply + 2, "unit": WD},
        "extension_max": {"amount": 10, "unit": WD},
        "return_window": {"amount": 2, "unit": WD},
    }


async def test_policy_change_applies_to_new_cases_only_and_is_versioned(service):
    h = service.auth("operator")
    old = (await service.client.post("/v1/complaints", json=service.body(), headers=h)).json()
    put = {"id": "noise-12345", "channel": "12345", "category": "noise", "limits": limits(3)}
    assert (
        await service.client.put("/v1/admin/policies", json=put, headers=service.auth("supervisor"))
    ).status_code == 403
    r = await service.client.put("/v1/admin/policies", json=put, headers=service.auth("admin"))
    assert r.status_code == 200 and r.json()["version"] == 1
    r = await service.client.put(
        "/v1/admin/policies", json={**put, "limits": limits(4)}, headers=service.auth("admin")
    )
    assert r.json()["version"] == 2
    new = (await service.client.post("/v1/complaints", json=service.body(), headers=h)).json()
    assert new["policy"] == {"id": "noise-12345", "version": 2}
    assert old["policy"]["id"] != "noise-12345"
    again = (await service.client.get(f"/v1/complaints/{old['id']}", headers=h)).json()
    assert again["deadlines"] == old["deadlines"]  # an open case keeps its policy
    bad = await service.client.put(
        "/v1/admin/policies",
        json={**put, "limits": {"assign": {"amount": 1, "unit": WD}}},
        headers=service.auth("admin"),
    )
    assert bad.status_code == 422 and bad.json()["code"] == "limits_incomplete"


async def test_calendar_override_moves_deadlines(service):
    # 2026-12-01 is an ordinary Tuesday; make it a day off and a 1-working-day limit skips it.
    r = await service.client.put(
        "/v1/admin/calendar/2026-12-01",
        json={"workday": False, "note": "测试"},
        headers=service.auth("admin"),
    )
    assert r.status_code == 200
    cal = service.ctx.calendar
    start = datetime(2026, 11, 30, 10, 0, tzinfo=SHANGHAI)  # Monday
    assert cal.add_workdays(start, 1).date().isoformat() == "2026-12-02"
    listed = (await service.client.get("/v1/admin/calendar", headers=service.auth("admin"))).json()
    assert listed["overrides"] == [{"date": "2026-12-01", "workday": False, "note": "测试"}]


async def test_issue_list_shows_overdue_cases_of_the_unit(service):
    received = (datetime.now(SHANGHAI) - timedelta(days=20)).replace(microsecond=0)
    h = service.auth("integration")
    late = (
        await service.client.post(
            "/v1/complaints", json=service.body(received_at=received.isoformat()), headers=h
        )
    ).json()
    await service.client.post(
        f"/v1/complaints/{late['id']}/assign",
        json={"unit_id": "town-07"},
        headers=service.auth("supervisor"),
    )
    fresh = (
        await service.client.post(
            "/v1/complaints", json=service.body(location={"address": "别处"}), headers=h
        )
    ).json()
    lines = (
        await service.client.get(
            "/v1/metrics/issue-list", params={"within_hours": 0}, headers=service.auth("supervisor")
        )
    ).json()
    assert {(x["complaint_id"], x["stage"]) for x in lines} >= {(late["id"], "reply")}
    assert all(x["overdue"] for x in lines) and fresh["id"] not in {
        x["complaint_id"] for x in lines
    }
    mine = (
        await service.client.get(
            "/v1/metrics/issue-list", headers=service.auth("unit_handler", "town-08")
        )
    ).json()
    assert mine == []


async def test_third_report_about_one_place_is_a_hotspot(service):
    h = service.auth("operator")
    ids = []
    for i, phone in enumerate(["13800000001", "13800000002", "13800000003", "13800000004"]):
        body = service.body(
            category="air" if i % 2 else "noise",
            complainant={"name": "某", "phone": phone},
            location={"address": "重庆市南川区东城街道金山路18号", "town": "东城街道"},
        )
        ids.append((await service.client.post("/v1/complaints", json=body, headers=h)).json()["id"])
    hot = await _published_hotspots(service, expect=1)
    assert hot == [ids[2]]  # once, when the count reaches 3


async def _published_hotspots(service, expect: int) -> list[str]:
    prefix = service.settings.id_prefix
    found: list[str] = []
    for _ in range(3):
        recs = await read_topic(service.settings.kafka_bootstrap, TOPIC, 10**6, 4)
        envs = [Envelope.from_record(r.headers, r.value) for r in recs]
        found = [
            e.subject
            for e in envs
            if e.type.endswith("HotspotDetected") and e.subject.startswith(prefix)
        ]
        if len(found) >= expect:
            break
    return found
