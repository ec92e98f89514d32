"""The unit registry over HTTP: admins add, rename and retire units, every change is an event on
the topic, and cases go only to active registry units (422 naming the unit otherwise)."""

from __future__ import annotations

import uuid

import pytest

from qingshan.complaints.v1 import events_pb2 as pb
from qingshan_core.events import Envelope
from qingshan_core.testing.pytest_plugin import read_topic

pytestmark = pytest.mark.integration
TOPIC = "qingshan.complaints.v1"


def _uid() -> str:
    return f"town-t{uuid.uuid4().hex[:8]}"


async def _new_case(service) -> str:
    r = await service.client.post(
        "/v1/complaints", json=service.body(), headers=service.auth("operator")
    )
    assert r.status_code == 201, r.text
    return r.json()["id"]


async def _assign(service, cid: str, unit_id: str):
    return await service.client.post(
        f"/v1/complaints/{cid}/assign", json={"unit_id": unit_id}, headers=service.auth("operator")
    )


async def test_admin_registers_renames_and_retires_a_unit_each_change_an_event(service):
    admin = service.auth("admin")
    uid = _uid()
    body = {"id": uid, "name": "东城街道", "kind": "town", "head": "p-head", "contacts": ["p-a"]}
    r = await service.client.post("/v1/units", json=body, headers=admin)
    assert r.status_code == 201, r.text
    assert r.json() | {"created_at": None, "updated_at": None} == {
        "id": uid,
        "name": "东城街道",
        "kind": "town",
        "kind_label": "镇/街道",
        "head": "p-head",
        "contacts": ["p-a"],
        "active": True,
        "version": 1,
        "created_at": None,
        "updated_at": None,
        "retired_at": None,
    }
    again = await service.client.post("/v1/units", json=body | {"name": "别的"}, headers=admin)
    assert again.status_code == 409 and again.json()["current"]["name"] == "东城街道"

    r = await service.client.patch(
        f"/v1/units/{uid}", json={"name": "东城街道办事处", "head": None}, headers=admin
    )
    assert r.status_code == 200, r.text
    assert (r.json()["name"], r.json()["head"], r.json()["version"]) == ("东城街道办事处", None, 2)
    same = await service.client.patch(
        f"/v1/units/{uid}", json={"name": "东城街道办事处"}, headers=admin
    )
    assert same.json()["version"] == 2  # nothing changed: no new version, no event

    r = await service.client.post(f"/v1/units/{uid}/retire", headers=admin)
    assert r.status_code == 200 and r.json()["active"] is False and r.json()["version"] == 3
    twice = await service.client.post(f"/v1/units/{uid}/retire", headers=admin)
    assert twice.status_code == 422 and twice.json()["code"] == "unit_retired"

    listed = await service.client.get("/v1/units", headers=service.auth("operator"))
    assert uid in {u["id"] for u in listed.json()["items"]}
    assert listed.json()["total"] == len(listed.json()["items"])
    active = await service.client.get("/v1/units?active=true", headers=service.auth("operator"))
    assert uid not in {u["id"] for u in active.json()["items"]}
    assert all(u["active"] for u in active.json()["items"])
    assert (await service.client.get(f"/v1/units/{uid}", headers=admin)).json()["active"] is False
    assert (await service.client.get("/v1/units/nope-1", headers=admin)).status_code == 404

    records = await read_topic(service.settings.kafka_bootstrap, TOPIC, expect=10**6, timeout=4)
    envs = [Envelope.from_record(r.headers, r.value) for r in records]
    mine = [e for e in envs if e.subject == uid]
    assert [e.type.rsplit(".", 1)[1] for e in mine] == [
        "UnitRegistered",
        "UnitChanged",
        "UnitRetired",
    ]
    changed = mine[1].decode()
    assert isinstance(changed, pb.UnitChanged)
    assert list(changed.fields) == ["name", "head"] and changed.unit.version == 2
    assert changed.unit.name == "东城街道办事处" and changed.changed_by == "admin-1"
    assert mine[2].decode().unit.active is False


