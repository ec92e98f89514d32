"""Incidents graded from facts over the API; 报告办法 第五条 sends them the Ⅱ/Ⅰ way (issue 19)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

pytestmark = pytest.mark.integration


def body(**over):
    data = {
        "title": "学校附近化学品仓库泄漏",
        "occurred_at": datetime.now(UTC).isoformat(),
        "grade": "IV",
        "media": ["air"],
    }
    data.update(over)
    return data


async def test_a_preliminary_iv_at_a_school_gets_a_2_hour_clock(service):
    headers = service.auth("operator")
    r = await service.client.post(
        "/v1/incidents", json=body(facts={"sensitive": ["school"]}), headers=headers
    )
    assert r.status_code == 201, r.text
    incident = r.json()
    learned = datetime.fromisoformat(incident["learned_at"])
    assert incident["grade"] == "IV" and incident["reporting_grade"] == "II"
    assert datetime.fromisoformat(incident["report_by"]) - learned == timedelta(hours=2)
    assert incident["procedure_triggers"] == ["sensitive:school"]
    registered = await service.watch.events(incident["id"], "IncidentRegistered", grace=0.5)
    assert list(registered[0][1].decode().procedure_triggers) == ["sensitive:school"]

    plain = (await service.client.post("/v1/incidents", json=body(), headers=headers)).json()
    assert datetime.fromisoformat(plain["report_by"]) - datetime.fromisoformat(
        plain["learned_at"]
    ) == timedelta(hours=4)


async def test_facts_grade_the_incident_and_a_change_is_an_event(service):
    headers = service.auth("operator")
    r = await service.client.post("/v1/incidents", json=body(), headers=headers)
    incident_id = r.json()["id"]
    r = await service.client.put(
        f"/v1/incidents/{incident_id}/facts",
        json={"deaths": 3, "economic_loss_wan": "600"},
        headers=headers,
    )
    assert r.status_code == 200, r.text
    graded = r.json()
    assert graded["grade"] == "III" and graded["facts_grade"] == "III"
    assert graded["criteria"] == ["死亡3≥3", "直接经济损失(万元)600≥500"]
    events = await service.watch.events(incident_id, "IncidentRegraded", grace=0.5)
    msg = events[0][1].decode()
    assert (msg.old_grade, msg.grade, msg.reporting_grade) == ("IV", "III", "III")
    assert msg.grading_version == 0

    lower = await service.client.post(
        f"/v1/incidents/{incident_id}/grade", json={"grade": "IV"}, headers=service.auth("admin")
    )
    assert lower.status_code == 422 and lower.json()["errors"][0]["field"] == "grade"
    bad = await service.client.put(
        f"/v1/incidents/{incident_id}/facts", json={"deaths": -1}, headers=headers
    )
    assert bad.status_code == 422
