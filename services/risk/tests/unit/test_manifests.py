"""转移联单 lifecycle, licence refusal, one manifest per trip, confirmation deadline."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal

import pytest

from risk.domain.catalogue_check import WasteCatalogues
from risk.domain.credit_code import make_credit_code
from risk.domain.errors import InvalidTransition, UnlicensedReceiver, ValidationError
from risk.domain.events import (
    ManifestCancelled,
    ManifestClosed,
    ManifestConfirmationOverdue,
    ManifestCreated,
    ManifestDiscrepancyReported,
    ManifestReceived,
    ManifestRefusedUnlicensed,
    ManifestShipped,
)
from risk.domain.licences import Licence, LicenceKind
from risk.domain.manifest_lines import ManifestLine, ReceiptLine
from risk.domain.manifest_number import ManifestNumber
from risk.domain.manifests import Manifest, ManifestRules, ManifestStatus, Party
from risk.domain.quantities import Quantity
from risk.domain.waste_codes import WasteCode

pytestmark = pytest.mark.unit

Clock = Callable[..., datetime]
Calendar = Callable[[datetime, int], datetime]
PRODUCER = Party(make_credit_code("91500119MA5YP0001"), "重庆某化工有限公司")
RECEIVER = Party(make_credit_code("91500119MA5YR0001"), "重庆某危废处置有限公司")
OIL = WasteCode.parse("900-249-08")
ACID = WasteCode.parse("900-300-34")
TIN = WasteCode.parse("321-035-48")  # not in the 2021 list


def line(code: WasteCode, amount: str, unit: str = "t") -> ManifestLine:
    return ManifestLine(code, Quantity.positive(amount, unit))


@pytest.fixture
def licences(at: Clock) -> list[Licence]:
    return [
        Licence.issue(
            number="渝危废001",
            holder=RECEIVER.credit_code,
            holder_name=RECEIVER.name,
            kind=LicenceKind.COMPREHENSIVE,
            valid_from=date(2022, 1, 1),
            valid_until=date(2026, 12, 31),
            at=at(2022, 1, 1),
            categories=["HW08", "HW34", "HW48"],
        )
    ]


@pytest.fixture
def make(
    at: Clock, licences: list[Licence], catalogues: WasteCatalogues
) -> Callable[..., Manifest]:
    def build(**kwargs: object) -> Manifest:
        params: dict[str, object] = {
            "number": ManifestNumber.parse("20245001000001"),
            "producer": PRODUCER,
            "receiver": RECEIVER,
            "vehicle_plate": "渝A12345",
            "lines": [line(OIL, "2.5"), line(ACID, "800", "kg")],
            "planned_ship_date": date(2024, 5, 31),
            "receiver_licences": licences,
            "catalogues": catalogues,
            "at": at(2024, 5, 30),
        }
        params.update(kwargs)
        return Manifest.create(**params)

    return build


def ship(m: Manifest, when: datetime, calendar: Calendar, licences: list[Licence]) -> None:
    m.ship(when, working_day_deadline=calendar, receiver_licences=licences, others_in_transit=[])


def test_create(make: Callable[..., Manifest]) -> None:
    m = make()
    assert m.status is ManifestStatus.CREATED
    event = m.events[0]
    assert isinstance(event, ManifestCreated)
    assert event.waste_codes == ("900-249-08", "900-300-34") and event.warnings == ()
    assert m.categories == {"HW08", "HW34"}


def test_unlisted_code_after_2025_is_created_with_a_warning(
    make: Callable[..., Manifest],
) -> None:
    m = make(lines=[line(TIN, "1")], planned_ship_date=date(2025, 2, 1))
    event = m.events[0]
    assert isinstance(event, ManifestCreated) and len(event.warnings) == 1


def test_unlisted_code_before_2025_is_refused(make: Callable[..., Manifest]) -> None:
    with pytest.raises(ValidationError) as caught:
        make(lines=[line(TIN, "1")])
    assert caught.value.field == "lines.code"


def test_receiver_without_licence_is_refused_with_an_event(
    make: Callable[..., Manifest],
) -> None:
    medical = WasteCode.parse("841-001-01")
    with pytest.raises(UnlicensedReceiver) as caught:
        make(lines=[line(OIL, "1"), line(medical, "0.2")])
    error = caught.value
    assert error.field == "receiver"
    assert "841-001-01" in error.reason_zh
    assert isinstance(error.event, ManifestRefusedUnlicensed)
    assert error.event.waste_code == "841-001-01"
    assert error.event.on_date == date(2024, 5, 31)


@pytest.mark.parametrize("planned", [date(2021, 12, 31), date(2027, 1, 1)])
def test_licence_must_be_valid_on_the_shipment_date(
    make: Callable[..., Manifest], planned: date
) -> None:
    with pytest.raises(UnlicensedReceiver):
        make(planned_ship_date=planned)


def test_licence_of_someone_else_does_not_count(
    make: Callable[..., Manifest], licences: list[Licence]
) -> None:
    other = Party(make_credit_code("91500119MA5YR0002"), "另一家公司")
    with pytest.raises(UnlicensedReceiver):
        make(receiver=other)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"lines": []}, "lines"),
        ({"lines": [line(OIL, "1"), line(OIL, "2")]}, "lines"),
        ({"vehicle_plate": " "}, "vehicle_plate"),
        ({"receiver": PRODUCER}, "receiver"),
    ],
)
def test_bad_manifests(
    make: Callable[..., Manifest], kwargs: dict[str, object], field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        make(**kwargs)
    assert caught.value.field == field


def test_lines_need_positive_quantities() -> None:
    with pytest.raises(ValidationError):
        ManifestLine(OIL, Quantity.of("0"))


def test_ship_sets_the_confirmation_deadline(
    make: Callable[..., Manifest], at: Clock, calendar: Calendar, licences: list[Licence]
) -> None:
    m = make()
    ship(m, at(2024, 5, 31, 10), calendar, licences)  # a Friday
    assert m.status is ManifestStatus.SHIPPED
    assert m.confirm_by == at(2024, 6, 7, 10)  # five weekdays later
    event = m.events[-1]
    assert isinstance(event, ManifestShipped) and event.confirm_by == m.confirm_by


def test_confirm_days_are_configuration(
    make: Callable[..., Manifest], at: Clock, calendar: Calendar, licences: list[Licence]
) -> None:
    m = make()
    m.ship(
        at(2024, 5, 31, 10),
        working_day_deadline=calendar,
        receiver_licences=licences,
        others_in_transit=[],
        rules=ManifestRules(confirm_working_days=1),
    )
    assert m.confirm_by == at(2024, 6, 3, 10)


def test_licence_is_checked_again_when_shipping(
    make: Callable[..., Manifest], at: Clock, calendar: Calendar, licences: list[Licence]
) -> None:
    m = make(planned_ship_date=date(2026, 12, 31))
    with pytest.raises(UnlicensedReceiver):
        ship(m, at(2027, 1, 4), calendar, licences)
    assert m.status is ManifestStatus.CREATED


def test_licence_date_is_the_beijing_date(
    make: Callable[..., Manifest], calendar: Calendar, licences: list[Licence]
) -> None:
    from datetime import UTC

    m = make(planned_ship_date=date(2026, 12, 31))
    # 2026-12-31 17:00 UTC is already 2027-01-01 in Beijing: the licence has expired.
    with pytest.raises(UnlicensedReceiver):
        ship(m, datetime(2026, 12, 31, 17, tzinfo=UTC), calendar, licences)


def test_one_manifest_per_trip_and_category(
    make: Callable[..., Manifest], at: Clock, calendar: Calendar, licences: list[Licence]
) -> None:
    first = make()
    ship(first, at(2024, 5, 31), calendar, licences)
    same_category = make(number=ManifestNumber.parse("20245001000002"), lines=[line(OIL, "1")])
    with pytest.raises(ValidationError) as caught:
        same_category.ship(
            at(2024, 5, 31),
            working_day_deadline=calendar,
            receiver_licences=licences,
            others_in_transit=[first],
        )
    assert "HW08" in caught.value.reason_zh
    other_vehicle = make(number=ManifestNumber.parse("20245001000003"), vehicle_plate="渝B99999")
    other_vehicle.ship(
        at(2024, 5, 31),
        working_day_deadline=calendar,
        receiver_licences=licences,
        others_in_transit=[first],
    )
    other_category = make(
        number=ManifestNumber.parse("20245001000004"),
        lines=[line(WasteCode.parse("321-002-48"), "1")],
    )
    other_category.ship(
        at(2024, 5, 31),
        working_day_deadline=calendar,
        receiver_licences=licences,
        others_in_transit=[first],
    )


def test_exact_receipt(
    make: Callable[..., Manifest], at: Clock, calendar: Calendar, licences: list[Licence]
) -> None:
    m = make()
    ship(m, at(2024, 5, 31), calendar, licences)
    m.confirm_receipt(
        at(2024, 6, 3),
        [
            ReceiptLine(OIL, Quantity.of("2500", "kg")),  # units may differ
            ReceiptLine(ACID, Quantity.of("0.8")),
        ],
    )
    assert m.status is ManifestStatus.RECEIVED
    received = m.events[-1]
    assert isinstance(received, ManifestReceived)
    assert not received.late and not received.discrepancy
    m.close(at(2024, 6, 4))
    assert m.status is ManifestStatus.CLOSED
    assert isinstance(m.events[-1], ManifestClosed)


def test_discrepancies_are_reported(
    make: Callable[..., Manifest], at: Clock, calendar: Calendar, licences: list[Licence]
) -> None:
    m = make()
    ship(m, at(2024, 5, 31), calendar, licences)
    m.confirm_receipt(
        at(2024, 6, 3),
        [
            ReceiptLine(OIL, Quantity.of("2.7")),  # more than dispatched: a discrepancy
            ReceiptLine(TIN, Quantity.of("0.1")),  # not on the manifest
        ],
    )
    assert m.status is ManifestStatus.DISCREPANCY
    report = m.events[-1]
    assert isinstance(report, ManifestDiscrepancyReported)
    kinds = [(x.kind, x.waste_code) for x in report.lines]
    assert kinds == [
        ("quantity", "900-249-08"),
        ("missing_code", "900-300-34"),
        ("unexpected_code", "321-035-48"),
    ]
    assert report.lines[0].received_t == Decimal("2.7")
    assert report.lines[0].kind_zh == "数量不符"
    with pytest.raises(ValidationError):
        m.close(at(2024, 6, 4))
    m.close(at(2024, 6, 4), resolution="过磅误差，已与移出人核实")
    assert m.history[-1].detail == "过磅误差，已与移出人核实"


def test_partial_rejection(
    make: Callable[..., Manifest], at: Clock, calendar: Calendar, licences: list[Licence]
) -> None:
    m = make()
    ship(m, at(2024, 5, 31), calendar, licences)
    m.confirm_receipt(
        at(2024, 6, 3),
        [
            ReceiptLine(OIL, Quantity.of("2"), Quantity.of("0.5")),
            ReceiptLine(ACID, Quantity.of("0.8")),
        ],
    )
    assert [x.kind for x in m.discrepancies] == ["partial_rejection"]


def test_full_rejection(
    make: Callable[..., Manifest], at: Clock, calendar: Calendar, licences: list[Licence]
) -> None:
    m = make()
    ship(m, at(2024, 5, 31), calendar, licences)
    with pytest.raises(ValidationError):
        m.reject_all(at(2024, 6, 3), " ")
    m.reject_all(at(2024, 6, 3), "包装破损")
    assert [x.kind for x in m.discrepancies] == ["full_rejection", "full_rejection"]
    assert m.status is ManifestStatus.DISCREPANCY


def test_tolerance_is_configuration(
    make: Callable[..., Manifest], at: Clock, calendar: Calendar, licences: list[Licence]
) -> None:
    m = make()
    ship(m, at(2024, 5, 31), calendar, licences)
    m.confirm_receipt(
        at(2024, 6, 3),
        [ReceiptLine(OIL, Quantity.of("2.49")), ReceiptLine(ACID, Quantity.of("0.81"))],
        rules=ManifestRules(quantity_tolerance_t=Decimal("0.01")),
    )
    assert m.status is ManifestStatus.RECEIVED


def test_late_confirmation_is_flagged_and_overdue_reported_once(
    make: Callable[..., Manifest], at: Clock, calendar: Calendar, licences: list[Licence]
) -> None:
    m = make()
    ship(m, at(2024, 5, 31, 10), calendar, licences)
    m.check_confirmation_overdue(at(2024, 6, 7, 10))  # exactly at the deadline: not overdue
    assert not any(isinstance(e, ManifestConfirmationOverdue) for e in m.events)
    m.check_confirmation_overdue(at(2024, 6, 7, 11))
    m.check_confirmation_overdue(at(2024, 6, 8, 11))
    assert sum(isinstance(e, ManifestConfirmationOverdue) for e in m.events) == 1
    m.confirm_receipt(
        at(2024, 6, 9),
        [ReceiptLine(OIL, Quantity.of("2.5")), ReceiptLine(ACID, Quantity.of("0.8"))],
    )
    received = m.events[-1]
    assert isinstance(received, ManifestReceived) and received.late
    m.check_confirmation_overdue(at(2024, 6, 10))
    assert sum(isinstance(e, ManifestConfirmationOverdue) for e in m.events) == 1


def test_receipt_before_shipment_is_refused(
    make: Callable[..., Manifest], at: Clock, calendar: Calendar, licences: list[Licence]
) -> None:
    m = make()
    ship(m, at(2024, 5, 31, 10), calendar, licences)
    with pytest.raises(ValidationError):
        m.confirm_receipt(at(2024, 5, 31, 9), [ReceiptLine(OIL, Quantity.of("2.5"))])
    with pytest.raises(ValidationError):
        m.confirm_receipt(
            at(2024, 6, 3),
            [ReceiptLine(OIL, Quantity.of("1")), ReceiptLine(OIL, Quantity.of("1.5"))],
        )


def test_cancel_only_before_shipping(
    make: Callable[..., Manifest], at: Clock, calendar: Calendar, licences: list[Licence]
) -> None:
    m = make()
    m.cancel(at(2024, 5, 30, 12), "计划取消")
    assert m.status is ManifestStatus.CANCELLED
    assert isinstance(m.events[-1], ManifestCancelled)
    shipped = make()
    ship(shipped, at(2024, 5, 31), calendar, licences)
    with pytest.raises(InvalidTransition) as caught:
        shipped.cancel(at(2024, 6, 1), "x")
    assert caught.value.current == "已运出" and caught.value.action == "cancel"


def test_invalid_transitions(
    make: Callable[..., Manifest], at: Clock, calendar: Calendar, licences: list[Licence]
) -> None:
    m = make()
    with pytest.raises(InvalidTransition):
        m.confirm_receipt(at(2024, 6, 1), [])
    with pytest.raises(InvalidTransition):
        m.close(at(2024, 6, 1))
    ship(m, at(2024, 5, 31), calendar, licences)
    with pytest.raises(InvalidTransition):
        ship(m, at(2024, 5, 31), calendar, licences)
    m.reject_all(at(2024, 6, 3), "拒收")
    with pytest.raises(InvalidTransition):
        m.confirm_receipt(at(2024, 6, 3), [])
    m.close(at(2024, 6, 4), "退回移出人")
    with pytest.raises(InvalidTransition):
        m.close(at(2024, 6, 5), "again")


def test_history_is_append_only(
    make: Callable[..., Manifest], at: Clock, calendar: Calendar, licences: list[Licence]
) -> None:
    m = make(by="张三")
    ship(m, at(2024, 5, 31), calendar, licences)
    history = m.history
    assert [h.action for h in history] == ["create", "ship"]
    assert history[0].by == "张三"
    assert isinstance(history, tuple)
    m.events.clear()  # the unit of work drains events; history stays
    assert len(m.history) == 2
