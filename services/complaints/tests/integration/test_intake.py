"""Intake against the real store and broker: once per order, validation, PII at rest."""

from __future__ import annotations

import asyncio
import json

import pytest

from qingshan.complaints.v1 import events_pb2 as pb
from qingshan_core.events import Envelope
from qingshan_core.testing.pytest_plugin import read_topic

pytestmark = pytest.mark.integration
TOPIC = "qingshan.complaints.v1"


async def test_submit_answers_id_tracking_code_status_and_deadlines(service):
    r = await service.client.post(
        "/v1/complaints", json=service.body(), headers=service.auth("operator")
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["id"].startswith(service.settings.id_prefix) and len(body["tracking_code"]) == 14
    assert body["status"] == "received" and body["created"] is True
    assert {"assign_by", "reply_by", "close_by"} <= set(body["deadlines"])
    assert body["complainant"] == {"anonymous": False, "name": "张*", "phone": "138****5678"}


async def test_same_platform_order_twice_is_one_case(service, infra):
    body = service.body()
    first = await service.client.post(
        "/v1/complaints", json=body, headers=service.auth("integration")
    )
    again = await service.client.post(
        "/v1/complaints", json=body, headers=service.auth("integration")
    )
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["id"] == first.json()["id"] and again.json()["created"] is False
    assert await service.ctx.repo.coll.count_documents({"external_id": body["external_id"]}) == 1
    # And exactly one ComplaintReceived went out for it.
    received = await _events(infra, first.json()["id"], expect=1)
    assert [e.type for e in received] == ["qingshan.complaints.v1.ComplaintReceived"]


async def test_idempotency_key_returns_first_case_and_refuses_a_different_body(service):
    h = {**service.auth("operator"), "Idempotency-Key": "call-0001"}
    body = service.body(external_id=None, channel="visit")
    a = await service.client.post("/v1/complaints", json=body, headers=h)
    b = await service.client.post("/v1/complaints", json=body, headers=h)
    assert a.status_code == 201 and b.status_code == 200 and a.json()["id"] == b.json()["id"]
    other = await service.client.post(
        "/v1/complaints", json={**body, "description": "另一件事"}, headers=h
    )
    assert other.status_code == 409 and other.json()["code"] == "idempotency_key_reused"


async def test_concurrent_duplicates_make_one_case(service):
    body = service.body()
    h = service.auth("integration")
    answers = await asyncio.gather(
        *[service.client.post("/v1/complaints", json=body, headers=h) for _ in range(5)]
    )
    assert len({a.json()["id"] for a in answers}) == 1
    assert sorted(a.status_code for a in answers) == [200, 200, 200, 200, 201]


async def test_stored_document_holds_no_plaintext_identity(service):
    r = await service.client.post(
        "/v1/complaints", json=service.body(), headers=service.auth("operator")
    )
    doc = await service.ctx.repo.coll.find_one({"_id": r.json()["id"]})
    raw = json.dumps(doc, default=str, ensure_ascii=False)
    assert "13812345678" not in raw and "张三" not in raw
    assert doc["complainant"]["phone"].startswith("v1.")  # ciphertext with key id


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"complainant": {"name": "李四", "phone": "12345"}}, "complainant.phone"),
        ({"location": {"address": "x", "lat": 48.8, "lon": 2.35}}, "location.lon"),
        ({"received_at": "2099-01-01T00:00:00+08:00"}, "received_at"),
        ({"category": "smell"}, "category"),
        ({"channel": "fax"}, "channel"),
        ({"complainant": {"anonymous": True, "phone": "13812345678"}}, "complainant"),
        ({"description": "   "}, "description"),
        ({"received_at": "2026-01-01T08:00:00"}, "received_at"),  # naive time
    ],
)
async def test_bad_input_is_422_naming_the_field_and_writes_nothing(service, patch, field):
    r = await service.client.post(
        "/v1/complaints", json=service.body(**patch), headers=service.auth("operator")
    )
    assert r.status_code == 422, r.text
    assert field in {e["field"] for e in r.json()["errors"]}
    assert "请求参数有误" in r.json()["detail"]
    assert await service.ctx.repo.coll.count_documents({}) == 0


async def test_auth_and_roles(service):
    assert (await service.client.post("/v1/complaints", json=service.body())).status_code == 401
    r = await service.client.post(
        "/v1/complaints", json=service.body(), headers=service.auth("unit_handler", "town-01")
    )
    assert r.status_code == 403
    # The public submits only through the bureau's own channels.
    pub = service.auth("public", sub="app-user-7")
    r = await service.client.post("/v1/complaints", json=service.body(), headers=pub)
    assert r.status_code == 403
    r = await service.client.post(
        "/v1/complaints", json=service.body(channel="app", external_id=None), headers=pub
    )
    assert r.status_code == 201 and set(r.json()) >= {"id", "tracking_code", "deadlines"}
    assert "complainant" not in r.json()


async def test_oversized_body_is_413(service):
    big = service.body(description="噪" * 40000)
    r = await service.client.post("/v1/complaints", json=big, headers=service.auth("operator"))
    assert r.status_code == 413


async def _events(infra, subject: str, expect: int) -> list[Envelope]:
    records = await read_topic(infra["bootstrap"], TOPIC, expect=10**6, timeout=4)
    envs = [Envelope.from_record(r.headers, r.value) for r in records]
    found = [e for e in envs if e.subject == subject]
    assert len(found) >= expect or not expect
    return found


__all__ = ["pb"]


@pytest.mark.parametrize(("lat", "lon"), [(29.21, 107.15), ("29.21", "107.15")])
async def test_coordinates_are_numbers_and_a_string_is_still_taken(service, lat, lon):
    where = {"address": "南川区东城街道金山路18号", "town": "东城街道", "lat": lat, "lon": lon}
    h = service.auth("operator")
    r = await service.client.post("/v1/complaints", json=service.body(location=where), headers=h)
    assert r.status_code == 201, r.text
    got = (await service.client.get(f"/v1/complaints/{r.json()['id']}", headers=h)).json()
    assert (got["location"]["lat"], got["location"]["lon"]) == (29.21, 107.15)
    assert isinstance(got["location"]["lat"], float)
