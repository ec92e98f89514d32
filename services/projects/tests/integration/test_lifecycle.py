"""Lifecycle over HTTP: one event per stage advance on the real broker, 409s, roles."""

from __future__ import annotations

import pytest

from qingshan.projects.v1 import events_pb2 as pb
from qingshan_core.auth import Role

from .conftest import Service
from .helpers import DOC, first_subitem, walk

pytestmark = pytest.mark.integration


async def test_stage_advance_publishes_exactly_one_event(seeded: Service, tail) -> None:
    item = await first_subitem(seeded)
    t = await tail()
    who = "planner-advance-one"
    r = await seeded.client.post(
        f"/v1/subitems/{item['id']}/advance",
        json={"to_stage": "可研", "on": "2025-03-01", "document_no": DOC},
        headers=seeded.auth(Role.SUPERVISOR, sub=who),
    )
    assert r.status_code == 200, r.text
    assert (r.json()["stage"], r.json()["stage_zh"], r.json()["version"]) == (
        "feasibility",
        "可研",
        2,
    )
    found = await t.read(lambda e: e.subject == item["id"] and who.encode() in e.data, expect=1)
    assert len(found) == 1
    [env] = found
    assert env.type == "qingshan.projects.v1.StageAdvanced"
    assert env.source == "/qingshan/projects"
    msg = env.decode()
    assert isinstance(msg, pb.StageAdvanced)
    assert (msg.from_stage, msg.to_stage, msg.on_date, msg.document_no, msg.actor) == (
        "reserve",
        "feasibility",
        "2025-03-01",
        DOC,
        who,
    )
    assert msg.subitem.subitem_id == item["id"] and list(msg.subitem.lead_units)


async def test_impossible_transitions_are_409_with_the_current_stage(seeded: Service) -> None:
    item = await first_subitem(seeded)
    h = seeded.auth(Role.ADMIN)
    url = f"/v1/subitems/{item['id']}/advance"
    r = await seeded.client.post(url, json={"to_stage": "实施", "on": "2025-03-01"}, headers=h)
    assert r.status_code == 409, r.text
    body = r.json()
    assert (body["current"]["state"], body["current"]["label"], body["current"]["next_stage"]) == (
        "reserve",
        "储备",
        "feasibility",
    )
    assert "不允许" in body["detail"]
    missing_doc = await seeded.client.post(
        url, json={"to_stage": "feasibility", "on": "2025-03-01"}, headers=h
    )
    assert missing_doc.status_code == 422
    assert missing_doc.json()["errors"][0]["field"] == "document_no"
    future = await seeded.client.post(
        url, json={"to_stage": "feasibility", "on": "2999-01-01", "document_no": DOC}, headers=h
    )
    assert future.status_code == 422 and future.json()["errors"][0]["field"] == "on"
    unknown = await seeded.client.post(
        url, json={"to_stage": "开工", "on": "2025-03-01"}, headers=h
    )
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "to_stage"
    nobody = await seeded.client.post(
        "/v1/subitems/nope/advance", json={"to_stage": "可研", "on": "2025-03-01"}, headers=h
    )
    assert nobody.status_code == 404


async def test_withdraw_blocks_changes_until_reinstated(seeded: Service) -> None:
    item = await first_subitem(seeded)
    h = seeded.auth(Role.SUPERVISOR, sub="planner-a")
    base = f"/v1/subitems/{item['id']}"
    r = await seeded.client.post(f"{base}/withdraw", json={"reason": "项目取消"}, headers=h)
    assert r.status_code == 200 and r.json()["in_reserve"] is False
    adj = await seeded.client.post(
        f"{base}/adjustments",
        json={"kind": "investment", "investment_wan": "6000", "reason": "价格上涨"},
        headers=h,
    )
    assert adj.status_code == 409 and adj.json()["current"]["in_reserve"] is False
    rollup = await seeded.client.get("/v1/rollups", params={"by": "field"}, headers=h)
    assert rollup.json()["total"]["subitems"] == 89
    back = await seeded.client.post(f"{base}/reinstate", json={"reason": "恢复"}, headers=h)
    assert back.status_code == 200 and back.json()["in_reserve"] is True
    detail = await seeded.client.get(base, headers=h)
    actions = [e["action"] for e in detail.json()["history"]]
    assert actions == ["added", "withdrawn", "reinstated"]


