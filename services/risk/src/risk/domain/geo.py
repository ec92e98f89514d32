"""Locations for the risk map (WGS 84 longitude/latitude, RFC 7946 order)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from risk.domain.errors import ValidationError
from risk.domain.quantities import to_decimal


@dataclass(frozen=True, slots=True)
class GeoPoint:
    """A point; longitude first, as GeoJSON wants it."""

    lon: Decimal
    lat: Decimal

    @classmethod
    def of(cls, lon: Decimal | int | str, lat: Decimal | int | str) -> GeoPoint:
        """Validate ranges; the API passes strings or decimals, never floats."""
        x, y = to_decimal("location.lon", lon), to_decimal("location.lat", lat)
        if not Decimal(-180) <= x <= Decimal(180):
            raise ValidationError("location.lon", "经度应在-180到180之间", "lon out of range")
        if not Decimal(-90) <= y <= Decimal(90):
            raise ValidationError("location.lat", "纬度应在-90到90之间", "lat out of range")
        return cls(x, y)
