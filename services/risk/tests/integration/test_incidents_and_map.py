"""Incidents reach the broker within a second; deadlines; cross-boundary; the GeoJSON map."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from risk.service_layer.context import PublicMap

pytestmark = pytest.mark.integration


def incident_body(**over):
    body = {
        "title": "大溪河油类泄漏",
        "occurred_at": datetime.now(UTC).isoformat(),
        "grade": "IV",
        "media": ["water"],
        "location": {"lon": "107.25", "lat": "29.05"},
        "river": "大溪河",
        "drinking_water": True,
    }
    body.update(over)
    return body


async def test_incident_events_are_published_with_the_river_notice(service):
    headers = service.auth("integration")
    r = await service.client.post("/v1/incidents", json=incident_body(), headers=headers)
    assert r.status_code == 201, r.text
    incident = r.json()
    assert incident["reporting_grade"] == "II"  # drinking water: Ⅱ/Ⅰ procedure until graded
    learned = datetime.fromisoformat(incident["learned_at"])
    assert datetime.fromisoformat(incident["report_by"]) - learned == timedelta(hours=2)
    assert incident["cross_boundary_neighbours"] == ["武隆区"]

    registered = await service.watch.events(incident["id"], "IncidentRegistered", grace=0.5)
    assert len(registered) == 1
    _, env = registered[0]
    assert env.decode().river == "大溪河" and env.decode().drinking_water
    notice = await service.watch.events(
        incident["id"], "IncidentCrossBoundaryNotificationRequired", grace=0.2
    )
    assert notice[0][1].decode().neighbour == "武隆区"

    r = await service.client.post(
        f"/v1/incidents/{incident['id']}/reports",
        json={"kind": "初报", "content": "已封堵"},
        headers=headers,
    )
    assert r.status_code == 200, r.text
    reported = await service.watch.events(incident["id"], "IncidentReported", grace=0.2)
    assert reported[0][1].decode().report_kind == "初报" and not reported[0][1].decode().late


async def test_report_order_grade_and_neighbour(service):
    headers = service.auth("operator")
    r = await service.client.post("/v1/incidents", json=incident_body(), headers=headers)
    incident_id = r.json()["id"]
    r = await service.client.post(
        f"/v1/incidents/{incident_id}/reports", json={"kind": "续报"}, headers=headers
    )
    assert r.status_code == 409 and r.json()["current"]["state"] == "已获知待初报"
    r = await service.client.post(
        f"/v1/incidents/{incident_id}/grade", json={"grade": "V"}, headers=service.auth("admin")
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "grade"
    r = await service.client.post(
        f"/v1/incidents/{incident_id}/grade", json={"grade": "Ⅲ"}, headers=service.auth("admin")
    )
    # Above what the facts reach (none entered: Ⅳ), a 定级 needs a reason (issue 19).
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "reason"
    r = await service.client.post(
        f"/v1/incidents/{incident_id}/grade",
        json={"grade": "Ⅲ", "reason": "油膜已漂至下游取水口附近"},
        headers=service.auth("admin"),
    )
    assert r.status_code == 200 and r.json()["reporting_grade"] == "III"
    assert r.json()["grade_reason"] == "油膜已漂至下游取水口附近"
    r = await service.client.post(
        f"/v1/incidents/{incident_id}/neighbours/武隆区/notified", headers=headers
    )
    assert r.status_code == 200 and r.json()["neighbours_pending"] == []
    r = await service.client.post(
        f"/v1/incidents/{incident_id}/neighbours/武隆区/notified", headers=headers
    )
    assert r.status_code == 409


async def test_idempotent_intake_and_overdue_report(service):
    headers = service.auth("integration")
    learned = datetime.now(UTC) - timedelta(hours=5)
    body = incident_body(
        learned_at=learned.isoformat(),
        occurred_at=(learned - timedelta(minutes=30)).isoformat(),
        idempotency_key=f"city-{time.time_ns()}",
    )
    first = await service.client.post("/v1/incidents", json=body, headers=headers)
    again = await service.client.post("/v1/incidents", json=body, headers=headers)
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["id"] == again.json()["id"]
    await service.sweep()
    await service.sweep()
    overdue = await service.watch.events(first.json()["id"], "IncidentReportOverdue", grace=2)
    assert len(overdue) == 1


def check_geojson(collection):
    """RFC 7946 essentials: FeatureCollection of Features, [lon, lat] numbers in range."""
    assert collection["type"] == "FeatureCollection"
    assert "crs" not in collection
    for feature in collection["features"]:
        assert feature["type"] == "Feature"
        assert isinstance(feature["properties"], dict)
        assert isinstance(feature["id"], str | int)
        geometry = feature["geometry"]
        assert geometry["type"] == "Point"
        lon, lat = geometry["coordinates"]
        assert isinstance(lon, float | int) and isinstance(lat, float | int)
        assert -180 <= lon <= 180 and -90 <= lat <= 90
    if "bbox" in collection:
        w, s, e, n = collection["bbox"]
        assert w <= e and s <= n


async def test_map_is_geojson_filterable_by_level_and_bbox(service):
    big = await service.register(
        park_cluster="水江组团", location={"lon": "107.30", "lat": "29.10"}
    )
    small = await service.register(location={"lon": "106.90", "lat": "29.30"})
    await service.register()  # no location: not on the map
    for source, water in ((big, "Q2"), (small, "Q0")):
        r = await service.client.post(
            f"/v1/risk-sources/{source['id']}/grading",
            json={
                "air": {"q_class": "Q1", "m_class": "M1", "e_class": "E2"},
                "water": {"q_class": water, "m_class": "M1", "e_class": "E1"},
            },
            headers=service.auth("supervisor"),
        )
        assert r.status_code == 200, r.text
    await service.client.post(
        "/v1/incidents", json=incident_body(), headers=service.auth("operator")
    )

    headers = service.auth("operator")
    everything = (await service.client.get("/v1/map.geojson", headers=headers)).json()
    check_geojson(everything)
    kinds = sorted(f["properties"]["kind"] for f in everything["features"])
    assert kinds == ["incident", "source", "source"]

    r = await service.client.get("/v1/map.geojson", params={"level": "较大"}, headers=headers)
    assert r.headers["content-type"].startswith("application/geo+json")
    features = r.json()["features"]
    assert [f["id"] for f in features] == [big["id"]]
    assert features[0]["properties"]["label"].startswith("较大[")
    assert features[0]["geometry"]["coordinates"] == [107.3, 29.1]

    boxed = (
        await service.client.get(
            "/v1/map.geojson", params={"bbox": "106.8,29.2,107.0,29.4"}, headers=headers
        )
    ).json()
    check_geojson(boxed)
    assert [f["id"] for f in boxed["features"]] == [small["id"]]
    r = await service.client.get(
        "/v1/map.geojson", params={"cluster": "水江组团", "type": "source"}, headers=headers
    )
    assert [f["id"] for f in r.json()["features"]] == [big["id"]]
    r = await service.client.get("/v1/map.geojson", params={"bbox": "1,2,3"}, headers=headers)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "bbox"
    assert (await service.client.get("/v1/map.geojson")).status_code == 401


async def test_the_public_map_layer_is_off_unless_enabled_and_then_coarse(service):
    named = await service.register(
        name="南川某化工有限公司", location={"lon": "107.1234", "lat": "29.1567"}
    )
    near = await service.register(location={"lon": "107.1301", "lat": "29.1588"})
    for source in (named, near):
        r = await service.client.post(
            f"/v1/risk-sources/{source['id']}/grading",
            json={
                "air": {"q_class": "Q1", "m_class": "M1", "e_class": "E2"},
                "water": {"q_class": "Q2", "m_class": "M1", "e_class": "E1"},
            },
            headers=service.auth("supervisor"),
        )
        assert r.status_code == 200, r.text
    public = service.auth("public")
    assert service.deps.public_map.enabled is False  # the default
    r = await service.client.get("/v1/map.geojson", headers=public)
    assert r.status_code == 403 and "南川某化工" not in r.text
    handler = service.auth("unit_handler", unit="town-01")
    assert (await service.client.get("/v1/map.geojson", headers=handler)).status_code == 403

    service.deps.public_map = PublicMap(enabled=True, cell_degrees=0.05)
    r = await service.client.get("/v1/map.geojson", params={"type": "source"}, headers=public)
    assert r.status_code == 200, r.text
    check_geojson(r.json())
    for secret in (
        "南川某化工",
        named["credit_code"],
        named["id"],
        near["id"],
        "107.1234",
        "29.1567",
    ):
        assert secret not in r.text
    [cell] = r.json()["features"]  # both sources fall in one 0.05° cell
    assert cell["properties"]["count"] == 2 and cell["properties"]["level"] == "较大"
    assert cell["geometry"]["coordinates"] == [107.125, 29.175]
    assert set(cell["properties"]) == {
        "kind",
        "level",
        "level_en",
        "colour",
        "count",
        "cell_degrees",
    }
    # Staff still see every source where it is.
    staff = await service.client.get(
        "/v1/map.geojson", params={"type": "source"}, headers=service.auth("operator")
    )
    assert {f["id"] for f in staff.json()["features"]} == {named["id"], near["id"]}