async def test_roles_are_enforced(seeded: Service) -> None:
    c = seeded.client
    item = await first_subitem(seeded)
    advance = {"to_stage": "可研", "on": "2025-03-01", "document_no": DOC}
    assert (await c.get("/v1/rollups", params={"by": "field"})).status_code == 401
    bad_token = {"Authorization": "Bearer not-a-token"}
    assert (await c.get("/v1/subitems", headers=bad_token)).status_code == 401
    public = seeded.auth(Role.PUBLIC)
    assert (await c.get("/v1/subitems", headers=public)).status_code == 403
    for role in (Role.OPERATOR, Role.INTEGRATION, Role.UNIT_HANDLER):
        kw = {"unit": "区生态环境局"} if role is Role.UNIT_HANDLER else {}
        h = seeded.auth(role, **kw)
        assert (await c.get("/v1/rollups", params={"by": "stage"}, headers=h)).status_code == 200
        r = await c.post(f"/v1/subitems/{item['id']}/advance", json=advance, headers=h)
        assert r.status_code == 403, role
        assert "仅限" in r.json()["detail"]
        r = await c.post("/v1/imports", content=b"no\n", headers=h)
        assert r.status_code == 403


async def test_evaluation_after_completion(seeded: Service) -> None:
    item = await first_subitem(seeded, stage="reserve")
    early = await seeded.client.post(
        f"/v1/subitems/{item['id']}/evaluations",
        json={"year": 2025, "score": "92"},
        headers=seeded.auth(Role.SUPERVISOR),
    )
    assert early.status_code == 409 and early.json()["current"]["state"] == "reserve"
    await walk(seeded, item["id"], "completed")
    h = seeded.auth(Role.SUPERVISOR)
    bad = await seeded.client.post(
        f"/v1/subitems/{item['id']}/evaluations", json={"year": 2025, "score": "120"}, headers=h
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "score"
    r = await seeded.client.post(
        f"/v1/subitems/{item['id']}/evaluations",
        json={
            "year": 2025,
            "score": "92.5",
            "indicator_results": [
                {"name": "整治企业数", "target": "20", "actual": "21", "met": True}
            ],
        },
        headers=h,
    )
    assert r.status_code == 201, r.text
    assert (r.json()["score"], r.json()["grade"]) == ("92.5", "优")


async def test_a_planner_skips_a_stage_the_item_does_not_need(seeded: Service, tail) -> None:
    item = await first_subitem(seeded)
    url = f"/v1/subitems/{item['id']}/advance"
    h = seeded.auth(Role.SUPERVISOR, sub="planner-skip")
    skip = {
        "stage": "可研",
        "reason": "小型项目，审批部门同意以项目建议书代替可研",
        "document_no": "南川发改〔2025〕7号",
    }
    body = {"to_stage": "初设", "on": "2025-03-01", "document_no": DOC}
    r = await seeded.client.post(
        url, json={**body, "skip": [{**skip, "document_no": ""}]}, headers=h
    )
    assert r.status_code == 422, r.text
    r = await seeded.client.post(
        url, json={**body, "skip": [{**skip, "stage": "招投标"}]}, headers=h
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "skip", r.text
    t = await tail()
    r = await seeded.client.post(url, json={**body, "skip": [skip]}, headers=h)
    assert r.status_code == 200, r.text
    assert r.json()["stage"] == "preliminary_design"
    found = await t.read(lambda e: e.subject == item["id"] and b"planner-skip" in e.data, expect=1)
    msg = found[0].decode()
    assert (msg.from_stage, msg.to_stage) == ("reserve", "preliminary_design")
    assert [(s.stage, s.document_no) for s in msg.skipped] == [
        ("feasibility", "南川发改〔2025〕7号")
    ]
