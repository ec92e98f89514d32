"""HJ 941 numbers as a versioned configuration an administrator changes (issue 19)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.integration

WATER_MET = {
    "interception": "met",
    "accident_water_collection": "met",
    "clean_water_system": "met",
    "rainwater_system": "met",
    "production_wastewater": "met",
    "sewer_permit": "not_met",
    "hazardous_waste_management": "met",
    "past_incidents": "none",
}
BODY = {
    "process_units": ["hazardous", "hazardous"],
    "air": {"q_value": "0.5"},
    "water": {
        "q_value": "2",
        "measures": WATER_MET,
        "receptors": [],
        "crosses_provincial_border": True,
    },
}


def _with_points(items: list[dict], **points: str) -> list[dict]:
    out = []
    for item in items:
        if item["key"] in points:
            item = {**item, "options": {**item["options"], "not_met": points[item["key"]]}}
        out.append(item)
    return out


async def test_an_admin_changes_a_water_measure_point_and_the_next_grading_uses_it(service):
    source = await service.register()
    url = f"/v1/risk-sources/{source['id']}/grading"
    r = await service.client.post(url, json=BODY, headers=service.auth("supervisor"))
    assert r.status_code == 200, r.text
    before = r.json()["grading"]
    # Water M = 20 (表1) + 5 (no sewer permit) = 25 → M2; E2 (provincial border): 较大.
    assert before["water"]["m"] == "M2" and before["water"]["level"] == "较大"
    assert before["rules_version"] == 0

    rules = await service.client.get("/v1/admin/rules/hj941", headers=service.auth("operator"))
    assert rules.status_code == 200 and rules.json()["version"] == 0
    water = rules.json()["body"]["water_items"]
    top = sum(max(int(v) for v in i["options"].values()) for i in water)
    assert top + int(rules.json()["body"]["process_cap"]) == 100  # the water M out of 100
    assert rules.json()["provenance"]["water_items"].startswith("names C")

    change = {
        "changes": {
            "water_items": _with_points(water, sewer_permit="4", hazardous_waste_management="6")
        },
        "expected_version": 0,
    }
    r = await service.client.put(
        "/v1/admin/rules/hj941", json=change, headers=service.auth("supervisor")
    )
    assert r.status_code == 403
    r = await service.client.put(
        "/v1/admin/rules/hj941", json=change, headers=service.auth("admin")
    )
    assert r.status_code == 200, r.text
    assert r.json()["version"] == 1 and r.json()["changed_by"] == "admin:admin-1"

    r = await service.client.post(url, json=BODY, headers=service.auth("supervisor"))
    after = r.json()["grading"]
    # 20 + 4 = 24 → M1; E2 Q1 M1: 一般. The grading records the version it used.
    assert after["water"]["m"] == "M1" and after["water"]["level"] == "一般"
    assert after["rules_version"] == 1
    graded = await service.watch.events(source["id"], "RiskSourceGraded", expect=2, grace=0.5)
    assert [m.decode().rules_version for _, m in graded] == [0, 1]
    changed = await service.watch.events("rules/hj941", "RuleConfigurationChanged", grace=0.2)
    msg = changed[0][1].decode()
    assert (msg.name, msg.version, list(msg.changed_keys)) == ("hj941", 1, ["water_items"])

    history = await service.client.get(
        "/v1/admin/rules/hj941/versions", headers=service.auth("admin")
    )
    assert [v["version"] for v in history.json()] == [1]

    # Stale version: 409; a table whose M would reach 106: 422 naming the setting.
    r = await service.client.put(
        "/v1/admin/rules/hj941", json=change, headers=service.auth("admin")
    )
    assert r.status_code == 409, r.text
    too_much = {
        "changes": {
            "water_items": _with_points(water, sewer_permit="8", hazardous_waste_management="8")
        }
    }
    r = await service.client.put(
        "/v1/admin/rules/hj941", json=too_much, headers=service.auth("admin")
    )
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["field"] == "grading_rules.water_items"
    assert "106" in r.json()["detail"]
    r = await service.client.put(
        "/v1/admin/rules/hj941", json={"changes": {"no_such": 1}}, headers=service.auth("admin")
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "hj941.no_such"
    r = await service.client.get("/v1/admin/rules/nope", headers=service.auth("admin"))
    assert r.status_code == 404


async def test_incident_thresholds_are_a_versioned_configuration(service):
    r = await service.client.get("/v1/admin/rules/incident_grading", headers=service.auth("admin"))
    assert r.status_code == 200
    thresholds = r.json()["body"]["thresholds"]
    assert thresholds["III"] == {
        "deaths": 3,
        "poisoned": 10,
        "evacuated": 5000,
        "economic_loss_wan": "500",
    }
    thresholds["III"]["deaths"] = 2
    r = await service.client.put(
        "/v1/admin/rules/incident_grading",
        json={"changes": {"thresholds": thresholds}},
        headers=service.auth("admin"),
    )
    assert r.status_code == 200, r.text
    r = await service.client.post(
        "/v1/incidents",
        json={
            "title": "某厂爆炸",
            "occurred_at": "2026-03-01T08:00:00+08:00",
            "facts": {"deaths": 2},
        },
        headers=service.auth("operator"),
    )
    assert r.status_code == 201, r.text
    assert r.json()["grade"] == "III" and r.json()["grading_version"] == 1
