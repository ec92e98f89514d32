"""Indicators 11 and 12 from manifests, exact."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction

import pytest

from risk.domain.catalogue_check import WasteCatalogues
from risk.domain.credit_code import CreditCode, make_credit_code
from risk.domain.errors import ValidationError
from risk.domain.indicators import (
    IndicatorValue,
    hazardous_waste_disposal_rate,
    medical_waste_disposal_rate,
)
from risk.domain.licences import Licence, LicenceKind
from risk.domain.manifest_lines import ManifestLine, ReceiptLine
from risk.domain.manifest_number import ManifestNumber
from risk.domain.manifests import Manifest, Party
from risk.domain.quantities import Quantity
from risk.domain.waste_codes import WasteCode

pytestmark = pytest.mark.unit

Clock = Callable[..., datetime]
Calendar = Callable[[datetime, int], datetime]
HOSPITAL = Party(make_credit_code("12500119MB1234567"), "南川区人民医院")
CLINIC = Party(make_credit_code("52500119MJ1234567"), "某诊所")
FACTORY = Party(make_credit_code("91500119MA5YP0001"), "某化工厂")
CENTRAL = Party(make_credit_code("91500119MA5YC0001"), "医疗废物集中处置中心")
OTHER = Party(make_credit_code("91500119MA5YC0002"), "某综合经营单位")
OIL = WasteCode.parse("900-249-08")
MED = WasteCode.parse("841-001-01")


class World:
    def __init__(self, at: Clock, calendar: Calendar, catalogues: WasteCatalogues) -> None:
        self.at, self.calendar, self.catalogues = at, calendar, catalogues
        self.serial = 0
        self.licences = [self._licence(CENTRAL.credit_code), self._licence(OTHER.credit_code)]

    def _licence(self, holder: CreditCode) -> Licence:
        return Licence.issue(
            number=f"L-{holder}",
            holder=holder,
            holder_name="x",
            kind=LicenceKind.COMPREHENSIVE,
            valid_from=date(2023, 1, 1),
            at=self.at(2023, 1, 1),
            categories=["HW01", "HW08"],
        )

    def manifest(
        self,
        producer: Party,
        receiver: Party,
        lines: list[tuple[WasteCode, str]],
        shipped: datetime,
        received: list[tuple[WasteCode, str]] | None = None,
    ) -> Manifest:
        self.serial += 1
        m = Manifest.create(
            number=ManifestNumber.parse(f"20245001{self.serial:06d}"),
            producer=producer,
            receiver=receiver,
            vehicle_plate=f"渝A{self.serial:05d}",
            lines=[ManifestLine(c, Quantity.positive(q)) for c, q in lines],
            planned_ship_date=shipped.date(),
            receiver_licences=self.licences,
            catalogues=self.catalogues,
            at=shipped,
        )
        m.ship(
            shipped,
            working_day_deadline=self.calendar,
            receiver_licences=self.licences,
            others_in_transit=[],
        )
        if received is not None:
            lines_in = [ReceiptLine(c, Quantity.of(q)) for c, q in received]
            m.confirm_receipt(shipped, lines_in)
        return m


@pytest.fixture
def world(at: Clock, calendar: Calendar, catalogues: WasteCatalogues) -> World:
    return World(at, calendar, catalogues)


def test_no_data_is_none(at: Clock) -> None:
    value = hazardous_waste_disposal_rate([], at(2024, 1, 1), at(2025, 1, 1), at(2025, 1, 1))
    assert value.rate is None and value.met is None and value.percent() is None
    assert value.manifests == 0


def test_all_received_is_100_percent(world: World, at: Clock) -> None:
    ms = [
        world.manifest(FACTORY, OTHER, [(OIL, "1.5")], at(2024, 3, 1), [(OIL, "1.5")]),
        world.manifest(HOSPITAL, CENTRAL, [(MED, "0.2")], at(2024, 3, 2), [(MED, "0.2")]),
    ]
    value = hazardous_waste_disposal_rate(ms, at(2024, 1, 1), at(2025, 1, 1), at(2025, 1, 1))
    assert value.rate == 1 and value.met is True
    assert value.percent() == Decimal("100.00")
    assert value.number == 11 and value.name_zh == "危险废物安全处置率"


def test_exact_thirds_and_truncated_display(world: World, at: Clock) -> None:
    ms = [
        world.manifest(FACTORY, OTHER, [(OIL, "1")], at(2024, 3, 1), [(OIL, "1")]),
        world.manifest(FACTORY, OTHER, [(OIL, "1")], at(2024, 3, 1), [(OIL, "1")]),
        world.manifest(FACTORY, OTHER, [(OIL, "1")], at(2024, 3, 1)),  # never confirmed
    ]
    value = hazardous_waste_disposal_rate(ms, at(2024, 1, 1), at(2025, 1, 1), at(2025, 1, 1))
    assert value.rate == Fraction(2, 3)
    assert value.percent() == Decimal("66.66")
    assert value.met is False


def test_nearly_100_never_displays_as_100(world: World, at: Clock) -> None:
    ms = [
        world.manifest(FACTORY, OTHER, [(OIL, "100000")], at(2024, 3, 1), [(OIL, "99999.999")]),
    ]
    value = hazardous_waste_disposal_rate(ms, at(2024, 1, 1), at(2025, 1, 1), at(2025, 1, 1))
    assert value.percent() == Decimal("99.99")
    assert value.met is False


def test_not_yet_due_is_left_out(world: World, at: Clock) -> None:
    pending = world.manifest(FACTORY, OTHER, [(OIL, "1")], at(2024, 12, 30))
    done = world.manifest(FACTORY, OTHER, [(OIL, "1")], at(2024, 12, 2), [(OIL, "1")])
    period = (at(2024, 1, 1), at(2025, 1, 1))
    value = hazardous_waste_disposal_rate([pending, done], *period, as_of=at(2025, 1, 2))
    assert value.rate == 1 and value.manifests == 1
    later = hazardous_waste_disposal_rate([pending, done], *period, as_of=at(2025, 1, 10))
    assert later.rate == Fraction(1, 2)


def test_over_receipt_does_not_exceed_100(world: World, at: Clock) -> None:
    ms = [world.manifest(FACTORY, OTHER, [(OIL, "1")], at(2024, 3, 1), [(OIL, "1.2")])]
    value = hazardous_waste_disposal_rate(ms, at(2024, 1, 1), at(2025, 1, 1), at(2025, 1, 1))
    assert value.rate == 1


def test_period_is_half_open_on_shipment_time(world: World, at: Clock) -> None:
    inside = world.manifest(FACTORY, OTHER, [(OIL, "1")], at(2024, 1, 1, 0), [(OIL, "1")])
    outside = world.manifest(FACTORY, OTHER, [(OIL, "3")], at(2025, 1, 1, 0))
    value = hazardous_waste_disposal_rate(
        [inside, outside], at(2024, 1, 1, 0), at(2025, 1, 1, 0), at(2025, 2, 1)
    )
    assert value.denominator_t == 1


def test_medical_rate_counts_hw01_only(world: World, at: Clock) -> None:
    ms = [
        world.manifest(HOSPITAL, CENTRAL, [(MED, "0.3")], at(2024, 3, 1), [(MED, "0.3")]),
        world.manifest(CLINIC, OTHER, [(MED, "0.1")], at(2024, 3, 1), [(MED, "0.1")]),
        world.manifest(FACTORY, OTHER, [(OIL, "5")], at(2024, 3, 1)),
    ]
    period = (at(2024, 1, 1), at(2025, 1, 1), at(2025, 1, 1))
    value = medical_waste_disposal_rate(ms, *period)
    assert value.rate == 1 and value.number == 12 and value.manifests == 2
    # Only 二级以上 hospitals count; only the centralised facility counts as disposal.
    hospitals = medical_waste_disposal_rate(ms, *period, producers={HOSPITAL.credit_code.value})
    assert hospitals.denominator_t == Decimal("0.3") and hospitals.rate == 1
    central = medical_waste_disposal_rate(ms, *period, facilities={CENTRAL.credit_code.value})
    assert central.rate == Fraction(3, 4)
    assert hazardous_waste_disposal_rate(ms, *period).rate == Fraction(4, 54)


def test_naive_period_is_refused(at: Clock) -> None:
    with pytest.raises(ValidationError):
        hazardous_waste_disposal_rate([], datetime(2024, 1, 1), at(2025, 1, 1), at(2025, 1, 1))


def test_custom_target() -> None:
    value = IndicatorValue(11, "x", Decimal(95), Decimal(100), 1, target=Fraction(95, 100))
    assert value.met is True
    assert value.percent(0) == Decimal(95)
