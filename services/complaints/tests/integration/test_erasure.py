"""Erasure and retention of reporters' data (issue 18 item 1), on the real store and broker:
an administrator's erasure with a reason, a 410 on a later reveal, the daily anonymisation that
keeps the rates, the append-only reveal audit and the unusual-reveals alert."""

from __future__ import annotations

import inspect
import uuid
from datetime import timedelta

import pytest

from complaints.adapters.audit import PiiAudit
from complaints.service_layer.erasure import anonymise_expired
from qingshan_core.events import Envelope
from qingshan_core.testing.pytest_plugin import read_topic

from .conftest import running

pytestmark = pytest.mark.integration
TOPIC = "qingshan.complaints.v1"
PHONE = "13812345678"


async def _new(service, **over) -> str:
    r = await service.client.post(
        "/v1/complaints", json=service.body(**over), headers=service.auth("operator")
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def _closed(service, **over) -> str:
    cid = await _new(service, **over)
    steps = [
        ("assign", "supervisor", None, {"unit_id": "town-01"}),
        ("accept", "unit_handler", "town-01", {}),
        ("reply", "unit_handler", "town-01", {"text": "已责令金山路18号工地停工"}),
        ("close", "supervisor", None, {"substantiated": True}),
    ]
    for action, role, unit, body in steps:
        r = await service.client.post(
            f"/v1/complaints/{cid}/{action}", json=body, headers=service.auth(role, unit)
        )
        assert r.status_code == 200, r.text
    return cid


def _reveal(service, cid: str, sub: str = "supervisor-1"):
    return service.client.get(
        f"/v1/complaints/{cid}/complainant",
        params={"purpose": "有奖举报核实"},
        headers=service.auth("supervisor", sub=sub),
    )


async def _stored(service, cid: str) -> dict:
    doc = await service.ctx.repo.find_one({"_id": cid})
    assert doc is not None
    return doc


async def _place_items(service, cid: str) -> list:
    docs = await service.ctx.places.coll.find({}).to_list()
    return [i for d in docs for i in d.get("items", []) if i["id"] == cid]


async def test_an_administrator_erases_the_identity_with_a_reason_and_reveals_then_answer_410(
    service,
):
    cid = await _new(service)
    url = f"/v1/complaints/{cid}/erase"
    admin = service.auth("admin")
    refused = await service.client.post(url, json={}, headers=admin)
    assert refused.status_code == 422 and "reason" in refused.text
    assert (await service.client.post(url, json={"reason": " "}, headers=admin)).status_code == 422
    for role in ("supervisor", "operator"):
        r = await service.client.post(url, json={"reason": "本人申请"}, headers=service.auth(role))
        assert r.status_code == 403
    missing = await service.client.post(
        "/v1/complaints/TS000/erase", json={"reason": "本人申请"}, headers=admin
    )
    assert missing.status_code == 404
    assert (await _reveal(service, cid)).status_code == 200
    assert await _place_items(service, cid)

    r = await service.client.post(
        url, json={"reason": "本人申请删除（申请单 2026-07）"}, headers=admin
    )
    assert r.status_code == 200, r.text
    assert {"name", "phone", "phone_hash", "place_index"} <= set(r.json()["removed"])

    doc = await _stored(service, cid)
    person = doc["complainant"]
    assert [person[k] for k in ("name", "phone", "phone_hash", "masked_name", "masked_phone")] == [
        None
    ] * 5
    assert PHONE not in str(doc) and await _place_items(service, cid) == []
    assert doc["description"] == service.body()["description"]  # the case itself stays
    gone = await _reveal(service, cid)
    assert gone.status_code == 410 and gone.headers["content-type"] == "application/problem+json"
    assert gone.json()["code"] == "identity_erased"
    # The case still reads, masked fields empty; a second erasure removes nothing more.
    seen = await service.client.get(f"/v1/complaints/{cid}", headers=service.auth("operator"))
    assert seen.status_code == 200 and PHONE[-4:] not in seen.text
    again = await service.client.post(url, json={"reason": "重复申请"}, headers=admin)
    assert again.status_code == 200 and again.json()["removed"] == []

    # Audited (reveal, erase, erase), and the erasure published once with what it removed.
    audit = await service.client.get(
        "/v1/admin/reveals", params={"complaint_id": cid}, headers=admin
    )
    items = audit.json()["items"]
    assert [(i["kind"], i["actor_id"]) for i in items] == [
        ("erase", "admin-1"),
        ("erase", "admin-1"),
        ("reveal", "supervisor-1"),
    ]
    assert items[-2]["purpose"] == "本人申请删除（申请单 2026-07）"
    records = await read_topic(service.settings.kafka_bootstrap, TOPIC, expect=10**6, timeout=4)
    envs = [Envelope.from_record(r.headers, r.value) for r in records]
    erased = [e for e in envs if e.subject == cid and e.type.endswith("ComplaintErased")]
    assert len(erased) == 1 and PHONE.encode() not in erased[0].data


async def test_the_daily_job_anonymises_expired_cases_and_the_rates_stay(service):
    ctx = service.ctx
    closed = await _closed(
        service, location={"address": "金山路18号", "town": "东城街道", "lat": 29.16, "lon": 107.1}
    )
    still_open = await _new(service)
    day = ctx.clock().date().isoformat()
    params = {"from": day, "to": day}
    sup = service.auth("supervisor")
    before = (await service.client.get("/v1/metrics/rates", params=params, headers=sup)).json()

    assert await anonymise_expired(ctx, ctx.clock() + timedelta(days=179)) == {
        "identity": 0,
        "content": 0,
    }
    counts = await anonymise_expired(ctx, ctx.clock() + timedelta(days=181))
    assert counts == {"identity": 1, "content": 0}
    doc = await _stored(service, closed)
    assert doc["complainant"]["phone"] is None and doc["complainant"]["phone_hash"] is None
    assert doc["description"] == service.body()["description"]
    assert (await _reveal(service, closed)).status_code == 410

    counts = await anonymise_expired(ctx, ctx.clock() + timedelta(days=1096))
    assert counts == {"identity": 0, "content": 1}
    doc = await _stored(service, closed)
    assert "噪声" not in doc["description"] and "金山路" not in str(doc)
    assert doc["location"]["lat"] is None and doc["place_key"] is None
    assert doc["location"]["town"] == "东城街道" and doc["status"] == "closed"
    assert await _place_items(service, closed) == []
    # The open case keeps everything; the rates read the same.
    assert (await _stored(service, still_open))["complainant"]["phone_hash"]
    after = (await service.client.get("/v1/metrics/rates", params=params, headers=sup)).json()
    assert after == before
    assert await anonymise_expired(ctx, ctx.clock() + timedelta(days=2000)) == {
        "identity": 0,
        "content": 0,
    }


async def test_the_reveal_audit_is_append_only_readable_by_admins_with_filters_and_paging(
    service,
):
    a, b = await _new(service), await _new(service)
    for cid, sub in ((a, "sup-x"), (b, "sup-x"), (a, "sup-y")):
        assert (await _reveal(service, cid, sub)).status_code == 200
    admin = service.auth("admin")
    page = await service.client.get(
        "/v1/admin/reveals", params={"actor_id": "sup-x", "limit": 1}, headers=admin
    )
    assert page.status_code == 200 and page.json()["total"] == 2
    [first] = page.json()["items"]
    assert (first["complaint_id"], first["kind"], first["role"]) == (b, "reveal", "supervisor")
    assert first["purpose"] == "有奖举报核实" and first["at"]
    second = await service.client.get(
        "/v1/admin/reveals", params={"actor_id": "sup-x", "limit": 1, "offset": 1}, headers=admin
    )
    assert [i["complaint_id"] for i in second.json()["items"]] == [a]
    since = (service.ctx.clock() + timedelta(hours=1)).isoformat()
    later = await service.client.get("/v1/admin/reveals", params={"since": since}, headers=admin)
    assert later.json()["total"] == 0
    denied = await service.client.get("/v1/admin/reveals", headers=service.auth("supervisor"))
    assert denied.status_code == 403
    # No way to change or remove an entry: the repository only records and reads.
    public = {n for n, _ in inspect.getmembers(PiiAudit, inspect.isfunction) if n[0] != "_"}
    assert public == {"record", "page", "count"}


async def test_unusual_reveals_by_one_person_in_a_day_raise_one_ops_event(infra):
    many, few = f"sup-many-{uuid.uuid4().hex[:8]}", f"sup-few-{uuid.uuid4().hex[:8]}"
    async with running(infra, reveal_daily_threshold=2) as service:
        cases = [await _new(service) for _ in range(4)]
        for cid in cases:
            assert (await _reveal(service, cid, many)).status_code == 200
        assert (await _reveal(service, cases[0], few)).status_code == 200
        day = service.ctx.clock().strftime("%Y-%m-%d")
        db = service.app.state.runtime.db
        alerts = await db.ops_alerts.find({"_id": {"$regex": "^reveals/"}}).to_list()
        assert [d["_id"] for d in alerts] == [f"reveals/{many}/{day}"]
        records = await read_topic(service.settings.kafka_bootstrap, TOPIC, expect=10**6, timeout=4)
        envs = [Envelope.from_record(r.headers, r.value) for r in records]
        raised = [e for e in envs if e.subject == f"reveals/{many}/{day}"]
        assert [e.type for e in raised] == ["qingshan.complaints.v1.RevealsUnusual"]
