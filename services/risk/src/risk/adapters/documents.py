"""Helpers shared by the codecs: exact decimals as strings, dates as ISO text, history lists.

FerretDB (and our own rule) keeps keys free of '.' and '$': maps keyed by user data are stored
as lists of pairs.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from risk.domain.aggregate import Aggregate, HistoryEntry
from risk.domain.geo import GeoPoint
from risk.domain.quantities import Quantity

Doc = dict[str, Any]


def req_dt(value: Any) -> datetime:
    """A datetime that must be present (aware: the core's client reads them so)."""
    if not isinstance(value, datetime):
        raise ValueError("missing datetime in stored document")
    return value


def day(value: date | None) -> str | None:
    """ISO text of a date."""
    return None if value is None else value.isoformat()


def parse_day(value: str | None) -> date | None:
    """A date from ISO text."""
    return None if value is None else date.fromisoformat(value)


def dec(value: Decimal | None) -> str | None:
    """Exact decimal as text."""
    return None if value is None else str(value)


def parse_dec(value: str | None) -> Decimal | None:
    """Decimal from text."""
    return None if value is None else Decimal(value)


def qty(value: Quantity) -> Doc:
    """A quantity with its unit."""
    return {"amount": str(value.amount), "unit": value.unit.value}


def parse_qty(doc: Doc) -> Quantity:
    """A quantity back from its document."""
    return Quantity.of(doc["amount"], doc["unit"])


def geo(point: GeoPoint | None) -> Doc:
    """Exact location plus float copies for bounding-box queries (no geo index in FerretDB)."""
    if point is None:
        return {"location": None, "lon": None, "lat": None}
    return {
        "location": {"lon": str(point.lon), "lat": str(point.lat)},
        "lon": float(point.lon),
        "lat": float(point.lat),
    }


def parse_geo(doc: Doc | None) -> GeoPoint | None:
    """The exact location back."""
    return None if not doc else GeoPoint.of(doc["lon"], doc["lat"])


def history(aggregate: Aggregate) -> list[Doc]:
    """The append-only history as documents."""
    return [
        {"at": h.at, "action": h.action, "detail": h.detail, "by": h.by} for h in aggregate.history
    ]


def restore_history(aggregate: Aggregate, docs: Iterable[Doc]) -> None:
    """Put a stored history back into a freshly built aggregate."""
    aggregate.restore_history(
        HistoryEntry(at=req_dt(h["at"]), action=h["action"], detail=h["detail"], by=h["by"])
        for h in docs
    )
