"""Plan indicators 11 and 12 for a period, from the manifests shipped in it."""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_DOWN, Decimal

from risk.domain.clock import require_aware
from risk.domain.errors import ValidationError
from risk.domain.indicators import (
    IndicatorValue,
    hazardous_waste_disposal_rate,
    medical_waste_disposal_rate,
)
from risk.service_layer.context import Deps


async def compute_indicators(
    deps: Deps, start: datetime, end: datetime, as_of: datetime | None = None
) -> tuple[IndicatorValue, IndicatorValue]:
    """Indicators 11 and 12 over manifests shipped in [start, end), as known at `as_of`."""
    require_aware("start", start)
    require_aware("end", end)
    if end <= start:
        raise ValidationError("end", "结束时间须晚于开始时间", "end must be after start")
    when = as_of or deps.clock()
    require_aware("as_of", when)
    manifests = await deps.manifests.shipped_between(start, end)
    return (
        hazardous_waste_disposal_rate(manifests, start, end, when),
        medical_waste_disposal_rate(manifests, start, end, when),
    )


def rate_text(value: IndicatorValue, places: int = 6) -> str | None:
    """The exact rate as a decimal string, truncated to `places` (None without data)."""
    rate = value.rate
    if rate is None:
        return None
    exact = Decimal(rate.numerator) / Decimal(rate.denominator)
    return str(exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_DOWN))
