"""Sweeps for plans, licences and storage: each deadline event once, found via next_check_at."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from .conftest import credit_code

pytestmark = pytest.mark.integration


async def test_plan_filing_overdue_then_late_filing(service):
    source = await service.register()
    headers = service.auth("supervisor")
    signed = datetime.now(UTC) - timedelta(days=60)
    r = await service.client.post(
        "/v1/emergency-plans",
        json={
            "credit_code": source["credit_code"],
            "title": "突发环境事件应急预案",
            "signed_at": signed.isoformat(),
        },
        headers=headers,
    )
    assert r.status_code == 201, r.text
    plan = r.json()
    assert plan["status"] == "pending_filing"
    await service.sweep()
    await service.sweep()
    overdue = await service.watch.events(plan["id"], "EmergencyPlanFilingOverdue", grace=2)
    assert len(overdue) == 1
    r = await service.client.post(
        f"/v1/emergency-plans/{plan['id']}/filing",
        json={"filing_number": "500119-2024-001-L"},
        headers=headers,
    )
    assert r.status_code == 200 and r.json()["filed_late"] is True
    r = await service.client.post(
        f"/v1/emergency-plans/{plan['id']}/filing",
        json={"filing_number": "again"},
        headers=headers,
    )
    assert r.status_code == 409
    unknown = await service.client.post(
        "/v1/emergency-plans",
        json={"credit_code": credit_code(), "title": "预案", "signed_at": signed.isoformat()},
        headers=headers,
    )
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "credit_code"


async def test_licence_expiring_soon_once(service):
    holder = credit_code()
    number = f"渝危废经{holder[-8:]}"
    today = date.today()
    r = await service.client.post(
        "/v1/licences",
        json={
            "number": number,
            "holder_credit_code": holder,
            "holder_name": "某处置公司",
            "kind": "收集",
            "valid_from": str(today - timedelta(days=700)),
            "valid_until": str(today + timedelta(days=30)),
            "categories": ["HW08"],
        },
        headers=service.auth("admin"),
    )
    assert r.status_code == 201, r.text
    first, second = await service.sweep(), await service.sweep()
    assert first["events"].get("licences") == 1 and "licences" not in second["events"]
    found = await service.watch.events(number, "LicenceExpiringSoon", grace=2)
    assert len(found) == 1 and found[0][1].decode().days_left in (29, 30, 31)


async def test_medical_storage_limit_and_collection_once(service):
    holder = credit_code()
    headers = service.auth("operator")
    r = await service.client.post(
        "/v1/storage-ledgers",
        json={"holder_credit_code": holder, "kind": "medical_institution"},
        headers=headers,
    )
    assert r.status_code == 201, r.text
    stored = datetime.now(UTC) - timedelta(days=3)
    r = await service.client.post(
        f"/v1/storage-ledgers/{holder}/movements",
        json={
            "direction": "in",
            "waste_code": "841-001-01",
            "quantity": "120",
            "unit": "kg",
            "at": stored.isoformat(),
        },
        headers=headers,
    )
    assert r.status_code == 200, r.text
    assert r.json()["stock"] == [
        {
            "waste_code": "841-001-01",
            "quantity_t": "0.12",
            "oldest_stored_at": r.json()["stock"][0]["oldest_stored_at"],
        }
    ]
    too_much = await service.client.post(
        f"/v1/storage-ledgers/{holder}/movements",
        json={"direction": "out", "waste_code": "841-001-01", "quantity": "1"},
        headers=headers,
    )
    assert too_much.status_code == 422 and too_much.json()["errors"][0]["field"] == "quantity"
    await service.sweep()
    await service.sweep()
    limit = await service.watch.events(holder, "StorageLimitExceeded", grace=0.5)
    collection = await service.watch.events(holder, "MedicalWasteCollectionOverdue", grace=1)
    assert len(limit) == 1 and len(collection) == 1
    assert limit[0][1].decode().quantity_t == "0.12"
