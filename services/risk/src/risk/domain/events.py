"""Domain events (cosmicpython style): facts the aggregates record for the outbox.

`type` names the event as the notify service and the contracts know it; payload fields are
plain values so the service layer can map them to protobuf without touching the aggregates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import ClassVar


@dataclass(frozen=True, slots=True)
class Event:
    """Base class; `at` is when the fact happened or was detected."""

    type: ClassVar[str] = "risk.event"
    at: datetime


# --- enterprises and grading -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RiskGraded(Event):
    type: ClassVar[str] = "risk.enterprise.graded"
    credit_code: str
    level: str
    label: str
    upgraded: bool
    rules_version: int = 0


# --- licences -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LicenceIssued(Event):
    type: ClassVar[str] = "risk.licence.issued"
    licence_number: str
    holder_credit_code: str
    kind: str
    valid_from: date
    valid_until: date


@dataclass(frozen=True, slots=True)
class LicenceRevoked(Event):
    type: ClassVar[str] = "risk.licence.revoked"
    licence_number: str
    holder_credit_code: str
    effective_on: date
    reason: str


@dataclass(frozen=True, slots=True)
class LicenceExpiringSoon(Event):
    type: ClassVar[str] = "risk.licence.expiring_soon"
    licence_number: str
    holder_credit_code: str
    valid_until: date
    days_left: int


@dataclass(frozen=True, slots=True)
class LicenceExpired(Event):
    type: ClassVar[str] = "risk.licence.expired"
    licence_number: str
    holder_credit_code: str
    valid_until: date


# --- manifests ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ManifestCreated(Event):
    type: ClassVar[str] = "risk.manifest.created"
    number: str
    producer_credit_code: str
    receiver_credit_code: str
    vehicle_plate: str
    waste_codes: tuple[str, ...]
    warnings: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ManifestRefusedUnlicensed(Event):
    type: ClassVar[str] = "risk.manifest.refused_unlicensed"
    number: str
    producer_credit_code: str
    receiver_credit_code: str
    waste_code: str
    on_date: date
    reason_zh: str
    reason_en: str


@dataclass(frozen=True, slots=True)
class ManifestShipped(Event):
    type: ClassVar[str] = "risk.manifest.shipped"
    number: str
    receiver_credit_code: str
    confirm_by: datetime


@dataclass(frozen=True, slots=True)
class ManifestReceived(Event):
    type: ClassVar[str] = "risk.manifest.received"
    number: str
    late: bool
    discrepancy: bool


@dataclass(frozen=True, slots=True)
class DiscrepancyLine:
    """One difference between what was shipped and what the receiver confirmed."""

    kind: str
    kind_zh: str
    waste_code: str
    shipped_t: Decimal
    received_t: Decimal
    rejected_t: Decimal


@dataclass(frozen=True, slots=True)
class ManifestDiscrepancyReported(Event):
    type: ClassVar[str] = "risk.manifest.discrepancy_reported"
    number: str
    producer_credit_code: str
    receiver_credit_code: str
    lines: tuple[DiscrepancyLine, ...]


@dataclass(frozen=True, slots=True)
class ManifestConfirmationOverdue(Event):
    type: ClassVar[str] = "risk.manifest.confirmation_overdue"
    number: str
    receiver_credit_code: str
    confirm_by: datetime


@dataclass(frozen=True, slots=True)
class ManifestClosed(Event):
    type: ClassVar[str] = "risk.manifest.closed"
    number: str


@dataclass(frozen=True, slots=True)
class ManifestCancelled(Event):
    type: ClassVar[str] = "risk.manifest.cancelled"
    number: str
    reason: str


# --- storage ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StorageLimitExceeded(Event):
    type: ClassVar[str] = "risk.storage.limit_exceeded"
    holder_credit_code: str
    waste_code: str
    stored_since: datetime
    due_by: datetime
    limit_zh: str
    quantity_t: Decimal


@dataclass(frozen=True, slots=True)
class MedicalWasteCollectionOverdue(Event):
    type: ClassVar[str] = "risk.storage.medical_collection_overdue"
    holder_credit_code: str
    last_collected_at: datetime | None
    waiting_since: datetime
    interval: timedelta


# --- incidents ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IncidentRegistered(Event):
    type: ClassVar[str] = "risk.incident.registered"
    incident_id: str
    title: str
    grade: str | None
    reporting_grade: str
    report_by: datetime
    procedure_triggers: tuple[str, ...] = ()
    grading_version: int = 0


@dataclass(frozen=True, slots=True)
class IncidentReported(Event):
    type: ClassVar[str] = "risk.incident.reported"
    incident_id: str
    report_kind: str
    late: bool


@dataclass(frozen=True, slots=True)
class IncidentReportOverdue(Event):
    type: ClassVar[str] = "risk.incident.report_overdue"
    incident_id: str
    report_by: datetime


@dataclass(frozen=True, slots=True)
class IncidentGraded(Event):
    type: ClassVar[str] = "risk.incident.graded"
    incident_id: str
    grade: str
    report_by: datetime


@dataclass(frozen=True, slots=True)
class CrossBoundaryNotificationRequired(Event):
    type: ClassVar[str] = "risk.incident.cross_boundary"
    incident_id: str
    river: str
    neighbour: str


@dataclass(frozen=True, slots=True)
class NeighbourNotified(Event):
    type: ClassVar[str] = "risk.incident.neighbour_notified"
    incident_id: str
    neighbour: str


# --- emergency plans ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EmergencyPlanRegistered(Event):
    type: ClassVar[str] = "risk.plan.registered"
    plan_id: str
    credit_code: str
    file_by: datetime


@dataclass(frozen=True, slots=True)
class EmergencyPlanFiled(Event):
    type: ClassVar[str] = "risk.plan.filed"
    plan_id: str
    credit_code: str
    filing_number: str
    late: bool
    review_by: datetime


@dataclass(frozen=True, slots=True)
class EmergencyPlanFilingDueSoon(Event):
    type: ClassVar[str] = "risk.plan.filing_due_soon"
    plan_id: str
    credit_code: str
    file_by: datetime


@dataclass(frozen=True, slots=True)
class EmergencyPlanFilingOverdue(Event):
    type: ClassVar[str] = "risk.plan.filing_overdue"
    plan_id: str
    credit_code: str
    file_by: datetime


@dataclass(frozen=True, slots=True)
class EmergencyPlanReviewed(Event):
    type: ClassVar[str] = "risk.plan.reviewed"
    plan_id: str
    credit_code: str
    review_by: datetime


@dataclass(frozen=True, slots=True)
class EmergencyPlanReviewDueSoon(Event):
    type: ClassVar[str] = "risk.plan.review_due_soon"
    plan_id: str
    credit_code: str
    review_by: datetime


@dataclass(frozen=True, slots=True)
class EmergencyPlanReviewOverdue(Event):
    type: ClassVar[str] = "risk.plan.review_overdue"
    plan_id: str
    credit_code: str
    review_by: datetime
