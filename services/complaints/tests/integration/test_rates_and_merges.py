"""Issue 19 against the real store: the brief's 交办率 mid-period, and merges that cannot hide a
missed reply deadline (the merged reporter gets the answer of the case it joined)."""

from __future__ import annotations

from datetime import datetime

import pytest

from qingshan_core.workdays import SHANGHAI

pytestmark = pytest.mark.integration
MARCH = {"from": "2026-03-01", "to": "2026-03-31"}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


class Driver:
    """Submit and act on cases at chosen moments (the service's clock is moved)."""

    def __init__(self, service) -> None:
        self.service = service

    async def case(self, received: str, **over) -> str:
        s = self.service
        s.ctx.clock = lambda: at(received)
        body = s.body(received_at=at(received).isoformat(), **over)
        r = await s.client.post("/v1/complaints", json=body, headers=s.auth("operator"))
        assert r.status_code == 201, r.text
        return r.json()["id"]

    async def act(self, cid: str, when: str, action: str, role: str, unit=None, **body):
        s = self.service
        s.ctx.clock = lambda: at(when)
        return await s.client.post(
            f"/v1/complaints/{cid}/{action}", json=body, headers=s.auth(role, unit)
        )

    async def rates(self, when: str, **params) -> dict:
        s = self.service
        s.ctx.clock = lambda: at(when)
        r = await s.client.get(
            "/v1/metrics/rates", params={**MARCH, **params}, headers=s.auth("supervisor")
        )
        assert r.status_code == 200, r.text
        return r.json()


def place(n: int) -> dict:
    return {"address": f"东城街道金山路{n}号", "town": "东城街道"}


async def test_march_set_gives_62_50_percent_during_and_after_the_period(service):
    d = Driver(service)
    for day in range(2, 7):  # five assigned within 1 working day
        cid = await d.case(f"2026-03-0{day}T09:00:00", location=place(day))
        r = await d.act(cid, f"2026-03-0{day}T15:00:00", "assign", "operator", unit_id="town-01")
        assert r.status_code == 200, r.text
    for received, assigned in (("2026-03-09", "2026-03-12"), ("2026-03-16", "2026-03-20")):
        cid = await d.case(f"{received}T09:00:00", location=place(int(received[-2:])))
        r = await d.act(cid, f"{assigned}T10:00:00", "assign", "operator", unit_id="town-01")
        assert r.status_code == 200, r.text
    await d.case("2026-03-31T10:00:00", location=place(31))  # limit: end of 1 April

    during = await d.rates("2026-03-31T20:00:00")
    assert during["reading"] == "defined"
    assert during["assignment_rate"] == {
        "numerator": 5,
        "denominator": 8,
        "pending": 1,
        "percent": "62.50",
    }
    so_far = await d.rates("2026-03-31T20:00:00", reading="so_far")
    assert so_far["assignment_rate"]["percent"] == "71.42"  # 5/7: the named variant
    after = await d.rates("2026-04-10T09:00:00")
    assert after["assignment_rate"] == {
        "numerator": 5,
        "denominator": 8,
        "pending": 0,
        "percent": "62.50",
    }


