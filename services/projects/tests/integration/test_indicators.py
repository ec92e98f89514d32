"""The indicator ledger: values by year, and a binding indicator going off track on the broker."""

from __future__ import annotations

import pytest

from qingshan.projects.v1 import events_pb2 as pb
from qingshan_core.auth import Role

from .conftest import Service

pytestmark = pytest.mark.integration


async def test_indicator_going_off_track_is_announced(seeded: Service, tail) -> None:
    h = seeded.auth(Role.SUPERVISOR, sub="planner-ledger")
    listed = await seeded.client.get("/v1/indicators", params={"year": 2024}, headers=h)
    assert listed.status_code == 200 and len(listed.json()) == 18
    pm25 = next(i for i in listed.json() if i["no"] == 2)
    assert (pm25["direction"], pm25["target"], pm25["status"]) == (
        "lower_is_better",
        "30",
        "no_data",
    )
    t = await tail()
    ok = await seeded.client.post(
        "/v1/indicators/2/values", json={"year": 2024, "value": "27.5"}, headers=h
    )
    assert ok.status_code == 201 and ok.json()["status"] == "met", ok.text
    off = await seeded.client.post(
        "/v1/indicators/2/values", json={"year": 2024, "value": "31.2"}, headers=h
    )
    assert off.json()["status"] == "not_met" and off.json()["status_zh"] == "未达标"
    off_type = "qingshan.projects.v1.IndicatorOffTrack"
    [env] = await t.read(lambda e: e.subject == "indicator-02" and e.type == off_type, expect=1)
    msg = env.decode()
    assert isinstance(msg, pb.IndicatorOffTrack)
    assert (msg.indicator_no, msg.year, msg.value, msg.target) == (2, 2024, "31.2", "30")
    detail = await seeded.client.get("/v1/indicators/2", headers=h)
    assert [y["value"] for y in detail.json()["years"]] == ["31.2"]
    assert len(detail.json()["history"]) == 2


async def test_indicator_input_errors(seeded: Service) -> None:
    h = seeded.auth(Role.ADMIN)
    missing = await seeded.client.post(
        "/v1/indicators/99/values", json={"year": 2024, "value": "1"}, headers=h
    )
    assert missing.status_code == 404
    bad_year = await seeded.client.post(
        "/v1/indicators/1/values", json={"year": 1999, "value": "1"}, headers=h
    )
    assert bad_year.status_code == 422
    reader = seeded.auth(Role.OPERATOR)
    forbidden = await seeded.client.post(
        "/v1/indicators/1/values", json={"year": 2024, "value": "1"}, headers=reader
    )
    assert forbidden.status_code == 403
