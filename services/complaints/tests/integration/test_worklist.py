"""The work pages' reads over HTTP: queues with live counts, searches (number, phone through
the blind index, text), sort, deadline clocks, duplicate hints, internal notes, 并单 by the
operator."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from complaints.service_layer.sweeper import sweep_due
from qingshan_core.workdays import SHANGHAI

pytestmark = pytest.mark.integration


async def _new(service, role="operator", sub=None, **over):
    r = await service.client.post(
        "/v1/complaints", json=service.body(**over), headers=service.auth(role, sub=sub)
    )
    assert r.status_code == 201, r.text
    return r.json()


async def _list(service, role="operator", unit=None, sub=None, **params):
    r = await service.client.get(
        "/v1/complaints", params=params, headers=service.auth(role, unit, sub=sub)
    )
    assert r.status_code == 200, r.text
    return r.json()


async def _counts(service, role="operator", unit=None, sub=None):
    r = await service.client.get("/v1/complaints/queues", headers=service.auth(role, unit, sub=sub))
    assert r.status_code == 200, r.text
    return {i["queue"]: i["count"] for i in r.json()["items"]}


async def test_queues_count_and_list_the_same_cases(service):
    old = (datetime.now(SHANGHAI) - timedelta(days=10)).replace(microsecond=0)
    late = await _new(service, sub="op-a", received_at=old.isoformat())
    fresh = await _new(service, sub="op-b", location={"address": "西城街道1号", "town": "西城"})
    assigned = await _new(service, sub="op-a", location={"address": "北城2号", "town": "北城"})
    r = await service.client.post(
        f"/v1/complaints/{assigned['id']}/assign",
        json={"unit_id": "town-01"},
        headers=service.auth("operator"),
    )
    assert r.status_code == 200, r.text
    await sweep_due(service.ctx)  # raises the back-dated case's warnings, overdue and 督办

    counts = await _counts(service, sub="op-a")
    assert counts["unassigned"] == 2 and counts["overdue"] == 1 and counts["escalated"] == 1
    assert counts["mine"] == 2 and counts["open"] == 3 and counts["returned"] == 0
    overdue = await _list(service, queue="overdue")
    assert [c["id"] for c in overdue["items"]] == [late["id"]] and overdue["total"] == 1
    mine = await _list(service, sub="op-b", queue="mine")
    assert [c["id"] for c in mine["items"]] == [fresh["id"]]
    unit = await _counts(service, "unit_handler", "town-01")
    assert unit["mine"] == 1 and unit["open"] == 1 and unit["unassigned"] == 0

    case = (
        await service.client.get(f"/v1/complaints/{late['id']}", headers=service.auth("operator"))
    ).json()
    lights = {c["stage"]: c["light"] for c in case["clocks"]}
    assert lights["assign"] == "red" and "overdue" in case["flags"]
    fresh_case = (
        await service.client.get(f"/v1/complaints/{fresh['id']}", headers=service.auth("operator"))
    ).json()
    assert {c["light"] for c in fresh_case["clocks"]} == {"green"}
    assert all(c["warn_at"] < c["due"] for c in fresh_case["clocks"])

    oldest = await _list(service, sort="oldest", limit=1)
    assert oldest["items"][0]["id"] == late["id"] and oldest["total"] == 3


async def test_search_by_number_phone_and_text(service):
    a = await _new(service, description="化工厂夜间排放刺鼻气体", external_id="GD2026X1")
    b = await _new(
        service,
        location={"address": "东城街道滨河路3号", "town": "东城街道"},
        complainant={"name": "李四", "phone": "139 0000 1111"},
    )
    assert [c["id"] for c in (await _list(service, number="GD2026X1"))["items"]] == [a["id"]]
    assert [c["id"] for c in (await _list(service, number=b["id"].lower()))["items"]] == [b["id"]]
    found = await _list(service, phone="+86 139-0000-1111")
    assert [c["id"] for c in found["items"]] == [b["id"]]
    assert found["items"][0]["complainant"]["phone"] == "139****1111"  # masked, never plain
    assert [c["id"] for c in (await _list(service, q="刺鼻"))["items"]] == [a["id"]]
    assert [c["id"] for c in (await _list(service, q="滨河路"))["items"]] == [b["id"]]
    assert (await _list(service, q="(unbalanced["))["total"] == 0  # text, not a pattern
    r = await service.client.get(
        "/v1/complaints",
        params={"phone": "13900001111"},
        headers=service.auth("unit_handler", "town-01"),
    )
    assert r.status_code == 403


async def test_duplicate_hints_before_submit_and_merge_by_the_operator(service):
    first = await _new(service)
    draft = {
        "category": "noise",
        "location": {"address": "南川区东城街道金山路18号", "town": "东城街道"},
    }
    r = await service.client.post(
        "/v1/complaints/duplicates", json=draft, headers=service.auth("operator")
    )
    assert r.status_code == 200, r.text
    assert [c["id"] for c in r.json()["items"]] == [first["id"]]
    other = {**draft, "category": "water"}
    r = await service.client.post(
        "/v1/complaints/duplicates", json=other, headers=service.auth("operator")
    )
    assert r.json()["items"] == []
    r = await service.client.post(
        "/v1/complaints/duplicates", json={"category": "noise"}, headers=service.auth("operator")
    )
    assert r.status_code == 422
    r = await service.client.post(
        "/v1/complaints/duplicates", json=draft, headers=service.auth("unit_handler", "town-01")
    )
    assert r.status_code == 403

    repeat = await _new(service)
    r = await service.client.post(
        f"/v1/complaints/{repeat['id']}/merge",
        json={"into_id": first["id"]},
        headers=service.auth("operator"),
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "merged" and r.json()["merged_into"] == first["id"]


async def test_internal_notes_stay_with_the_staff_who_see_the_case(service):
    case = await _new(service)
    cid = case["id"]
    await service.client.post(
        f"/v1/complaints/{cid}/assign",
        json={"unit_id": "town-01"},
        headers=service.auth("operator"),
    )
    unit = service.auth("unit_handler", "town-01")
    r = await service.client.post(
        f"/v1/complaints/{cid}/notes", json={"text": "已电话联系施工方"}, headers=unit
    )
    assert r.status_code == 201, r.text
    assert r.json()["author_unit"] == "town-01"
    r = await service.client.post(f"/v1/complaints/{cid}/notes", json={"text": "   "}, headers=unit)
    assert r.status_code == 422 and r.json()["code"] == "text_required"
    other = service.auth("unit_handler", "town-02")
    r = await service.client.post(f"/v1/complaints/{cid}/notes", json={"text": "x"}, headers=other)
    assert r.status_code == 404
    assert (
        await service.client.get(f"/v1/complaints/{cid}/notes", headers=other)
    ).status_code == 404
    notes = (
        await service.client.get(f"/v1/complaints/{cid}/notes", headers=service.auth("supervisor"))
    ).json()["items"]
    assert [n["text"] for n in notes] == ["已电话联系施工方"]
    track = (await service.client.get(f"/v1/track/{case['tracking_code']}")).json()
    assert "已电话联系施工方" not in str(track)
