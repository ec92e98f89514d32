"""转移联单: one per vehicle trip, created → shipped → received (or with discrepancies) → closed."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from risk.domain.aggregate import Aggregate
from risk.domain.catalogue_check import CodeStatus, WasteCatalogues
from risk.domain.clock import WorkingDayDeadline, china_date, require_aware
from risk.domain.credit_code import CreditCode
from risk.domain.errors import InvalidTransition, UnlicensedReceiver, ValidationError
from risk.domain.events import (
    DiscrepancyLine,
    ManifestCancelled,
    ManifestClosed,
    ManifestConfirmationOverdue,
    ManifestCreated,
    ManifestDiscrepancyReported,
    ManifestReceived,
    ManifestRefusedUnlicensed,
    ManifestShipped,
)
from risk.domain.licences import Licence, may_receive
from risk.domain.manifest_lines import ManifestLine, ReceiptLine, compare, unique_codes
from risk.domain.manifest_number import ManifestNumber
from risk.domain.quantities import Quantity


class ManifestStatus(StrEnum):
    CREATED = "已创建"
    SHIPPED = "已运出"
    RECEIVED = "已接收"
    DISCREPANCY = "接收有差异"
    CLOSED = "已办结"
    CANCELLED = "已作废"


@dataclass(frozen=True)
class ManifestRules:
    """危险废物转移管理办法 第十八条: the receiver confirms within 5 working days."""

    confirm_working_days: int = 5
    # Weighbridge differences under this many tonnes are not reported; 0 reports everything.
    quantity_tolerance_t: Decimal = Decimal(0)


DEFAULT_MANIFEST_RULES = ManifestRules()


@dataclass(frozen=True, slots=True)
class Party:
    """A producer or receiver: credit code and name."""

    credit_code: CreditCode
    name: str


class Manifest(Aggregate):
    """One transfer manifest; build it with `Manifest.create`."""

    def __init__(
        self,
        number: ManifestNumber,
        producer: Party,
        receiver: Party,
        vehicle_plate: str,
        lines: tuple[ManifestLine, ...],
    ) -> None:
        super().__init__()
        self.number = number
        self.producer = producer
        self.receiver = receiver
        self.vehicle_plate = vehicle_plate
        self.lines = lines
        self.status = ManifestStatus.CREATED
        self.shipped_at: datetime | None = None
        self.confirm_by: datetime | None = None
        self.received_at: datetime | None = None
        self.receipt: tuple[ReceiptLine, ...] = ()
        self.discrepancies: tuple[DiscrepancyLine, ...] = ()
        self.overdue_reported = False
        self.planned_ship_date: date | None = None
        self.warnings: tuple[str, ...] = ()

    @classmethod
    def create(
        cls,
        *,
        number: ManifestNumber,
        producer: Party,
        receiver: Party,
        vehicle_plate: str,
        lines: Sequence[ManifestLine],
        planned_ship_date: date,
        receiver_licences: Iterable[Licence],
        catalogues: WasteCatalogues,
        at: datetime,
        by: str | None = None,
    ) -> Manifest:
        """Create after checking codes against the list and the receiver's licence."""
        require_aware("at", at)
        plate = vehicle_plate.strip()
        if not plate:
            raise ValidationError("vehicle_plate", "须填写运输车辆号牌", "vehicle plate required")
        if not lines:
            raise ValidationError("lines", "联单至少载明一种危险废物", "at least one waste line")
        unique_codes("lines", [line.code for line in lines])
        if producer.credit_code == receiver.credit_code:
            raise ValidationError("receiver", "移出人与接受人不能相同", "producer is the receiver")
        warnings: list[str] = []
        for line in lines:
            check = catalogues.validate(line.code.value, planned_ship_date)
            check.require("lines.code")
            if check.status is CodeStatus.ACCEPTED_WITH_WARNING:
                warnings.append(check.reason_zh)
        manifest = cls(number, producer, receiver, plate, tuple(lines))
        manifest.planned_ship_date = planned_ship_date
        manifest.warnings = tuple(warnings)
        manifest._require_licence(list(receiver_licences), planned_ship_date, at)
        event = ManifestCreated(
            at=at,
            number=number.value,
            producer_credit_code=producer.credit_code.value,
            receiver_credit_code=receiver.credit_code.value,
            vehicle_plate=plate,
            waste_codes=tuple(line.code.value for line in lines),
            warnings=tuple(warnings),
        )
        manifest._record(at, "create", event, by=by)
        return manifest

    def _require_licence(self, licences: list[Licence], on_date: date, at: datetime) -> None:
        # The plan forbids handing waste to unlicensed units: refuse, but keep the event.
        for line in self.lines:
            result = may_receive(licences, self.receiver.credit_code, line.code, on_date)
            if not result.ok:
                event = ManifestRefusedUnlicensed(
                    at=at,
                    number=self.number.value,
                    producer_credit_code=self.producer.credit_code.value,
                    receiver_credit_code=self.receiver.credit_code.value,
                    waste_code=line.code.value,
                    on_date=on_date,
                    reason_zh=result.reason_zh,
                    reason_en=result.reason_en,
                )
                raise UnlicensedReceiver(
                    "receiver",
                    f"接收单位无有效许可证（{line.code}，{on_date}）：{result.reason_zh}",
                    f"receiver not licensed for {line.code} on {on_date}: {result.reason_en}",
                    event,
                )

    def _require(self, action: str, *allowed: ManifestStatus) -> None:
        if self.status not in allowed:
            raise InvalidTransition(self.status.value, action)

    @property
    def categories(self) -> frozenset[str]:
        """HW categories on the manifest."""
        return frozenset(line.code.category for line in self.lines)

    def ship(
        self,
        at: datetime,
        *,
        working_day_deadline: WorkingDayDeadline,
        receiver_licences: Iterable[Licence],
        others_in_transit: Iterable[Manifest],
        rules: ManifestRules = DEFAULT_MANIFEST_RULES,
        by: str | None = None,
    ) -> None:
        """Dispatch: the licence is checked again on the real shipment date."""
        self._require("ship", ManifestStatus.CREATED)
        require_aware("at", at)
        self._one_per_trip(others_in_transit)
        self._require_licence(list(receiver_licences), china_date(at), at)
        self.status = ManifestStatus.SHIPPED
        self.shipped_at = at
        self.confirm_by = working_day_deadline(at, rules.confirm_working_days)
        event = ManifestShipped(
            at=at,
            number=self.number.value,
            receiver_credit_code=self.receiver.credit_code.value,
            confirm_by=self.confirm_by,
        )
        self._record(at, "ship", event, by=by)

    def _one_per_trip(self, others: Iterable[Manifest]) -> None:
        # 每车次同类危险废物填写一份联单: two manifests in transit on one vehicle must not share
        # a category.
        for other in others:
            same_trip = (
                other.number != self.number
                and other.status is ManifestStatus.SHIPPED
                and other.vehicle_plate == self.vehicle_plate
            )
            shared = sorted(self.categories & other.categories)
            if same_trip and shared:
                raise ValidationError(
                    "vehicle_plate",
                    f"车辆{self.vehicle_plate}本车次已有联单{other.number}载明{'、'.join(shared)}",
                    f"vehicle {self.vehicle_plate} already carries manifest {other.number} "
                    f"for {', '.join(shared)} on this trip",
                )

    def confirm_receipt(
        self,
        at: datetime,
        lines: Sequence[ReceiptLine],
        rules: ManifestRules = DEFAULT_MANIFEST_RULES,
        by: str | None = None,
    ) -> None:
        """Receiver confirms what arrived; differences are recorded and reported."""
        self._require("confirm_receipt", ManifestStatus.SHIPPED)
        require_aware("at", at)
        assert self.shipped_at is not None and self.confirm_by is not None
        if at < self.shipped_at:
            raise ValidationError("received_at", "接收时间早于运出时间", "received before shipped")
        unique_codes("lines", [line.code for line in lines])
        found = compare(self.lines, lines, rules.quantity_tolerance_t)
        self.received_at = at
        self.receipt = tuple(lines)
        self.discrepancies = found
        self.status = ManifestStatus.DISCREPANCY if found else ManifestStatus.RECEIVED
        received = ManifestReceived(
            at=at, number=self.number.value, late=at > self.confirm_by, discrepancy=bool(found)
        )
        events: list[ManifestReceived | ManifestDiscrepancyReported] = [received]
        if found:
            events.append(
                ManifestDiscrepancyReported(
                    at=at,
                    number=self.number.value,
                    producer_credit_code=self.producer.credit_code.value,
                    receiver_credit_code=self.receiver.credit_code.value,
                    lines=found,
                )
            )
        self._record(at, "confirm_receipt", *events, by=by)

    def reject_all(self, at: datetime, reason: str, by: str | None = None) -> None:
        """Receiver refuses the whole load (全部拒收)."""
        if not reason.strip():
            raise ValidationError("reason", "拒收须说明理由", "a rejection needs a reason")
        lines = [
            ReceiptLine(line.code, received=_zero(line), rejected=line.quantity)
            for line in self.lines
        ]
        self.confirm_receipt(at, lines, by=by)

    def close(self, at: datetime, resolution: str = "", by: str | None = None) -> None:
        """办结; a manifest with discrepancies needs the resolution written down."""
        self._require("close", ManifestStatus.RECEIVED, ManifestStatus.DISCREPANCY)
        require_aware("at", at)
        if self.status is ManifestStatus.DISCREPANCY and not resolution.strip():
            raise ValidationError(
                "resolution", "有差异的联单办结须写明处理结果", "discrepancies need a resolution"
            )
        self.status = ManifestStatus.CLOSED
        event = ManifestClosed(at=at, number=self.number.value)
        self._record(at, "close", event, detail=resolution, by=by)

    def cancel(self, at: datetime, reason: str, by: str | None = None) -> None:
        """作废 a manifest that has not left."""
        self._require("cancel", ManifestStatus.CREATED)
        require_aware("at", at)
        self.status = ManifestStatus.CANCELLED
        event = ManifestCancelled(at=at, number=self.number.value, reason=reason)
        self._record(at, "cancel", event, detail=reason, by=by)

    def check_confirmation_overdue(self, now: datetime) -> None:
        """Record once that the receiver has not confirmed by the deadline."""
        require_aware("now", now)
        if self.status is not ManifestStatus.SHIPPED or self.overdue_reported:
            return
        assert self.confirm_by is not None
        if now > self.confirm_by:
            self.overdue_reported = True
            event = ManifestConfirmationOverdue(
                at=now,
                number=self.number.value,
                receiver_credit_code=self.receiver.credit_code.value,
                confirm_by=self.confirm_by,
            )
            self._record(now, "confirmation_overdue", event)


def _zero(line: ManifestLine) -> Quantity:
    return Quantity(Decimal(0), line.quantity.unit)