async def test_only_admins_change_the_registry_and_bad_units_are_refused(service):
    body = {"id": _uid(), "name": "南城街道", "kind": "town"}
    r = await service.client.post("/v1/units", json=body, headers=service.auth("supervisor"))
    assert r.status_code == 403
    r = await service.client.post(
        "/v1/units", json=body | {"id": "Town 07"}, headers=service.auth("admin")
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "id"
    r = await service.client.post(
        "/v1/units", json=body | {"kind": "village"}, headers=service.auth("admin")
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "kind"


async def test_assigning_to_an_unknown_or_retired_unit_is_a_422_naming_the_unit(service):
    cid = await _new_case(service)
    r = await _assign(service, cid, "town-0x7")
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["code"] == "unit_unknown" and body["field"] == "unit_id"
    assert body["unit_id"] == "town-0x7" and body["detail"].startswith("承办单位不在单位名录中")
    assert "town-0x7" in body["detail"] and body["field"] == "unit_id"
    case = await service.client.get(f"/v1/complaints/{cid}", headers=service.auth("operator"))
    assert case.json()["status"] == "received" and case.json()["unit_id"] is None  # nothing moved

    uid = _uid()
    admin = service.auth("admin")
    await service.client.post(
        "/v1/units", json={"id": uid, "name": "三泉镇", "kind": "town"}, headers=admin
    )
    await service.client.post(f"/v1/units/{uid}/retire", headers=admin)
    r = await _assign(service, cid, uid)
    assert r.status_code == 422 and r.json()["code"] == "unit_retired"
    assert r.json()["detail"] == f"承办单位已撤销：{uid}"

    # Re-dispatch on rework (不满意 → another unit) is checked the same way.
    assert (await _assign(service, cid, "town-01")).status_code == 200
    for action, role, unit, extra in (
        ("accept", "unit_handler", "town-01", {}),
        ("reply", "unit_handler", "town-01", {"text": "已处理"}),
        ("close", "supervisor", None, {}),
        ("follow-up", "operator", None, {"satisfaction": "dissatisfied"}),
    ):
        r = await service.client.post(
            f"/v1/complaints/{cid}/{action}", json=extra, headers=service.auth(role, unit)
        )
        assert r.status_code == 200, (action, r.text)
    r = await service.client.post(
        f"/v1/complaints/{cid}/reopen",
        json={"reason": "不满意", "unit_id": uid},
        headers=service.auth("supervisor"),
    )
    assert r.status_code == 422 and r.json()["unit_id"] == uid
    r = await service.client.post(
        f"/v1/complaints/{cid}/reopen",
        json={"reason": "不满意", "unit_id": "town-02"},
        headers=service.auth("supervisor"),
    )
    assert r.status_code == 200 and r.json()["unit_id"] == "town-02"


async def test_a_unit_handler_token_must_name_an_active_registry_unit(service):
    r = await service.client.get("/v1/complaints", headers=service.auth("unit_handler", "town-0x7"))
    assert r.status_code == 403 and "town-0x7" in r.json()["detail"]
    assert (
        await service.client.get("/v1/complaints", headers=service.auth("unit_handler", "town-01"))
    ).status_code == 200
    uid = _uid()
    admin = service.auth("admin")
    await service.client.post(
        "/v1/units", json={"id": uid, "name": "南平镇", "kind": "town"}, headers=admin
    )
    h = service.auth("unit_handler", uid)
    assert (await service.client.get("/v1/metrics/issue-list", headers=h)).status_code == 200
    await service.client.post(f"/v1/units/{uid}/retire", headers=admin)
    assert (await service.client.get("/v1/metrics/issue-list", headers=h)).status_code == 403
    assert (await service.client.get("/v1/units", headers=h)).status_code == 403
