"""The closed loop over HTTP: roles, 409s with the current state, history, tracking, reveal."""

from __future__ import annotations

import pytest

from complaints.adapters.audit import AuditFilter

pytestmark = pytest.mark.integration


async def _new(service, **over):
    r = await service.client.post(
        "/v1/complaints", json=service.body(**over), headers=service.auth("operator")
    )
    assert r.status_code == 201, r.text
    return r.json()


async def _act(service, cid, action, role, unit=None, **body):
    return await service.client.post(
        f"/v1/complaints/{cid}/{action}", json=body, headers=service.auth(role, unit)
    )


async def test_full_closed_loop_with_history_and_public_tracking(service):
    case = await _new(service)
    cid = case["id"]
    assert (await _act(service, cid, "assign", "supervisor", unit_id="town-01")).status_code == 200
    assert (await _act(service, cid, "accept", "unit_handler", "town-01")).status_code == 200
    r = await _act(service, cid, "reply", "unit_handler", "town-01", text="已责令停工整改")
    assert r.status_code == 200 and r.json()["status"] == "replied"
    assert r.json()["complainant"] == {"anonymous": False}  # units never see who reported
    r = await _act(service, cid, "close", "supervisor", substantiated=True)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "closed"
    r = await _act(service, cid, "follow-up", "operator", satisfaction="satisfied")
    assert r.json()["status"] == "followed_up" and r.json()["allowed_actions"] == []

    hist = (
        await service.client.get(
            f"/v1/complaints/{cid}/history", headers=service.auth("supervisor")
        )
    ).json()
    assert [h["action"] for h in hist] == [
        "receive",
        "assign",
        "accept",
        "reply",
        "close",
        "follow-up",
    ]
    assert hist[1]["actor_id"] == "supervisor-1" and hist[1]["details"]["unit_id"] == "town-01"

    track = (await service.client.get(f"/v1/track/{case['tracking_code']}")).json()
    assert track["status"] == "followed_up" and track["reply"] == "已责令停工整改"
    assert "complainant" not in track and "history" not in track
    assert [t["status"] for t in track["timeline"]][-1] == "followed_up"
    assert (await service.client.get("/v1/track/AAAA-BBBB-CCCC")).status_code == 404


async def test_impossible_transition_is_409_with_current_state(service):
    cid = (await _new(service))["id"]
    r = await _act(service, cid, "reply", "unit_handler", "town-01", text="x")
    assert r.status_code in (403, 409)
    await _act(service, cid, "assign", "supervisor", unit_id="town-01")
    r = await _act(service, cid, "close", "supervisor")
    assert r.status_code == 409
    assert r.json()["current"]["state"] == "assigned" and r.json()["code"] == "invalid_transition"


async def test_only_the_holding_unit_may_act_and_roles_are_enforced(service):
    cid = (await _new(service))["id"]
    await _act(service, cid, "assign", "supervisor", unit_id="town-01")
    assert (await _act(service, cid, "accept", "unit_handler", "town-02")).status_code == 403
    assert (await _act(service, cid, "accept", "operator")).status_code == 403
    r = await service.client.get(
        f"/v1/complaints/{cid}", headers=service.auth("unit_handler", "town-02")
    )
    assert r.status_code == 404  # another unit does not even see the case
    mine = await service.client.get(
        "/v1/complaints", headers=service.auth("unit_handler", "town-01")
    )
    assert [i["id"] for i in mine.json()["items"]] == [cid]