async def test_merging_an_overdue_case_leaves_the_months_reply_rate_unchanged(service):
    d = Driver(service)
    first = await d.case("2026-03-02T09:00:00")  # reply due end of 9 March
    dup = await d.case("2026-03-03T09:00:00")  # reply due end of 10 March
    for cid in (first, dup):
        assert (
            await d.act(cid, "2026-03-03T10:00:00", "assign", "operator", unit_id="town-02")
        ).is_success

    before = await d.rates("2026-03-20T09:00:00")
    assert before["on_time_reply_rate"]["numerator"] == 0
    assert before["on_time_reply_rate"]["denominator"] == 2

    refused = await d.act(dup, "2026-03-20T10:00:00", "merge", "supervisor", into_id=first)
    assert refused.status_code == 422, refused.text
    assert refused.json()["code"] == "merge_overdue_reason_required"
    reason = "与首件为同一工地噪声，首件已在办理"
    merged = await d.act(
        dup, "2026-03-20T10:00:00", "merge", "supervisor", into_id=first, reason=reason
    )
    assert merged.status_code == 200, merged.text
    history = (
        await service.client.get(f"/v1/complaints/{dup}/history", headers=service.auth("admin"))
    ).json()
    assert history[-1]["details"]["reason"] == reason
    assert history[-1]["details"]["missed"] == "accept,reply,close"

    after = await d.rates("2026-03-20T11:00:00")
    assert after["on_time_reply_rate"] == before["on_time_reply_rate"]
    assert after["assignment_rate"]["denominator"] == 2

    # The first case answers (late): the merged case's reporter sees that answer.
    accepted = await d.act(first, "2026-03-23T09:00:00", "accept", "unit_handler", "town-02")
    assert accepted.is_success
    replied = await d.act(
        first, "2026-03-23T10:00:00", "reply", "unit_handler", "town-02", text="已责令停工整改"
    )
    assert replied.status_code == 200, replied.text
    doc = await service.ctx.repo.coll.find_one({"_id": dup})
    tracked = await service.client.get(f"/v1/track/{doc['tracking_code']}")
    assert tracked.status_code == 200 and tracked.json()["reply"] == "已责令停工整改"
    final = await d.rates("2026-04-05T09:00:00")
    assert (
        final["on_time_reply_rate"]["numerator"],
        final["on_time_reply_rate"]["denominator"],
    ) == (0, 2)
    unit = await service.client.get(
        "/v1/metrics/rates", params=MARCH, headers=service.auth("unit_handler", "town-02")
    )
    assert unit.json()["on_time_reply_rate"]["denominator"] == 2


async def test_a_merge_across_places_needs_a_reason(service):
    d = Driver(service)
    first = await d.case("2026-03-02T09:00:00")
    other = await d.case(
        "2026-03-02T10:00:00", location={"address": "水江镇工业园区", "town": "水江镇"}
    )
    r = await d.act(other, "2026-03-02T11:00:00", "merge", "supervisor", into_id=first)
    assert r.status_code == 422 and r.json()["code"] == "merge_reason_required", r.text
    r = await d.act(
        other, "2026-03-02T11:00:00", "merge", "supervisor", into_id=first, reason="同一排污企业"
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "merged"


async def test_rework_is_counted_with_its_own_deadline(service):
    d = Driver(service)
    cid = await d.case("2026-03-02T09:00:00")
    steps = [
        ("2026-03-02T10:00:00", "assign", "operator", None, {"unit_id": "town-02"}),
        ("2026-03-02T11:00:00", "accept", "unit_handler", "town-02", {}),
        ("2026-03-03T10:00:00", "reply", "unit_handler", "town-02", {"text": "已处理"}),
        ("2026-03-04T10:00:00", "close", "supervisor", None, {}),
        ("2026-03-05T10:00:00", "follow-up", "operator", None, {"satisfaction": "dissatisfied"}),
        ("2026-03-05T11:00:00", "reopen", "supervisor", None, {"reason": "群众不满意"}),
    ]
    for when, action, role, unit, body in steps:
        r = await d.act(cid, when, action, role, unit, **body)
        assert r.status_code == 200, (action, r.text)
    pending = await d.rates("2026-03-06T09:00:00")
    assert pending["rework_reply_rate"] == {
        "numerator": 0,
        "denominator": 0,
        "pending": 1,
        "percent": None,
    }
    r = await d.act(cid, "2026-03-20T10:00:00", "reply", "unit_handler", "town-02", text="再次整改")
    assert r.status_code == 200, r.text
    done = await d.rates("2026-03-25T09:00:00")
    assert done["rework_reply_rate"]["numerator"] == 0
    assert done["rework_reply_rate"]["denominator"] == 1  # late: due 5 working days after reopening
    assert done["on_time_reply_rate"]["percent"] == "100.00"
