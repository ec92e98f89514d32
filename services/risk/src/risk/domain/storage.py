"""Storage ledgers: stock per code, oldest lot first, and the storage-time limits.

固废法 第八十一条: licensed businesses store at most one year. 医疗废物管理条例: temporary storage
of medical waste at most 2 days (第十七条) and collection at least every 2 days (第二十五条).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from risk.domain.aggregate import Aggregate
from risk.domain.clock import add_years_dt, require_aware
from risk.domain.credit_code import CreditCode
from risk.domain.errors import ValidationError
from risk.domain.events import MedicalWasteCollectionOverdue, StorageLimitExceeded
from risk.domain.quantities import Quantity
from risk.domain.registry_events import StockRecorded
from risk.domain.waste_codes import WasteCode


class HolderKind(StrEnum):
    """Who holds the stock decides which limit applies."""

    LICENSED_BUSINESS = "经营单位"
    PRODUCER = "产生单位"
    MEDICAL_INSTITUTION = "医疗卫生机构"


@dataclass(frozen=True)
class StorageRules:
    """Limits; `producer_limit_years` is a local policy choice (None: no limit)."""

    licensed_limit_years: int = 1
    producer_limit_years: int | None = None
    medical_storage_limit: timedelta = timedelta(days=2)
    medical_collection_interval: timedelta = timedelta(days=2)


DEFAULT_STORAGE_RULES = StorageRules()


@dataclass
class Lot:
    """One entry into storage, consumed oldest first."""

    lot_no: int
    code: WasteCode
    stored_at: datetime
    remaining_t: Decimal
    limit_reported: bool = False


class StorageLedger(Aggregate):
    """The 贮存台账 of one holder."""

    def __init__(self, holder: CreditCode, kind: HolderKind) -> None:
        super().__init__()
        self.holder = holder
        self.kind = kind
        self.lots: list[Lot] = []
        self.last_medical_collection: datetime | None = None
        self.collection_overdue_reported = False
        self._next_lot = 1

    def record_in(self, code: WasteCode, quantity: Quantity, at: datetime) -> Lot:
        """Waste generated or received into storage."""
        require_aware("at", at)
        if quantity.amount <= 0:
            raise ValidationError("quantity", "入库数量必须大于零", "must be positive")
        lot = Lot(self._next_lot, code, at, quantity.tonnes)
        self._next_lot += 1
        self.lots.append(lot)
        self.lots.sort(key=lambda x: (x.stored_at, x.lot_no))
        moved = StockRecorded(
            at=at,
            holder_credit_code=self.holder.value,
            direction="in",
            waste_code=code.value,
            quantity_t=quantity.tonnes,
            reference="",
        )
        self._record(at, "in", moved, detail=f"{code} {quantity}")
        return lot

    def record_out(
        self, code: WasteCode, quantity: Quantity, at: datetime, reference: str = ""
    ) -> None:
        """Waste leaving storage (a manifest, own use or disposal), oldest lots first."""
        require_aware("at", at)
        wanted = quantity.tonnes
        if wanted <= 0:
            raise ValidationError("quantity", "出库数量必须大于零", "must be positive")
        available = [lot for lot in self.lots if lot.code == code and lot.stored_at <= at]
        on_hand = sum((lot.remaining_t for lot in available), Decimal(0))
        if wanted > on_hand:
            raise ValidationError(
                "quantity",
                f"{code}出库{wanted}吨超过库存{on_hand}吨",
                f"{code}: {wanted} t out exceeds {on_hand} t in stock",
            )
        for lot in available:
            taken = min(lot.remaining_t, wanted)
            lot.remaining_t -= taken
            wanted -= taken
            if wanted == 0:
                break
        self.lots = [lot for lot in self.lots if lot.remaining_t > 0]
        if code.is_medical:
            self.last_medical_collection = max(at, self.last_medical_collection or at)
            self.collection_overdue_reported = False
        moved = StockRecorded(
            at=at,
            holder_credit_code=self.holder.value,
            direction="out",
            waste_code=code.value,
            quantity_t=quantity.tonnes,
            reference=reference,
        )
        self._record(at, "out", moved, detail=f"{code} {quantity} {reference}".strip())

    def stock(self) -> dict[str, Decimal]:
        """Tonnes on hand per code."""
        totals: dict[str, Decimal] = {}
        for lot in self.lots:
            totals[lot.code.value] = totals.get(lot.code.value, Decimal(0)) + lot.remaining_t
        return dict(sorted(totals.items()))

    def oldest(self, code: WasteCode | None = None) -> datetime | None:
        """When the oldest remaining lot (of a code, or of anything) was stored."""
        times = [lot.stored_at for lot in self.lots if code is None or lot.code == code]
        return min(times, default=None)

    def due_by(self, lot: Lot, rules: StorageRules = DEFAULT_STORAGE_RULES) -> datetime | None:
        """When a lot must be out of storage, or None when no limit applies."""
        if lot.code.is_medical and self.kind is not HolderKind.LICENSED_BUSINESS:
            return lot.stored_at + rules.medical_storage_limit
        years = (
            rules.licensed_limit_years
            if self.kind is HolderKind.LICENSED_BUSINESS
            else rules.producer_limit_years
        )
        return None if years is None else add_years_dt(lot.stored_at, years)

    def check_limits(self, now: datetime, rules: StorageRules = DEFAULT_STORAGE_RULES) -> None:
        """Record each lot over its limit once, and a missed medical-waste collection once."""
        require_aware("now", now)
        for lot in self.lots:
            due = self.due_by(lot, rules)
            if due is None or lot.limit_reported or now <= due:
                continue
            lot.limit_reported = True
            event = StorageLimitExceeded(
                at=now,
                holder_credit_code=self.holder.value,
                waste_code=lot.code.value,
                stored_since=lot.stored_at,
                due_by=due,
                limit_zh=_limit_zh(lot, self.kind, rules),
                quantity_t=lot.remaining_t,
            )
            self._record(now, "storage_limit_exceeded", event, detail=f"lot {lot.lot_no}")
        self._check_collection(now, rules)

    def _check_collection(self, now: datetime, rules: StorageRules) -> None:
        medical = [lot for lot in self.lots if lot.code.is_medical and lot.stored_at <= now]
        if not medical or self.kind is HolderKind.LICENSED_BUSINESS:
            return
        # The collector owes a visit every interval while waste waits: counted from its last
        # visit, or from when waste appeared if the place had none since (no false alarms for
        # an empty store).
        oldest = min(lot.stored_at for lot in medical)
        last = self.last_medical_collection
        since = oldest if last is None else max(last, oldest)
        if self.collection_overdue_reported or now - since <= rules.medical_collection_interval:
            return
        self.collection_overdue_reported = True
        event = MedicalWasteCollectionOverdue(
            at=now,
            holder_credit_code=self.holder.value,
            last_collected_at=self.last_medical_collection,
            waiting_since=since,
            interval=rules.medical_collection_interval,
        )
        self._record(now, "medical_collection_overdue", event)


def _limit_zh(lot: Lot, kind: HolderKind, rules: StorageRules) -> str:
    if lot.code.is_medical and kind is not HolderKind.LICENSED_BUSINESS:
        return f"医疗废物暂时贮存不超过{_days(rules.medical_storage_limit)}"
    years = rules.licensed_limit_years if kind is HolderKind.LICENSED_BUSINESS else None
    years = years if years is not None else rules.producer_limit_years
    return f"贮存不超过{years}年"


def _days(span: timedelta) -> str:
    hours = span / timedelta(hours=1)
    return f"{hours / 24:g}天" if hours % 24 == 0 else f"{hours:g}小时"