async def test_return_then_reassign_and_extension_moves_deadlines(service):
    cid = (await _new(service))["id"]
    await _act(service, cid, "assign", "supervisor", unit_id="town-01")
    r = await _act(service, cid, "return", "unit_handler", "town-01", reason="不属于本单位职责")
    assert r.json()["status"] == "returned" and r.json()["unit_id"] is None
    r = await _act(service, cid, "return", "unit_handler", "town-01")
    assert r.status_code in (403, 409)
    await _act(service, cid, "assign", "supervisor", unit_id="bureau-noise")
    await _act(service, cid, "accept", "unit_handler", "bureau-noise")
    before = (
        await service.client.get(f"/v1/complaints/{cid}", headers=service.auth("supervisor"))
    ).json()
    r = await _act(
        service, cid, "extend", "unit_handler", "bureau-noise", amount=3, reason="需监测"
    )
    assert r.status_code == 200 and r.json()["pending_extension"]["amount"]["amount"] == 3
    too_long = await _act(
        service, cid, "extend", "unit_handler", "bureau-noise", amount=30, reason="x"
    )
    assert too_long.status_code == 422
    r = await _act(service, cid, "approve-extension", "supervisor")
    after = r.json()["deadlines"]
    assert after["reply_by"] > before["deadlines"]["reply_by"]
    hist = (
        await service.client.get(f"/v1/complaints/{cid}/history", headers=service.auth("admin"))
    ).json()
    approved = next(h for h in hist if h["action"] == "approve-extension")
    assert approved["details"]["old_reply_by"] < approved["details"]["reply_by"]


async def test_missing_action_fields_are_422_in_chinese(service):
    cid = (await _new(service))["id"]
    r = await _act(service, cid, "assign", "supervisor")
    assert r.status_code == 422 and r.json()["code"] == "unit_id_required"
    assert "承办单位" in r.json()["detail"] and r.json()["field"] == "unit_id"
    r = await _act(service, cid, "assign", "supervisor", unit_id="x", bogus=1)
    assert r.status_code == 422
    assert (await _act(service, cid, "teleport", "supervisor")).status_code == 404


async def test_merge_a_duplicate_into_the_first_case(service):
    first = await _new(service)
    dup = await _new(service)
    assert dup["possible_duplicates"] == [first["id"]]
    r = await _act(service, dup["id"], "merge", "supervisor", into_id=first["id"])
    assert r.json()["status"] == "merged" and r.json()["merged_into"] == first["id"]
    r = await _act(service, first["id"], "merge", "supervisor", into_id=dup["id"])
    assert r.status_code == 422


async def test_a_closed_case_is_no_duplicate_target(service):
    closed = await _new(service)
    cid = closed["id"]
    assert (await _act(service, cid, "assign", "supervisor", unit_id="town-01")).status_code == 200
    assert (await _act(service, cid, "accept", "unit_handler", "town-01")).status_code == 200
    assert (await _act(service, cid, "reply", "unit_handler", "town-01", text="已处理")).is_success
    assert (await _act(service, cid, "close", "supervisor", substantiated=True)).is_success
    second = await _new(service)  # same place, category and caller: only the closed case before
    assert second["possible_duplicates"] == []
    third = await _new(service)
    assert third["possible_duplicates"] == [second["id"]]
    other_caller = await _new(service, complainant={"name": "李四", "phone": "13900000000"})
    assert other_caller["possible_duplicates"] == []


async def test_identity_reveal_is_for_supervisors_and_audited(service):
    cid = (await _new(service))["id"]
    url = f"/v1/complaints/{cid}/complainant"
    assert (
        await service.client.get(url, params={"purpose": "核实"}, headers=service.auth("operator"))
    ).status_code == 403
    assert (await service.client.get(url, headers=service.auth("supervisor"))).status_code == 422
    r = await service.client.get(
        url, params={"purpose": "有奖举报核实"}, headers=service.auth("supervisor")
    )
    assert r.json() == {"anonymous": False, "name": "张三", "phone": "13812345678"}
    audit, _ = await service.ctx.audit.page(AuditFilter(complaint_id=cid), skip=0, limit=10)
    assert [(a["actor_id"], a["purpose"]) for a in audit] == [("supervisor-1", "有奖举报核实")]
    masked = (
        await service.client.get(f"/v1/complaints/{cid}", headers=service.auth("operator"))
    ).json()
    assert masked["complainant"]["phone"] == "138****5678"


async def test_anonymous_report_has_no_reply_deadline(service):
    case = await _new(service, complainant={"anonymous": True})
    assert "reply_by" not in case["deadlines"] and case["complainant"] == {"anonymous": True}
