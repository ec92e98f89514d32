"""The pure parts of the adapters: every domain event has a contract, documents round-trip,
and next_check_at follows each aggregate's once-only flags."""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from qingshan.risk.v1 import events_pb2 as pb
from risk.adapters.codec_flows import LedgerCodec, ManifestCodec
from risk.adapters.codec_incidents import IncidentCodec
from risk.adapters.codec_registry import EnterpriseCodec, LicenceCodec, PlanCodec
from risk.adapters.event_messages import _RENAMED, _SIMPLE, to_message
from risk.domain import events as ev
from risk.domain import registry_events as rev
from risk.domain.catalogue_check import WasteCatalogues
from risk.domain.credit_code import make_credit_code
from risk.domain.emergency_plans import EmergencyPlan
from risk.domain.enterprises import Enterprise
from risk.domain.geo import GeoPoint
from risk.domain.grading import MediumInput, grade_enterprise
from risk.domain.grading_types import EClass, MClass, QClass
from risk.domain.incident_rules import IncidentGrade, ReportKind
from risk.domain.incidents import Incident
from risk.domain.licences import Licence, LicenceKind
from risk.domain.manifest_lines import ManifestLine, ReceiptLine
from risk.domain.manifest_number import ManifestNumber
from risk.domain.manifests import Manifest, Party
from risk.domain.quantities import Quantity
from risk.domain.storage import HolderKind, StorageLedger
from risk.domain.waste_codes import WasteCode
from risk.service_layer.schedule import incident_next_check, manifest_next_check

pytestmark = pytest.mark.unit
Clock = Callable[..., datetime]
A = make_credit_code("91500119MA5YE0001")
B = make_credit_code("91500119MA5YE0002")
OIL = WasteCode("900-249-08")


def _event_classes() -> list[type[ev.Event]]:
    found = []
    for module in (ev, rev):
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, ev.Event) and cls is not ev.Event:
                found.append(cls)
    return found


@pytest.mark.parametrize("cls", _event_classes(), ids=lambda c: c.__name__)
def test_every_domain_event_has_a_contract_with_its_fields(cls: type[ev.Event]) -> None:
    if cls is ev.RiskGraded:
        message = pb.RiskSourceGraded
    else:
        assert cls in _SIMPLE, f"{cls.__name__} has no protobuf message"
        message = _SIMPLE[cls]
    names = set(message.DESCRIPTOR.fields_by_name)
    assert "occurred_at" in names
    for f in dataclasses.fields(cls):
        if f.name != "at":
            assert _RENAMED.get(f.name, f.name) in names, f"{message.__name__}.{f.name}"


def test_quantities_travel_as_exact_text(at: Clock) -> None:
    event = rev.StockRecorded(
        at=at(2024, 1, 2),
        holder_credit_code=A.value,
        direction="in",
        waste_code=OIL.value,
        quantity_t=Decimal("0.120"),
        reference="",
    )
    message = to_message(event, A.value)
    assert isinstance(message, pb.StockRecorded)
    assert message.quantity_t == "0.120" and message.occurred_at.seconds > 0


def _manifest(
    at: Clock, calendar: Callable[[datetime, int], datetime], catalogues: WasteCatalogues
) -> Manifest:
    licence = Licence.issue(
        number="L1",
        holder=B,
        holder_name="处置",
        kind=LicenceKind.COMPREHENSIVE,
        valid_from=date(2023, 1, 1),
        at=at(2023, 1, 1),
        categories=["HW08"],
    )
    m = Manifest.create(
        number=ManifestNumber.parse("20245001000001"),
        producer=Party(A, "产废"),
        receiver=Party(B, "处置"),
        vehicle_plate="渝A12345",
        lines=[ManifestLine(OIL, Quantity.of("1500", "kg"))],
        planned_ship_date=date(2024, 3, 4),
        receiver_licences=[licence],
        catalogues=catalogues,
        at=at(2024, 3, 1),
    )
    m.ship(
        at(2024, 3, 4),
        working_day_deadline=calendar,
        receiver_licences=[licence],
        others_in_transit=[],
    )
    return m


