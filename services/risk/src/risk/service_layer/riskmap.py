"""The risk 一张图: RFC 7946 GeoJSON of graded sources and open incidents.

Coordinates are WGS 84 [lon, lat]; the box filter runs in the store on plain lat/lon fields
(FerretDB has no geospatial operators), the rest in Python.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from typing import Any, Literal

from risk.domain.enterprises import Enterprise
from risk.domain.errors import ValidationError
from risk.domain.geo import GeoPoint
from risk.domain.incidents import Incident
from risk.service_layer.context import Deps
from risk.service_layer.incidents import list_incidents
from risk.service_layer.ports import BBox
from risk.service_layer.registry import list_enterprises

MAX_FEATURES = 5000
Feature = dict[str, Any]


def parse_bbox(raw: str | None) -> BBox | None:
    """`minLon,minLat,maxLon,maxLat` (RFC 7946 §5 order)."""
    if not raw:
        return None
    try:
        values = [float(v) for v in raw.split(",")]
    except ValueError as exc:
        raise _bad_bbox() from exc
    if len(values) != 4:
        raise _bad_bbox()
    w, s, e, n = values
    if not (-180 <= w <= e <= 180 and -90 <= s <= n <= 90):
        raise _bad_bbox()
    return BBox(w, s, e, n)


def _bad_bbox() -> ValidationError:
    return ValidationError(
        "bbox",
        "范围应为“最小经度,最小纬度,最大经度,最大纬度”",
        "bbox must be minLon,minLat,maxLon,maxLat within WGS 84 ranges",
    )


def _point(location: GeoPoint) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [float(location.lon), float(location.lat)]}


def source_features(sources: Iterable[Enterprise]) -> list[Feature]:
    """One Point feature per located enterprise."""
    features = []
    for e in sources:
        if e.location is None:
            continue
        grading = e.grading
        features.append(
            {
                "type": "Feature",
                "id": e.source_id,
                "geometry": _point(e.location),
                "properties": {
                    "kind": "source",
                    "name": e.name,
                    "credit_code": e.credit_code.value if e.credit_code else None,
                    "park_cluster": e.park_cluster,
                    "level": grading.level.value if grading else None,
                    "level_en": grading.level.english if grading else None,
                    "label": grading.label if grading else None,
                    "colour": grading.colour if grading else None,
                    "lists": sorted(e.lists),
                },
            }
        )
    return features


def incident_features(incidents: Iterable[Incident]) -> list[Feature]:
    """One Point feature per located open incident."""
    features = []
    for i in incidents:
        if i.location is None:
            continue
        features.append(
            {
                "type": "Feature",
                "id": i.incident_id,
                "geometry": _point(i.location),
                "properties": {
                    "kind": "incident",
                    "title": i.title,
                    "grade": i.grade.value if i.grade else None,
                    "grade_label": i.grade.label if i.grade else None,
                    "reporting_grade": i.reporting_grade.value,
                    "status": i.status.value,
                    "occurred_at": i.occurred_at.isoformat(),
                    "river": i.river,
                },
            }
        )
    return features


def _cell(value: float, size: float) -> float:
    """The centre of the grid cell `value` falls in."""
    return round((math.floor(value / size) + 0.5) * size, 6)


def public_layer(features: Iterable[Feature], cell_degrees: float) -> list[Feature]:
    """What the public may see of the map: per grid cell, how many sources of each level and
    open incidents of each grade, at the cell's centre; no name, credit code, id or position."""
    Key = tuple[float, float, str, str]
    counts: Counter[Key] = Counter()
    shown: dict[Key, dict[str, Any]] = {}
    for f in features:
        lon, lat = f["geometry"]["coordinates"]
        p = f["properties"]
        if p["kind"] == "source":
            keep = {"level": p["level"], "level_en": p["level_en"], "colour": p["colour"]}
        else:
            keep = {"grade": p["grade"], "grade_label": p["grade_label"]}
        grade = str(keep.get("level") or keep.get("grade") or "-")
        key = (_cell(lon, cell_degrees), _cell(lat, cell_degrees), p["kind"], grade)
        counts[key] += 1
        shown[key] = {"kind": p["kind"], **keep}
    out = []
    for key in sorted(counts):
        lon, lat, kind, grade = key
        out.append(
            {
                "type": "Feature",
                "id": f"cell:{lon}:{lat}:{kind}:{grade}",
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": {**shown[key], "count": counts[key], "cell_degrees": cell_degrees},
            }
        )
    return out


async def risk_map(
    deps: Deps,
    *,
    level: str | None = None,
    cluster: str | None = None,
    kind: Literal["source", "incident"] | None = None,
    bbox: BBox | None = None,
    public: bool = False,
) -> dict[str, Any]:
    """The FeatureCollection; level and cluster filter sources (incidents have neither).
    `public`: the public layer (PublicMap), which the caller has checked is enabled."""
    features: list[Feature] = []
    if kind in (None, "source"):
        page = await list_enterprises(
            deps, level=level, park_cluster=cluster, bbox=bbox, limit=MAX_FEATURES
        )
        features += source_features(page.items)
    if kind in (None, "incident") and not level and not cluster:
        incidents = await list_incidents(deps, open_only=True, bbox=bbox, limit=MAX_FEATURES)
        features += incident_features(incidents.items)
    if public:
        features = public_layer(features, deps.public_map.cell_degrees)
    collection: dict[str, Any] = {"type": "FeatureCollection", "features": features}
    if bbox is not None:
        collection["bbox"] = [bbox.min_lon, bbox.min_lat, bbox.max_lon, bbox.max_lat]
    return collection
