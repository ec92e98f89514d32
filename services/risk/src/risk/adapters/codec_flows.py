"""Documents of the flow aggregates: transfer manifests, storage ledgers, incidents."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from types import MappingProxyType

from risk.adapters.codec_registry import status_name
from risk.adapters.documents import (
    Doc,
    day,
    history,
    parse_day,
    parse_qty,
    qty,
    req_dt,
    restore_history,
)
from risk.domain.credit_code import CreditCode
from risk.domain.events import DiscrepancyLine
from risk.domain.manifest_lines import ManifestLine, ReceiptLine
from risk.domain.manifest_number import ManifestNumber
from risk.domain.manifests import Manifest, ManifestStatus, Party
from risk.domain.storage import DEFAULT_STORAGE_RULES, HolderKind, Lot, StorageLedger, StorageRules
from risk.domain.waste_codes import WasteCode
from risk.service_layer.schedule import (
    ledger_next_check,
    manifest_next_check,
)


def _party(p: Party) -> Doc:
    return {"credit_code": p.credit_code.value, "name": p.name}


def _parse_party(doc: Doc) -> Party:
    return Party(CreditCode(doc["credit_code"]), doc["name"])


def _discrepancy(d: DiscrepancyLine) -> Doc:
    return {
        "kind": d.kind,
        "kind_zh": d.kind_zh,
        "waste_code": d.waste_code,
        "shipped_t": str(d.shipped_t),
        "received_t": str(d.received_t),
        "rejected_t": str(d.rejected_t),
    }


def _parse_discrepancy(doc: Doc) -> DiscrepancyLine:
    return DiscrepancyLine(
        kind=doc["kind"],
        kind_zh=doc["kind_zh"],
        waste_code=doc["waste_code"],
        shipped_t=Decimal(doc["shipped_t"]),
        received_t=Decimal(doc["received_t"]),
        rejected_t=Decimal(doc["rejected_t"]),
    )


class ManifestCodec:
    """Manifest ⇄ document; `shipped_at` is indexed for the indicators."""

    kind = ("联单", "manifest")
    fields = MappingProxyType(
        {
            "status": "status",
            "producer": "producer.credit_code",
            "receiver": "receiver.credit_code",
            "vehicle_plate": "vehicle_plate",
        }
    )
    sort = "_id"

    def to_doc(self, m: Manifest) -> Doc:
        """The document of a manifest."""
        return {
            "number": m.number.value,
            "producer": _party(m.producer),
            "receiver": _party(m.receiver),
            "vehicle_plate": m.vehicle_plate,
            "lines": [{"code": ln.code.value, "quantity": qty(ln.quantity)} for ln in m.lines],
            "status": status_name(m.status),
            "planned_ship_date": day(m.planned_ship_date),
            "warnings": list(m.warnings),
            "shipped_at": m.shipped_at,
            "confirm_by": m.confirm_by,
            "received_at": m.received_at,
            "receipt": [
                {
                    "code": r.code.value,
                    "received": qty(r.received),
                    "rejected": qty(r.rejected),
                }
                for r in m.receipt
            ],
            "discrepancies": [_discrepancy(d) for d in m.discrepancies],
            "overdue_reported": m.overdue_reported,
            "history": history(m),
        }

    def from_doc(self, doc: Doc) -> Manifest:
        """The manifest back from its document."""
        m = Manifest(
            ManifestNumber(doc["number"]),
            _parse_party(doc["producer"]),
            _parse_party(doc["receiver"]),
            doc["vehicle_plate"],
            tuple(
                ManifestLine(WasteCode(ln["code"]), parse_qty(ln["quantity"]))
                for ln in doc["lines"]
            ),
        )
        m.status = ManifestStatus[doc["status"].upper()]
        m.planned_ship_date = parse_day(doc.get("planned_ship_date"))
        m.warnings = tuple(doc.get("warnings", []))
        m.shipped_at = doc.get("shipped_at")
        m.confirm_by = doc.get("confirm_by")
        m.received_at = doc.get("received_at")
        m.receipt = tuple(
            ReceiptLine(WasteCode(r["code"]), parse_qty(r["received"]), parse_qty(r["rejected"]))
            for r in doc.get("receipt", [])
        )
        m.discrepancies = tuple(_parse_discrepancy(d) for d in doc.get("discrepancies", []))
        m.overdue_reported = doc.get("overdue_reported", False)
        restore_history(m, doc.get("history", []))
        return m

    def next_check(self, m: Manifest) -> datetime | None:
        """The confirmation deadline while in transit."""
        return manifest_next_check(m)


class LedgerCodec:
    """StorageLedger ⇄ document (one per holder)."""

    kind = ("贮存台账", "storage ledger")
    fields = MappingProxyType({"kind": "kind"})
    sort = "_id"

    def __init__(self, rules: StorageRules = DEFAULT_STORAGE_RULES) -> None:
        self.rules = rules

    def to_doc(self, ledger: StorageLedger) -> Doc:
        """The document of a ledger."""
        return {
            "holder": ledger.holder.value,
            "kind": status_name(ledger.kind),
            "lots": [
                {
                    "lot_no": lot.lot_no,
                    "code": lot.code.value,
                    "stored_at": lot.stored_at,
                    "remaining_t": str(lot.remaining_t),
                    "limit_reported": lot.limit_reported,
                }
                for lot in ledger.lots
            ],
            "last_medical_collection": ledger.last_medical_collection,
            "collection_overdue_reported": ledger.collection_overdue_reported,
            "next_lot": ledger._next_lot,
            "history": history(ledger),
        }

    def from_doc(self, doc: Doc) -> StorageLedger:
        """The ledger back from its document."""
        ledger = StorageLedger(CreditCode(doc["holder"]), HolderKind[doc["kind"].upper()])
        ledger.lots = [
            Lot(
                lot_no=lot["lot_no"],
                code=WasteCode(lot["code"]),
                stored_at=req_dt(lot["stored_at"]),
                remaining_t=Decimal(lot["remaining_t"]),
                limit_reported=lot["limit_reported"],
            )
            for lot in doc.get("lots", [])
        ]
        ledger.last_medical_collection = doc.get("last_medical_collection")
        ledger.collection_overdue_reported = doc.get("collection_overdue_reported", False)
        ledger._next_lot = doc.get("next_lot", 1)
        restore_history(ledger, doc.get("history", []))
        return ledger

    def next_check(self, ledger: StorageLedger) -> datetime | None:
        """The earliest storage or collection deadline not yet reported."""
        return ledger_next_check(ledger, self.rules)
