"""A later catalogue is loadable as data; odd input anywhere is a 4xx naming the field."""

from __future__ import annotations

import pytest

from risk.config import WASTE_CATALOGUE_2021

from .conftest import credit_code

pytestmark = pytest.mark.integration


async def test_a_2025_table_can_be_loaded_and_takes_over(service):
    seed = service.settings.reference(WASTE_CATALOGUE_2021).read_text()
    header, *rows = seed.strip().splitlines()
    dropped = rows[-1].split(",")[0]
    table = "\n".join([header, *rows[:-1], "900-999-08,HW08,废矿物油与含矿物油废物,900,T/I"])
    body = {
        "version": "2025",
        "title": "国家危险废物名录（2025年版）",
        "order": "部令第36号",
        "effective_from": "2025-01-01",
        "csv_text": table,
    }
    admin = service.auth("admin")
    assert (
        await service.client.post(
            "/v1/waste-catalogues", json=body, headers=service.auth("operator")
        )
    ).status_code == 403
    r = await service.client.post("/v1/waste-catalogues", json=body, headers=admin)
    assert r.status_code == 201, r.text
    assert r.json()["entries"] == len(rows)
    again = await service.client.post("/v1/waste-catalogues", json=body, headers=admin)
    assert again.status_code == 409

    on = {"on": "2025-06-01"}
    new = await service.client.get("/v1/waste-codes/900-999-08", params=on, headers=admin)
    assert new.status_code == 200 and new.json()["status"] == "accepted"
    gone = await service.client.get(f"/v1/waste-codes/{dropped}", params=on, headers=admin)
    assert gone.status_code == 404
    before = await service.client.get(
        f"/v1/waste-codes/{dropped}", params={"on": "2024-06-01"}, headers=admin
    )
    assert before.status_code == 200
    found = await service.watch.events("catalogue/2025", "WasteCatalogueLoaded")
    assert found[0][1].decode().entries == len(rows)

    broken = {**body, "version": "2026", "effective_from": "2026-01-01"}
    broken["csv_text"] = header + "\n900-999-43,HW43,x,900,T\n"
    r = await service.client.post("/v1/waste-catalogues", json=broken, headers=admin)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "catalogue.line2"


@pytest.mark.parametrize(
    ("method", "path", "payload", "field"),
    [
        ("get", "/v1/risk-sources?level=huge", None, "level"),
        ("get", "/v1/licences?holder=123", None, "holder"),
        ("get", "/v1/licence-check?receiver=123&code=900-249-08", None, "receiver_credit_code"),
        ("get", "/v1/licence-check?receiver={cc}&code=9-249-08", None, "waste_code"),
        ("get", "/v1/indicators?start=2024-03-01T00:00:00Z&end=2024-01-01T00:00:00Z", None, "end"),
        ("get", "/v1/indicators?start=2024-03-01T00:00&end=2024-04-01T00:00", None, "start"),
        (
            "post",
            "/v1/licences",
            {
                "number": "L-x",
                "holder_credit_code": "{cc}",
                "holder_name": "x",
                "kind": "综合",
                "valid_from": "2024-01-01",
                "categories": ["HW44"],
            },
            "categories[0]",
        ),
        (
            "post",
            "/v1/licences",
            {
                "number": "L-y",
                "holder_credit_code": "{cc}",
                "holder_name": "x",
                "kind": "运输",
                "valid_from": "2024-01-01",
                "codes": ["900-249-08"],
            },
            "kind",
        ),
        (
            "post",
            "/v1/incidents",
            {
                "title": "x",
                "occurred_at": "2024-01-01T00:00:00Z",
                "location": {"lon": "190", "lat": "1"},
            },
            "location.lon",
        ),
        (
            "post",
            "/v1/incidents",
            {"title": "x", "occurred_at": "2999-01-01T00:00:00Z"},
            "occurred_at",
        ),
        (
            "post",
            "/v1/storage-ledgers",
            {"holder_credit_code": "91500119MA5YE0009Z", "kind": "producer"},
            "holder_credit_code",
        ),
    ],
)
async def test_bad_input_is_422_naming_the_field(service, method, path, payload, field):
    cc = credit_code()
    path = path.replace("{cc}", cc)
    if payload is not None:
        payload = {
            k: (v.replace("{cc}", cc) if isinstance(v, str) else v) for k, v in payload.items()
        }
    r = await getattr(service.client, method)(
        path, **({"json": payload} if payload is not None else {}), headers=service.auth("admin")
    )
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["field"] == field, r.text
