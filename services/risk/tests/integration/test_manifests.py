"""Manifests over HTTP: the unlicensed refusal (recorded and published), the lifecycle, the
overdue confirmation (exactly once after two sweeps), indicators 11 and 12 by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from .conftest import Service, credit_code, manifest_number

pytestmark = pytest.mark.integration


def manifest_body(number: str, producer: str, receiver: str, **over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "number": number,
        "producer": {"credit_code": producer, "name": "某产废企业"},
        "receiver": {"credit_code": receiver, "name": "某处置公司"},
        "vehicle_plate": f"渝A{number[-5:]}",
        "lines": [{"waste_code": "900-249-08", "quantity": "2", "unit": "t"}],
        "planned_ship_date": "2024-03-04",
    }
    body.update(over)
    return body


async def licensed_receiver(service: Service, categories: list[str]) -> str:
    holder = credit_code()
    r = await service.client.post(
        "/v1/licences",
        json={
            "number": f"渝危废经{holder[-8:]}",
            "holder_credit_code": holder,
            "holder_name": "某处置公司",
            "kind": "综合",
            "valid_from": "2023-01-01",
            "categories": categories,
        },
        headers=service.auth("supervisor"),
    )
    assert r.status_code == 201, r.text
    return holder


async def test_unlicensed_receiver_is_refused_and_the_refusal_is_published(service):
    number = manifest_number()
    body = manifest_body(number, credit_code(), credit_code())
    r = await service.client.post("/v1/manifests", json=body, headers=service.auth("operator"))
    assert r.status_code == 422, r.text
    assert r.json()["refused"] is True
    assert r.json()["errors"][0]["field"] == "receiver"
    assert "许可证" in r.json()["errors"][0]["detail"]
    missing = await service.client.get(f"/v1/manifests/{number}", headers=service.auth("operator"))
    assert missing.status_code == 404  # nothing saved but the refusal

    found = await service.watch.events(number, "ManifestRefusedUnlicensed")
    assert len(found) == 1
    event = found[0][1].decode()
    assert event.waste_code == "900-249-08" and event.on_date == "2024-03-04"
    assert event.receiver_credit_code == body["receiver"]["credit_code"]
    attempts = service.app.state.runtime.db["manifest_refusals"]
    assert await attempts.count_documents({"manifest_number": number}) == 1


async def test_lifecycle_with_discrepancy_and_impossible_transitions(service):
    receiver = await licensed_receiver(service, ["HW08"])
    number = manifest_number()
    headers = service.auth("integration")
    r = await service.client.post(
        "/v1/manifests", json=manifest_body(number, credit_code(), receiver), headers=headers
    )
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "created"

    early = await service.client.post(
        f"/v1/manifests/{number}/receipt",
        json={"lines": [{"waste_code": "900-249-08", "quantity": "2"}]},
        headers=headers,
    )
    assert early.status_code == 409
    assert early.json()["current"]["state"] == "已创建"

    shipped = await service.client.post(
        f"/v1/manifests/{number}/shipment", json={}, headers=headers
    )
    assert shipped.status_code == 200 and shipped.json()["confirm_by"] is not None

    more = await service.client.post(
        f"/v1/manifests/{number}/receipt",
        json={"lines": [{"waste_code": "900-249-08", "quantity": "2100", "unit": "kg"}]},
        headers=headers,
    )
    assert more.status_code == 200, more.text
    assert more.json()["status"] == "discrepancy"
    assert more.json()["discrepancies"][0]["kind"] == "quantity"

    closing = await service.client.post(
        f"/v1/manifests/{number}/closure", json={"text": ""}, headers=headers
    )
    assert closing.status_code == 422 and closing.json()["errors"][0]["field"] == "resolution"
    closed = await service.client.post(
        f"/v1/manifests/{number}/closure", json={"text": "过磅误差，已核实"}, headers=headers
    )
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    found = await service.watch.events(number, "ManifestDiscrepancyReported")
    assert found[0][1].decode().lines[0].received_t == "2.1"


async def test_bad_input_never_500(service):
    headers = service.auth("operator")
    receiver = await licensed_receiver(service, ["HW08"])
    cases = [
        (manifest_body("2024501", credit_code(), receiver), "number"),
        (
            manifest_body(
                manifest_number(),
                credit_code(),
                receiver,
                lines=[{"waste_code": "900-249-08", "quantity": "-1"}],
            ),
            "lines.0.quantity",
        ),
        (
            manifest_body(
                manifest_number(),
                credit_code(),
                receiver,
                lines=[{"waste_code": "900-249-43", "quantity": "1"}],
            ),
            "lines[0].waste_code",
        ),
        (
            manifest_body(
                manifest_number(),
                credit_code(),
                receiver,
                lines=[{"waste_code": "900-249-08", "quantity": "0"}],
            ),
            "lines[0].quantity",
        ),
        (manifest_body(manifest_number(), "not-a-code", receiver), "producer.credit_code"),
    ]
    for body, field in cases:
        r = await service.client.post("/v1/manifests", json=body, headers=headers)
        assert r.status_code == 422, (field, r.text)
        assert r.json()["errors"][0]["field"] == field, r.text


async def test_back_dated_manifest_overdue_once_after_two_sweeps(service):
    receiver = await licensed_receiver(service, ["HW08"])
    number = manifest_number()
    headers = service.auth("operator")
    r = await service.client.post(
        "/v1/manifests", json=manifest_body(number, credit_code(), receiver), headers=headers
    )
    assert r.status_code == 201, r.text
    shipped_at = datetime.now(UTC) - timedelta(days=20)
    r = await service.client.post(
        f"/v1/manifests/{number}/shipment",
        json={"shipped_at": shipped_at.isoformat()},
        headers=headers,
    )
    assert r.status_code == 200, r.text
    first = await service.sweep()
    second = await service.sweep()
    assert first["events"].get("manifests") == 1
    assert "manifests" not in second["events"]
    found = await service.watch.events(number, "ManifestConfirmationOverdue", grace=3)
    assert len(found) == 1
    got = await service.client.get(f"/v1/manifests/{number}", headers=headers)
    assert got.json()["confirmation_overdue"] is True


async def _ship(service: Service, receiver: str, lines: list[dict[str, str]], day: int) -> str:
    headers = service.auth("integration")
    number = manifest_number()
    body = manifest_body(number, credit_code(), receiver, lines=lines)
    r = await service.client.post("/v1/manifests", json=body, headers=headers)
    assert r.status_code == 201, r.text
    at = datetime(2024, 3, day, 10, tzinfo=UTC)
    r = await service.client.post(
        f"/v1/manifests/{number}/shipment", json={"shipped_at": at.isoformat()}, headers=headers
    )
    assert r.status_code == 200, r.text
    return number


async def _receive(service: Service, number: str, lines: list[dict[str, str]], day: int) -> None:
    at = datetime(2024, 3, day, 15, tzinfo=UTC)
    r = await service.client.post(
        f"/v1/manifests/{number}/receipt",
        json={"lines": lines, "received_at": at.isoformat()},
        headers=service.auth("integration"),
    )
    assert r.status_code == 200, r.text


async def test_indicator_11_matches_a_hand_computation(service):
    receiver = await licensed_receiver(service, ["HW08", "HW01"])
    oil = "900-249-08"
    med = "841-001-01"
    a = await _ship(service, receiver, [{"waste_code": oil, "quantity": "2"}], 4)
    await _receive(service, a, [{"waste_code": oil, "quantity": "2"}], 5)
    b = await _ship(service, receiver, [{"waste_code": oil, "quantity": "1500", "unit": "kg"}], 6)
    await _receive(service, b, [{"waste_code": oil, "quantity": "1.2", "rejected": "0.3"}], 7)
    await _ship(service, receiver, [{"waste_code": oil, "quantity": "0.5"}], 8)  # never confirmed
    d = await _ship(service, receiver, [{"waste_code": med, "quantity": "0.3"}], 11)
    await _receive(service, d, [{"waste_code": med, "quantity": "0.3"}], 12)
    await _ship(service, receiver, [{"waste_code": oil, "quantity": "9"}], 25)  # outside period

    r = await service.client.get(
        "/v1/indicators",
        params={"start": "2024-03-01T00:00:00+08:00", "end": "2024-03-20T00:00:00+08:00"},
        headers=service.auth("operator"),
    )
    assert r.status_code == 200, r.text
    eleven, twelve = r.json()
    numerator = Decimal("2") + Decimal("1.2") + Decimal("0.3")
    denominator = Decimal("2") + Decimal("1.5") + Decimal("0.5") + Decimal("0.3")
    assert Decimal(eleven["numerator_t"]) == numerator
    assert Decimal(eleven["denominator_t"]) == denominator
    assert eleven["manifests"] == 4 and eleven["met"] is False
    assert eleven["percent"] == "81.39"  # 3.5 / 4.3 = 81.395…, truncated
    assert twelve["percent"] == "100.00" and twelve["met"] is True
