"""Issue 17 on the real stack: a 12345 order's whole life round-trips with the city platform
simulator, whose view of it ends equal to qingshan's; a 不满意 回访 reopens the case; the
platform's requests are idempotent and refused with 409 where the state does not allow them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from .platform_loop import UNIT, eventually, platform_loop

pytestmark = pytest.mark.integration

# The city's status words for qingshan's states (after 回访 不满意 the case is reworked).
CITY_STATUS = {
    "assigned": "已派单",
    "accepted": "已签收",
    "returned": "已退单",
    "replied": "已回复",
    "closed": "已办结",
    "followed_up": "已回访",
    "withdrawn": "已撤单",
}


def assert_views_equal(city: dict, ours: dict, doc: dict) -> None:
    """The city's book and qingshan's case say the same about the order."""
    status = CITY_STATUS[doc["status"]]
    if doc["status"] == "accepted" and doc.get("reopen_count"):
        status = "重办中"
    assert city["状态"] == status, (city, doc["status"])
    assert city["承办单位"] == doc["unit_id"] == ours["unit_id"]
    assert city["办理结果"] == (doc.get("reply_text") or "")
    assert city["已批延期天数"] == doc["extension_used"]
    assert bool(city["待审延期天数"]) == (doc.get("pending_extension") is not None)
    assert (city["催办次数"], city["督办次数"]) == (ours["urge_count"], ours["supervise_count"])
    labels = {"satisfied": "满意", "basically_satisfied": "基本满意", "dissatisfied": "不满意"}
    assert city["满意度"] == labels.get(doc.get("satisfaction") or "", "")
    # Every step the district took went once, in order, and the city took each of them.
    sent = [s for s in ours["steps"] if s["outcome"] in ("delivered", "duplicate")]
    assert [s["序号"] for s in city["环节"]] == [s["seq"] for s in sent]
    assert [s["办理环节"] for s in city["环节"]] == [s["step_label"] for s in sent]


async def test_a_12345_order_round_trips_and_both_sides_agree(infra):
    async with platform_loop(infra) as loop:
        number, case_id = await loop.dispatch()
        h = loop.handler
        await loop.act(case_id, "accept", h)
        r = await loop.sim.urge(number, note="群众来电催促")
        assert r.status_code == 200 and r.json()["escalation_level"] == "urge", r.text
        await loop.act(case_id, "extend", h, amount=3, reason="需等待第三方监测报告")
        await eventually(lambda: loop.delivered(number, 2))
        assert loop.city_view(number)["待审延期天数"] == 3
        r = await loop.sim.decide_extension(number, approved=True, reason="同意延期")
        assert r.status_code == 200 and not r.json()["pending_extension"], r.text
        await loop.act(case_id, "reply", h, text="经现场核查，工地已停止夜间施工")
        await loop.act(case_id, "close", loop.auth("supervisor"), substantiated=True)
        await eventually(lambda: loop.delivered(number, 4))
        city = loop.city_view(number)
        assert city["状态"] == "已办结" and city["是否属实"] == "属实"
        r = await loop.sim.follow_up(number, "满意", note="群众表示满意")
        assert r.status_code == 200 and r.json()["status"] == "followed_up", r.text

        doc = await loop.ctx.repo.find_one({"_id": case_id})
        ours = await loop.order(number)
        assert doc["status"] == "followed_up" and doc["extension_used"] == 3
        assert_views_equal(loop.city_view(number), ours, doc)
        # Each step reached the platform signed, under its own key, exactly once.
        keys = [r["key"] for r in loop.sim.requests if r["number"] == number]
        assert len(keys) == len(set(keys)) == 4
        assert all(k.startswith(f"{case_id}:") for k in keys)


async def test_a_dissatisfied_follow_up_reopens_the_case_for_rework(infra):
    async with platform_loop(infra) as loop:
        number, case_id = await loop.dispatch()
        h = loop.handler
        await loop.act(case_id, "accept", h)
        await loop.act(case_id, "reply", h, text="已责令整改")
        await loop.act(case_id, "close", loop.auth("supervisor"), substantiated=False)
        await eventually(lambda: loop.delivered(number, 3))
        r = await loop.sim.follow_up(number, "不满意", note="噪声仍在")
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "accepted" and r.json()["reopen_count"] == 1
        doc = await loop.ctx.repo.find_one({"_id": case_id})
        assert doc["unit_id"] == UNIT and doc["satisfaction"] is None
        assert doc["history"][-1]["action"] == "reopen"
        assert doc["history"][-1]["details"]["reason"] == "回访不满意：噪声仍在"
        assert loop.city_view(number)["状态"] == "重办中"
        # The rework's answer goes back like the first one; the city takes it in 重办.
        await loop.act(case_id, "reply", h, text="已加装隔音屏障，夜间施工已停止")
        await eventually(lambda: loop.delivered(number, 4))
        doc = await loop.ctx.repo.find_one({"_id": case_id})
        assert_views_equal(loop.city_view(number), await loop.order(number), doc)
        assert loop.city_view(number)["状态"] == "已回复"
        assert loop.city_view(number)["回访记录"] == ["不满意"]


async def test_platform_requests_are_idempotent_and_refused_where_the_state_forbids(infra):
    async with platform_loop(infra) as loop:
        number, case_id = await loop.dispatch()
        path = f"/v1/platforms/12345/orders/{number}"
        body = {"request_id": "REQ-1", "note": "请加快办理"}
        first = await loop.http.post(f"{path}/urge", json=body, headers=loop.city)
        again = await loop.http.post(f"{path}/urge", json=body, headers=loop.city)
        assert first.status_code == again.status_code == 200
        assert not first.json()["duplicate"] and again.json()["duplicate"]
        assert again.json()["urge_count"] == 1  # the repeat changed nothing
        other = await loop.http.post(
            f"{path}/withdraw", json={"request_id": "REQ-1", "reason": "x"}, headers=loop.city
        )
        assert other.status_code == 409 and other.json()["code"] == "request_id_reused"
        assert other.json()["current"] == {"request_id": "REQ-1", "kind": "urge"}
        # 回访 before 办结: 409 with the current state.
        visit = {"request_id": "REQ-2", "satisfaction": "满意"}
        r = await loop.http.post(f"{path}/follow-up", json=visit, headers=loop.city)
        assert r.status_code == 409 and r.json()["current"]["state"] == "assigned", r.text
        # An extension decision without a pending request is 409 too.
        r = await loop.http.post(
            f"{path}/extension-decision",
            json={"request_id": "REQ-3", "approved": True},
            headers=loop.city,
        )
        assert r.status_code == 409 and r.json()["current"]["state"] == "assigned"
        # 改派 to a unit the registry does not hold: 422 naming the unit, nothing written.
        r = await loop.http.post(
            f"{path}/redispatch",
            json={"request_id": "REQ-4a", "unit_id": "town-nowhere", "reason": "x"},
            headers=loop.city,
        )
        assert r.status_code == 422 and r.json()["code"] == "unit_unknown", r.text
        assert r.json()["field"] == "unit_id" and "town-nowhere" in r.json()["detail"]
        assert (await loop.ctx.repo.find_one({"_id": case_id}))["unit_id"] == UNIT
        # 改派, then 撤单; after that nothing more.
        r = await loop.http.post(
            f"{path}/redispatch",
            json={"request_id": "REQ-4", "unit_id": "town-xicheng", "reason": "属西城辖区"},
            headers=loop.city,
        )
        assert r.status_code == 200 and r.json()["unit_id"] == "town-xicheng", r.text
        r = await loop.http.post(
            f"{path}/withdraw",
            json={"request_id": "REQ-5", "reason": "市民撤诉"},
            headers=loop.city,
        )
        assert r.status_code == 200 and r.json()["status"] == "withdrawn"
        r = await loop.http.post(
            f"{path}/supervise", json={"request_id": "REQ-6"}, headers=loop.city
        )
        assert r.status_code == 409 and r.json()["current"]["state"] == "withdrawn"
        # Wrong caller, unknown order, bad values.
        r = await loop.http.post(f"{path}/urge", json={"request_id": "R7"}, headers=loop.handler)
        assert r.status_code == 403
        r = await loop.http.post(
            "/v1/platforms/12345/orders/GD-NOPE/urge", json={"request_id": "R8"}, headers=loop.city
        )
        assert r.status_code == 404
        r = await loop.http.post(
            f"{path}/follow-up",
            json={"request_id": "R9", "satisfaction": "还行"},
            headers=loop.city,
        )
        assert r.status_code == 422 and r.json()["code"] == "satisfaction_invalid"
        r = await loop.http.post(f"{path}/urge", json={"note": "x"}, headers=loop.city)
        assert r.status_code == 422 and "request_id" in r.text
        doc = await loop.ctx.repo.find_one({"_id": case_id})
        assert doc["status"] == "withdrawn" and doc["urge_count"] == 1
        rates = await loop.http.get(
            "/v1/metrics/rates",
            params={
                "from": str(date.today() - timedelta(days=1)),
                "to": str(date.today() + timedelta(days=1)),
            },
            headers=loop.auth("supervisor"),
        )
        assert rates.json()["assignment_rate"]["denominator"] == 0  # withdrawn: not counted
