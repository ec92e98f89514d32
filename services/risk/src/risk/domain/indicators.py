"""Plan indicators 11 and 12 computed from transfer manifests, exactly.

11 危险废物安全处置率 and 12 (二级以上医疗机构)医疗废物集中无害化处置率, target 100%:
tonnes confirmed received by a licensed receiver ÷ tonnes dispatched, over manifests shipped in
the period. Manifests still inside their confirmation window are left out (not yet due), the
way 按时回复率 leaves out cases not yet due; overdue and rejected loads count as misses.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_DOWN, Decimal
from fractions import Fraction

from risk.domain.clock import require_aware
from risk.domain.manifest_lines import ManifestLine
from risk.domain.manifests import Manifest, ManifestStatus

_RECEIVED = (ManifestStatus.RECEIVED, ManifestStatus.DISCREPANCY, ManifestStatus.CLOSED)


@dataclass(frozen=True, slots=True)
class IndicatorValue:
    """An indicator for a period: exact rate, or None when nothing was due."""

    number: int
    name_zh: str
    numerator_t: Decimal
    denominator_t: Decimal
    manifests: int
    target: Fraction = Fraction(1)

    @property
    def rate(self) -> Fraction | None:
        """numerator ÷ denominator, exact; None without data."""
        if self.denominator_t == 0:
            return None
        return Fraction(self.numerator_t) / Fraction(self.denominator_t)

    @property
    def met(self) -> bool | None:
        """Whether the target is reached; None without data."""
        rate = self.rate
        return None if rate is None else rate >= self.target

    def percent(self, places: int = 2) -> Decimal | None:
        """Percentage for display, truncated so a miss never shows as 100%."""
        rate = self.rate
        if rate is None:
            return None
        exact = Decimal(rate.numerator * 100) / Decimal(rate.denominator)
        return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_DOWN)


def _rate(
    number: int,
    name_zh: str,
    manifests: Iterable[Manifest],
    period: tuple[datetime, datetime, datetime],
    line_filter: Callable[[ManifestLine], bool],
    counts: Callable[[Manifest], bool] = lambda manifest: True,
    disposes: Callable[[Manifest], bool] = lambda manifest: True,
) -> IndicatorValue:
    start, end, as_of = period
    for name, value in zip(("start", "end", "as_of"), period, strict=True):
        require_aware(name, value)
    numerator = denominator = Decimal(0)
    used = 0
    for manifest in manifests:
        shipped = manifest.shipped_at
        if shipped is None or not start <= shipped < end or not counts(manifest):
            continue
        received = manifest.status in _RECEIVED
        assert manifest.confirm_by is not None
        if not received and manifest.confirm_by > as_of:
            continue  # still inside its confirmation window: not yet due
        lines = [line for line in manifest.lines if line_filter(line)]
        if not lines:
            continue
        used += 1
        got = {r.code: r.received.tonnes for r in manifest.receipt}
        credited = received and disposes(manifest)
        for line in lines:
            sent = line.quantity.tonnes
            denominator += sent
            if credited:
                # More received than dispatched is a discrepancy, not extra disposal.
                numerator += min(sent, got.get(line.code, Decimal(0)))
    return IndicatorValue(number, name_zh, numerator, denominator, used)


def hazardous_waste_disposal_rate(
    manifests: Iterable[Manifest], start: datetime, end: datetime, as_of: datetime
) -> IndicatorValue:
    """Indicator 11 over manifests shipped in [start, end), as known at `as_of`."""
    return _rate(11, "危险废物安全处置率", manifests, (start, end, as_of), lambda line: True)


def medical_waste_disposal_rate(
    manifests: Iterable[Manifest],
    start: datetime,
    end: datetime,
    as_of: datetime,
    producers: Collection[str] | None = None,
    facilities: Collection[str] | None = None,
) -> IndicatorValue:
    """Indicator 12: HW01 lines, optionally from given producers and to given facilities."""

    # `producers`: credit codes of 二级以上医疗机构; `facilities`: 集中处置单位. Waste handed to
    # anyone else was dispatched but not centrally disposed.
    def counts(manifest: Manifest) -> bool:
        return producers is None or manifest.producer.credit_code.value in producers

    def disposes(manifest: Manifest) -> bool:
        return facilities is None or manifest.receiver.credit_code.value in facilities

    return _rate(
        12,
        "医疗废物集中无害化处置率",
        manifests,
        (start, end, as_of),
        lambda line: line.code.is_medical,
        counts,
        disposes,
    )
