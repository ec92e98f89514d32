"""Storage ledgers and the storage-time limits."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from risk.domain.credit_code import make_credit_code
from risk.domain.errors import ValidationError
from risk.domain.events import MedicalWasteCollectionOverdue, StorageLimitExceeded
from risk.domain.quantities import Quantity
from risk.domain.registry_events import StockRecorded
from risk.domain.storage import HolderKind, StorageLedger, StorageRules
from risk.domain.waste_codes import WasteCode

pytestmark = pytest.mark.unit

Clock = Callable[..., datetime]
HOLDER = make_credit_code("91500119MA5YT0001")
OIL = WasteCode.parse("900-249-08")
SHARPS = WasteCode.parse("841-002-01")


def t(amount: str) -> Quantity:
    return Quantity.positive(amount)


def limit_events(ledger: StorageLedger) -> list[StorageLimitExceeded]:
    return [e for e in ledger.events if isinstance(e, StorageLimitExceeded)]


def collection_events(ledger: StorageLedger) -> list[MedicalWasteCollectionOverdue]:
    return [e for e in ledger.events if isinstance(e, MedicalWasteCollectionOverdue)]


def test_stock_fifo_and_oldest(at: Clock) -> None:
    ledger = StorageLedger(HOLDER, HolderKind.LICENSED_BUSINESS)
    ledger.record_in(OIL, t("2"), at(2024, 1, 10))
    ledger.record_in(OIL, t("3"), at(2024, 1, 5))  # entered late, still the older lot
    ledger.record_in(SHARPS, Quantity.positive("500", "kg"), at(2024, 1, 6))
    assert ledger.stock() == {"841-002-01": Decimal("0.5"), "900-249-08": Decimal(5)}
    assert ledger.oldest() == at(2024, 1, 5)
    ledger.record_out(OIL, t("4"), at(2024, 2, 1), reference="20245001000001")
    assert ledger.stock()["900-249-08"] == Decimal(1)
    assert ledger.oldest(OIL) == at(2024, 1, 10)  # the 5 January lot is gone first
    assert ledger.history[-1].detail == "900-249-08 4 t 20245001000001"


def test_cannot_take_out_more_than_stock(at: Clock) -> None:
    ledger = StorageLedger(HOLDER, HolderKind.PRODUCER)
    ledger.record_in(OIL, t("1"), at(2024, 1, 10))
    with pytest.raises(ValidationError) as caught:
        ledger.record_out(OIL, t("1.5"), at(2024, 1, 11))
    assert "超过库存" in caught.value.reason_zh
    with pytest.raises(ValidationError):
        ledger.record_out(OIL, t("1"), at(2024, 1, 9))  # before it was stored
    with pytest.raises(ValidationError):
        ledger.record_out(OIL, Quantity.of("0"), at(2024, 1, 11))
    with pytest.raises(ValidationError):
        ledger.record_in(OIL, Quantity.of("0"), at(2024, 1, 11))


def test_licensed_business_one_year_once_per_lot(at: Clock) -> None:
    ledger = StorageLedger(HOLDER, HolderKind.LICENSED_BUSINESS)
    ledger.record_in(OIL, t("2"), at(2023, 3, 1))
    ledger.record_in(OIL, t("1"), at(2023, 6, 1))
    ledger.check_limits(at(2024, 3, 1))  # exactly one year: still allowed
    assert limit_events(ledger) == []
    ledger.check_limits(at(2024, 3, 1, 9, 1))
    ledger.check_limits(at(2024, 3, 2))
    events = limit_events(ledger)
    assert len(events) == 1
    assert events[0].quantity_t == 2 and events[0].due_by == at(2024, 3, 1)
    assert events[0].limit_zh == "贮存不超过1年"
    ledger.check_limits(at(2024, 6, 2))
    assert len(limit_events(ledger)) == 2


def test_removed_lots_do_not_trigger(at: Clock) -> None:
    ledger = StorageLedger(HOLDER, HolderKind.LICENSED_BUSINESS)
    ledger.record_in(OIL, t("2"), at(2023, 3, 1))
    ledger.record_out(OIL, t("2"), at(2023, 12, 1))
    ledger.check_limits(at(2024, 6, 1))
    assert limit_events(ledger) == []


def test_producers_have_no_limit_unless_configured(at: Clock) -> None:
    ledger = StorageLedger(HOLDER, HolderKind.PRODUCER)
    ledger.record_in(OIL, t("2"), at(2020, 3, 1))
    ledger.check_limits(at(2024, 3, 1))
    assert limit_events(ledger) == []
    ledger.check_limits(at(2024, 3, 1), StorageRules(producer_limit_years=1))
    assert len(limit_events(ledger)) == 1


def test_medical_waste_two_days(at: Clock) -> None:
    ledger = StorageLedger(HOLDER, HolderKind.MEDICAL_INSTITUTION)
    ledger.record_in(SHARPS, t("0.05"), at(2024, 5, 1, 8))
    ledger.check_limits(at(2024, 5, 3, 8))
    assert limit_events(ledger) == []
    ledger.check_limits(at(2024, 5, 3, 9))
    events = limit_events(ledger)
    assert len(events) == 1 and events[0].limit_zh == "医疗废物暂时贮存不超过2天"


def test_medical_limit_is_configuration(at: Clock) -> None:
    ledger = StorageLedger(HOLDER, HolderKind.MEDICAL_INSTITUTION)
    ledger.record_in(SHARPS, t("0.05"), at(2024, 5, 1, 8))
    rules = StorageRules(medical_storage_limit=timedelta(hours=36))
    ledger.check_limits(at(2024, 5, 2, 21), rules)
    events = limit_events(ledger)
    assert len(events) == 1 and events[0].limit_zh == "医疗废物暂时贮存不超过36小时"


def test_collection_every_two_days(at: Clock) -> None:
    ledger = StorageLedger(HOLDER, HolderKind.MEDICAL_INSTITUTION)
    ledger.record_in(SHARPS, t("0.05"), at(2024, 5, 1, 8))
    ledger.record_in(SHARPS, t("0.05"), at(2024, 5, 2, 7))
    ledger.record_out(SHARPS, t("0.06"), at(2024, 5, 2, 8))  # partial: some of 2 May waits
    assert ledger.last_medical_collection == at(2024, 5, 2, 8)
    ledger.check_limits(at(2024, 5, 4, 8))
    assert collection_events(ledger) == []
    ledger.check_limits(at(2024, 5, 4, 9))  # two days since the last visit, waste waiting
    ledger.check_limits(at(2024, 5, 4, 10))
    events = collection_events(ledger)
    assert len(events) == 1 and events[0].last_collected_at == at(2024, 5, 2, 8)
    assert events[0].waiting_since == at(2024, 5, 2, 8)
    ledger.record_out(SHARPS, t("0.04"), at(2024, 5, 4, 12))
    ledger.record_in(SHARPS, t("0.05"), at(2024, 5, 4, 13))
    ledger.check_limits(at(2024, 5, 6, 13))
    assert len(collection_events(ledger)) == 1
    ledger.check_limits(at(2024, 5, 6, 13, 1))
    assert len(collection_events(ledger)) == 2  # a new gap, a new event


def test_collection_clock_restarts_when_waste_arrives_after_a_visit(at: Clock) -> None:
    ledger = StorageLedger(HOLDER, HolderKind.MEDICAL_INSTITUTION)
    ledger.record_in(SHARPS, t("0.05"), at(2024, 5, 1, 8))
    ledger.record_out(SHARPS, t("0.05"), at(2024, 5, 2, 8))  # store emptied
    ledger.record_in(SHARPS, t("0.05"), at(2024, 5, 2, 18))
    ledger.check_limits(at(2024, 5, 4, 17))
    assert collection_events(ledger) == []
    ledger.check_limits(at(2024, 5, 4, 19))
    assert collection_events(ledger)[0].waiting_since == at(2024, 5, 2, 18)


def test_no_collection_owed_for_an_empty_store(at: Clock) -> None:
    ledger = StorageLedger(HOLDER, HolderKind.MEDICAL_INSTITUTION)
    ledger.record_in(SHARPS, t("0.05"), at(2024, 5, 1, 8))
    ledger.record_out(SHARPS, t("0.05"), at(2024, 5, 1, 9))
    ledger.check_limits(at(2024, 5, 10))
    assert collection_events(ledger) == []
    ledger.record_in(SHARPS, t("0.05"), at(2024, 5, 10, 8))
    ledger.check_limits(at(2024, 5, 11))  # waiting since 10 May, not since 1 May
    assert collection_events(ledger) == []
    ledger.check_limits(at(2024, 5, 12, 9))
    events = collection_events(ledger)
    assert len(events) == 1 and events[0].waiting_since == at(2024, 5, 10, 8)


def test_first_collection_clock_starts_with_the_waste(at: Clock) -> None:
    ledger = StorageLedger(HOLDER, HolderKind.PRODUCER)  # a clinic registered as producer
    ledger.record_in(SHARPS, t("0.01"), at(2024, 5, 1, 8))
    ledger.check_limits(at(2024, 5, 3, 9))
    assert len(collection_events(ledger)) == 1
    assert collection_events(ledger)[0].last_collected_at is None
    assert len(limit_events(ledger)) == 1  # and it has been stored over two days


def test_disposal_facilities_follow_the_one_year_rule_for_medical_waste(at: Clock) -> None:
    ledger = StorageLedger(HOLDER, HolderKind.LICENSED_BUSINESS)
    ledger.record_in(SHARPS, t("1"), at(2024, 5, 1))
    ledger.check_limits(at(2024, 5, 10))
    assert limit_events(ledger) == [] and collection_events(ledger) == []


def test_every_movement_is_an_event(at: Clock) -> None:
    ledger = StorageLedger(HOLDER, HolderKind.PRODUCER)
    ledger.record_in(SHARPS, t("2"), at(2024, 5, 1))
    ledger.record_out(SHARPS, t("0.5"), at(2024, 5, 2), reference="20245001000001")
    moves = [e for e in ledger.events if isinstance(e, StockRecorded)]
    assert [(m.direction, m.quantity_t, m.reference) for m in moves] == [
        ("in", 2, ""),
        ("out", Decimal("0.5"), "20245001000001"),
    ]