def test_manifest_round_trip_and_schedule(
    at: Clock, calendar: Callable[[datetime, int], datetime], catalogues: WasteCatalogues
) -> None:
    m = _manifest(at, calendar, catalogues)
    codec = ManifestCodec()
    back = codec.from_doc(codec.to_doc(m))
    assert codec.to_doc(back) == codec.to_doc(m)
    assert manifest_next_check(back) == m.confirm_by
    back.check_confirmation_overdue(at(2024, 4, 1))
    assert manifest_next_check(back) is None
    back.events.clear()
    back.check_confirmation_overdue(at(2024, 4, 2))
    assert back.events == []
    m.confirm_receipt(at(2024, 3, 5), [ReceiptLine(OIL, Quantity.of("1.4"))])
    again = codec.from_doc(codec.to_doc(m))
    assert again.discrepancies == m.discrepancies and manifest_next_check(again) is None


def test_registry_documents_round_trip(
    at: Clock, calendar: Callable[[datetime, int], datetime]
) -> None:
    e = Enterprise.register(
        source_id=A.value,
        name="甲",
        at=at(2024, 1, 1),
        credit_code=A,
        location=GeoPoint.of("107.1", "29.1"),
    )
    e.record_grading(
        grade_enterprise(
            MediumInput(QClass.Q1, MClass.M1, EClass.E2),
            MediumInput(QClass.Q2, MClass.M1, EClass.E1),
        ),
        at(2024, 1, 2),
    )
    codec = EnterpriseCodec()
    doc = codec.to_doc(e)
    assert doc["level"] == "较大" and doc["lon"] == pytest.approx(107.1)
    assert codec.to_doc(codec.from_doc(doc)) == doc
    assert "credit_code" not in codec.to_doc(Enterprise(name="无代码"))

    plan = EmergencyPlan.register(
        plan_id="p1",
        enterprise=A,
        title="预案",
        signed_at=at(2024, 1, 2),
        working_day_deadline=calendar,
    )
    plans = PlanCodec()
    assert plans.to_doc(plans.from_doc(plans.to_doc(plan))) == plans.to_doc(plan)
    assert plans.next_check(plan) == plan.file_by - timedelta(days=5)
    plan.check_deadlines(plan.file_by + timedelta(seconds=1))
    assert plans.next_check(plan) is None

    licence = Licence.issue(
        number="L2",
        holder=B,
        holder_name="收集",
        kind=LicenceKind.COLLECTION,
        valid_from=date(2024, 1, 1),
        at=at(2024, 1, 1),
        codes=["900-249-08"],
    )
    licences = LicenceCodec()
    assert licences.to_doc(licences.from_doc(licences.to_doc(licence))) == licences.to_doc(licence)
    warn = licences.next_check(licence)
    assert warn is not None and warn.date() == date(2026, 10, 2)  # 90 days before 2026-12-31


def test_flow_documents_round_trip(at: Clock) -> None:
    ledger = StorageLedger(A, HolderKind.MEDICAL_INSTITUTION)
    ledger.record_in(WasteCode("841-001-01"), Quantity.of("10", "kg"), at(2024, 5, 1))
    codec = LedgerCodec()
    back = codec.from_doc(codec.to_doc(ledger))
    assert back.stock() == ledger.stock() and codec.to_doc(back) == codec.to_doc(ledger)
    assert codec.next_check(back) == at(2024, 5, 3)
    back.check_limits(at(2024, 5, 4))
    assert codec.next_check(back) is None

    incident = Incident.register(
        incident_id="inc-1",
        title="泄漏",
        occurred_at=at(2024, 5, 1),
        grade=IncidentGrade.IV,
        river="大溪河",
        heavy_metals=True,
    )
    incidents = IncidentCodec()
    doc = incidents.to_doc(incident)
    assert doc["neighbours_to_notify"] == ["武隆区"]
    assert incidents.to_doc(incidents.from_doc(doc)) == doc
    assert incident_next_check(incident) == at(2024, 5, 1, 11)
    incident.report(ReportKind.INITIAL, at(2024, 5, 1, 10))
    assert incident_next_check(incident) is None
