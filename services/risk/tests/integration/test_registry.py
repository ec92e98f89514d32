"""Registry over HTTP: GB 32100 codes, HJ 941 grading and its label, seeds, roles."""

from __future__ import annotations

import pytest

from risk.config import PARK_CLUSTERS, SOIL_ENTERPRISES
from risk.domain.seeds import parse_park_clusters, parse_soil_key_enterprises
from risk.service_layer.seeding import seed_registry

pytestmark = pytest.mark.integration

SOIL_LIST = "土壤污染防治重点监控企业（专栏7）"
DOCUMENTED = "较大[一般-大气(Q1-M1-E2)+较大-水(Q2-M1-E1)]"


async def test_grading_gives_the_documented_label_and_event(service):
    source = await service.register(location={"lon": "107.1", "lat": "29.15"})
    body = {
        "air": {"q_class": "Q1", "m_class": "M1", "e_class": "E2"},
        "water": {"q_class": "Q2", "m_class": "M1", "e_class": "E1"},
    }
    r = await service.client.post(
        f"/v1/risk-sources/{source['id']}/grading", json=body, headers=service.auth("supervisor")
    )
    assert r.status_code == 200, r.text
    grading = r.json()["grading"]
    assert grading["label"] == DOCUMENTED
    assert grading["level"] == "较大" and grading["colour"] == "yellow"
    assert grading["air"]["level"] == "一般" and grading["water"]["level"] == "较大"

    found = await service.watch.events(source["id"], "RiskSourceGraded")
    assert len(found) == 1
    message = found[0][1].decode()
    assert message.label == DOCUMENTED and message.water.q_class == "Q2"
    assert message.colour == "yellow" and message.credit_code == source["credit_code"]


async def test_grading_from_raw_inputs(service):
    source = await service.register()
    body = {
        "process_units": ["hazardous"],
        "air": {
            "substances": [
                {"name": "氨", "max_amount_t": "12", "critical_quantity_t": "5"},
            ],
            "measures": {
                "toxic_gas_monitoring": "met",
                "protective_distance": "met",
                "past_incidents": "none",
            },
            "population_5km": 12000,
            "population_500m": 100,
        },
        "water": {"q_value": "0.4"},
        "penalty_dates": [],
    }
    r = await service.client.post(
        f"/v1/risk-sources/{source['id']}/grading", json=body, headers=service.auth("admin")
    )
    assert r.status_code == 200, r.text
    # Q = 12/5 = 2.4 → Q1; M = 10 → M1; 12 000 people within 5 km → E2; water Q0 → 一般.
    assert r.json()["grading"]["label"] == "一般[一般-大气(Q1-M1-E2)+一般-水(Q0)]"


async def test_bad_grading_input_names_the_field(service):
    source = await service.register()
    body = {"air": {"q_class": "Q9"}, "water": {"q_class": "Q0"}}
    r = await service.client.post(
        f"/v1/risk-sources/{source['id']}/grading", json=body, headers=service.auth("admin")
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "air.q_class"


async def test_bad_credit_code_says_which_character(service):
    headers = service.auth("supervisor")
    r = await service.client.post(
        "/v1/risk-sources",
        json={"name": "甲", "credit_code": "91500I19MA5YE0009X"},
        headers=headers,
    )
    assert r.status_code == 422
    detail = r.json()["errors"][0]
    assert detail["field"] == "credit_code"
    assert "第6位“I”" in detail["detail"] and "position 6" in detail["detail_en"]

    good = credit_code_with_wrong_check()
    r = await service.client.post(
        "/v1/risk-sources", json={"name": "乙", "credit_code": good}, headers=headers
    )
    assert r.status_code == 422
    assert "校验码错误" in r.json()["detail"]


def credit_code_with_wrong_check() -> str:
    from risk.domain.credit_code import CHARSET, make_credit_code

    valid = make_credit_code("91500119MA5YE0009").value
    wrong = CHARSET[(CHARSET.index(valid[-1]) + 1) % len(CHARSET)]
    return valid[:-1] + wrong


async def test_roles_and_auth(service):
    r = await service.client.get("/v1/risk-sources")
    assert r.status_code == 401
    r = await service.client.post(
        "/v1/risk-sources", json={"name": "丙"}, headers=service.auth("unit_handler", unit="t1")
    )
    assert r.status_code == 403
    # Handling units have no risk access (issue 14: nothing in the registry is a unit's).
    r = await service.client.get(
        "/v1/risk-sources", headers=service.auth("unit_handler", unit="t1")
    )
    assert r.status_code == 403
    r = await service.client.get("/v1/risk-sources", headers=service.auth("operator"))
    assert r.status_code == 200
    r = await service.client.get("/v1/risk-sources", headers=service.auth("public"))
    assert r.status_code == 403


async def test_duplicate_registration_is_a_conflict(service):
    source = await service.register()
    r = await service.client.post(
        "/v1/risk-sources",
        json={"name": "另一个名字", "credit_code": source["credit_code"]},
        headers=service.auth("admin"),
    )
    assert r.status_code == 409


async def test_seeds_are_loaded_once_with_deterministic_ids(service):
    headers = service.auth("operator")
    r = await service.client.get(
        "/v1/risk-sources", params={"list_name": SOIL_LIST}, headers=headers
    )
    assert r.status_code == 200 and r.json()["total"] == 10
    ids = sorted(item["id"] for item in r.json()["items"])
    clusters = (await service.client.get("/v1/park-clusters", headers=headers)).json()
    assert {c["name"]: c["risk_level"] for c in clusters}["水江组团"] == "较大"
    assert len(clusters) == 4

    settings = service.settings
    again = await seed_registry(
        service.deps,
        parse_soil_key_enterprises(settings.reference(SOIL_ENTERPRISES).read_text()),
        parse_park_clusters(settings.reference(PARK_CLUSTERS).read_text()),
    )
    assert (again.clusters, again.enterprises) == (0, 0)
    r = await service.client.get(
        "/v1/risk-sources", params={"list_name": SOIL_LIST}, headers=headers
    )
    assert sorted(item["id"] for item in r.json()["items"]) == ids


async def test_seeded_enterprise_gets_its_code_and_cluster(service):
    headers = service.auth("admin")
    r = await service.client.get(
        "/v1/risk-sources", params={"list_name": SOIL_LIST}, headers=headers
    )
    first = r.json()["items"][0]
    code = (await service.register())["credit_code"]  # taken by another enterprise
    r = await service.client.patch(
        f"/v1/risk-sources/{first['id']}", json={"credit_code": code}, headers=headers
    )
    assert r.status_code == 409
    r = await service.client.patch(
        f"/v1/risk-sources/{first['id']}", json={"park_cluster": "不存在组团"}, headers=headers
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "park_cluster"
    r = await service.client.patch(
        f"/v1/risk-sources/{first['id']}",
        json={"park_cluster": "水江组团", "location": {"lon": "107.2", "lat": "29.1"}},
        headers=headers,
    )
    assert r.status_code == 200, r.text
    assert r.json()["park_cluster"] == "水江组团"
    assert r.json()["lists"] == [SOIL_LIST]
