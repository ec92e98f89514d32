"""Coordinates are JSON numbers (WGS 84 lon/lat) in and out; a decimal string is still taken."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

pytestmark = pytest.mark.integration


async def test_numbers_in_numbers_out_for_sources_incidents_and_the_map(service):
    source = await service.register(location={"lat": 29.21, "lon": 107.15})
    assert source["location"] == {"lon": 107.15, "lat": 29.21}
    got = await service.client.get(
        f"/v1/risk-sources/{source['id']}", headers=service.auth("operator")
    )
    assert got.json()["location"] == {"lon": 107.15, "lat": 29.21}

    body = {
        "title": "大溪河油类泄漏",
        "occurred_at": datetime.now(UTC).isoformat(),
        "location": {"lon": 107.25, "lat": 29.05},
    }
    r = await service.client.post("/v1/incidents", json=body, headers=service.auth("operator"))
    assert r.status_code == 201, r.text
    assert r.json()["location"] == {"lon": 107.25, "lat": 29.05}

    staff = service.auth("operator")  # the public layer is off by default
    features = (await service.client.get("/v1/map.geojson", headers=staff)).json()["features"]
    points = {f["id"]: f["geometry"]["coordinates"] for f in features}
    assert points[source["id"]] == [107.15, 29.21] and points[r.json()["id"]] == [107.25, 29.05]


async def test_a_decimal_string_is_still_accepted_and_answered_as_a_number(service):
    source = await service.register(location={"lon": "107.100", "lat": "29"})
    assert source["location"] == {"lon": 107.1, "lat": 29}
    r = await service.client.patch(
        f"/v1/risk-sources/{source['id']}",
        json={"location": {"lon": 107, "lat": "29.5"}},
        headers=service.auth("admin"),
    )
    assert r.status_code == 200, r.text
    assert r.json()["location"] == {"lon": 107, "lat": 29.5}


@pytest.mark.parametrize(
    ("location", "field"),
    [
        ({"lon": "107,1", "lat": 29.1}, "location.lon"),
        ({"lon": True, "lat": 29.1}, "location.lon"),
        ({"lon": 107.1, "lat": "1e3"}, "location.lat"),
        ({"lon": 190.0, "lat": 29.1}, "location.lon"),
        ({"lon": 107.1, "lat": -91}, "location.lat"),
        ({"lon": 107.1}, "location.lat"),
    ],
)
async def test_a_bad_coordinate_is_422_naming_it(service, location, field):
    r = await service.client.post(
        "/v1/risk-sources",
        json={"name": "坐标有误企业", "location": location},
        headers=service.auth("supervisor"),
    )
    assert r.status_code == 422, r.text
    assert field in {e["field"] for e in r.json()["errors"]}, r.json()


async def test_the_schema_says_number_and_still_allows_a_string(service):
    spec = (await service.client.get("/openapi.json")).json()["components"]["schemas"]
    read = spec.get("Location-Output") or spec["Location"]
    assert read["properties"]["lon"]["type"] == "number"
    accepted = spec.get("Location-Input") or spec["Location"]
    kinds = {a["type"] for a in accepted["properties"]["lat"]["anyOf"]}
    assert kinds == {"number", "string"}
