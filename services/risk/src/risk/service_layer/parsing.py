"""Turn raw request values into domain values, naming the request field on failure."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TypeVar

from risk.domain.clock import require_aware
from risk.domain.credit_code import CreditCode
from risk.domain.errors import ValidationError
from risk.domain.geo import GeoPoint
from risk.domain.quantities import Quantity
from risk.domain.waste_codes import WasteCode

T = TypeVar("T")
# Clocks drift; a timestamp this far ahead of ours is a typo, not a skewed clock.
FUTURE_TOLERANCE = timedelta(minutes=5)


def as_field(field: str, parse: Callable[[], T]) -> T:
    """Run a parser and re-label its ValidationError with the request's field name."""
    try:
        return parse()
    except ValidationError as exc:
        raise ValidationError(field, exc.reason_zh, exc.reason_en) from exc


def credit_code(raw: str, field: str = "credit_code") -> CreditCode:
    """A valid 统一社会信用代码."""
    return as_field(field, lambda: CreditCode.parse(raw))


def waste_code(raw: str, field: str = "waste_code") -> WasteCode:
    """A well-formed code of an existing category."""
    return WasteCode.parse(raw, field)


def quantity(amount: Decimal | str, unit: str, field: str = "quantity") -> Quantity:
    """A strictly positive quantity in t or kg."""
    return as_field(field, lambda: Quantity.positive(amount, unit))


def location(lon: Decimal | str | None, lat: Decimal | str | None) -> GeoPoint | None:
    """A WGS 84 point, or None when both parts are absent."""
    if lon is None and lat is None:
        return None
    if lon is None or lat is None:
        raise ValidationError("location", "经纬度须同时填写", "give both lon and lat")
    return GeoPoint.of(lon, lat)


def past_or_now(field: str, value: datetime | None, now: datetime) -> datetime:
    """An aware instant not in the future (default now); back-dating is allowed."""
    if value is None:
        return now
    require_aware(field, value)
    if value > now + FUTURE_TOLERANCE:
        raise ValidationError(field, "时间不能晚于当前时间", "must not be in the future")
    return value
