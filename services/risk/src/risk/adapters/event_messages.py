"""Domain events → protobuf messages of qingshan.risk.v1 → envelopes for the outbox.

The envelope's subject (Kafka key) is the aggregate id, so one aggregate's events stay ordered.
The trace id continues the HTTP request's trace when there is one.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

import structlog
from google.protobuf.duration_pb2 import Duration
from google.protobuf.message import Message

from qingshan.risk.v1 import events_pb2 as pb
from qingshan_core.events import Envelope, timestamp
from risk.domain import events as ev
from risk.domain import registry_events as rev


def _duration(value: timedelta) -> Duration:
    d = Duration()
    d.FromTimedelta(value)
    return d


def _lines(lines: Iterable[ev.DiscrepancyLine]) -> list[pb.DiscrepancyLine]:
    return [
        pb.DiscrepancyLine(
            kind=d.kind,
            kind_zh=d.kind_zh,
            waste_code=d.waste_code,
            shipped_t=str(d.shipped_t),
            received_t=str(d.received_t),
            rejected_t=str(d.rejected_t),
        )
        for d in lines
    ]


def _graded(e: ev.RiskGraded, subject: str, extra: dict[str, Any]) -> Message:
    return pb.RiskSourceGraded(
        source_id=subject,
        occurred_at=timestamp(e.at),
        credit_code=e.credit_code,
        level=e.level,
        label=e.label,
        upgraded=e.upgraded,
        rules_version=e.rules_version,
        **extra,
    )


# Each mapper gets the event and the subject; fields not named here are copied by name.
_SIMPLE: dict[type[ev.Event], type[Message]] = {
    ev.LicenceIssued: pb.LicenceIssued,
    ev.LicenceRevoked: pb.LicenceRevoked,
    ev.LicenceExpiringSoon: pb.LicenceExpiringSoon,
    ev.LicenceExpired: pb.LicenceExpired,
    ev.ManifestCreated: pb.ManifestCreated,
    ev.ManifestRefusedUnlicensed: pb.ManifestRefusedUnlicensed,
    ev.ManifestShipped: pb.ManifestShipped,
    ev.ManifestReceived: pb.ManifestReceived,
    ev.ManifestDiscrepancyReported: pb.ManifestDiscrepancyReported,
    ev.ManifestConfirmationOverdue: pb.ManifestConfirmationOverdue,
    ev.ManifestClosed: pb.ManifestClosed,
    ev.ManifestCancelled: pb.ManifestCancelled,
    ev.StorageLimitExceeded: pb.StorageLimitExceeded,
    ev.MedicalWasteCollectionOverdue: pb.MedicalWasteCollectionOverdue,
    ev.IncidentRegistered: pb.IncidentRegistered,
    ev.IncidentReported: pb.IncidentReported,
    ev.IncidentReportOverdue: pb.IncidentReportOverdue,
    ev.IncidentGraded: pb.IncidentGraded,
    rev.IncidentRegraded: pb.IncidentRegraded,
    ev.CrossBoundaryNotificationRequired: pb.IncidentCrossBoundaryNotificationRequired,
    ev.NeighbourNotified: pb.IncidentNeighbourNotified,
    ev.EmergencyPlanRegistered: pb.EmergencyPlanRegistered,
    ev.EmergencyPlanFiled: pb.EmergencyPlanFiled,
    ev.EmergencyPlanFilingDueSoon: pb.EmergencyPlanFilingDueSoon,
    ev.EmergencyPlanFilingOverdue: pb.EmergencyPlanFilingOverdue,
    ev.EmergencyPlanReviewed: pb.EmergencyPlanReviewed,
    ev.EmergencyPlanReviewDueSoon: pb.EmergencyPlanReviewDueSoon,
    ev.EmergencyPlanReviewOverdue: pb.EmergencyPlanReviewOverdue,
    rev.EnterpriseRegistered: pb.RiskSourceRegistered,
    rev.EnterpriseUpdated: pb.RiskSourceUpdated,
    rev.StockRecorded: pb.StockRecorded,
    rev.WasteCatalogueLoaded: pb.WasteCatalogueLoaded,
    rev.RuleConfigChanged: pb.RuleConfigurationChanged,
    rev.WorkCalendarStale: pb.WorkCalendarStale,
}
_RENAMED = {"number": "manifest_number"}


def _value(value: Any) -> Any:
    """Domain values → protobuf field values (exact decimals and dates as text)."""
    if isinstance(value, datetime):
        return timestamp(value)
    if isinstance(value, timedelta):
        return _duration(value)
    if isinstance(value, tuple) and value and isinstance(value[0], ev.DiscrepancyLine):
        return _lines(value)
    if isinstance(value, tuple):
        return list(value)
    if value is None:
        return None
    if isinstance(value, bool | int | str):
        return value
    return str(value)  # Decimal, date


def _by_name(event: ev.Event, cls: type[Message]) -> Message:
    fields = set(cls.DESCRIPTOR.fields_by_name)
    kwargs: dict[str, Any] = {"occurred_at": timestamp(event.at)}
    for name in (f.name for f in dataclasses.fields(event)):
        if name == "at":
            continue
        target = _RENAMED.get(name, name)
        if target not in fields:
            raise KeyError(f"{cls.DESCRIPTOR.full_name} has no field {target}")
        value = _value(getattr(event, name))
        if value is not None:
            kwargs[target] = value
    return cls(**kwargs)


def to_message(event: ev.Event, subject: str, context: dict[str, Any] | None = None) -> Message:
    """The protobuf message of a domain event; `context` adds fields the event lacks."""
    if isinstance(event, ev.RiskGraded):
        return _graded(event, subject, context or {})
    cls = _SIMPLE.get(type(event))
    if cls is None:
        raise KeyError(f"no contract for domain event {type(event).__name__}")
    msg = _by_name(event, cls)
    for key, value in (context or {}).items():
        if value is not None and key in cls.DESCRIPTOR.fields_by_name:
            field = getattr(msg, key)
            if isinstance(value, list):
                field.extend(value)
            else:
                setattr(msg, key, value)
    return msg


def envelopes(
    events: Iterable[ev.Event],
    *,
    source: str,
    subject: str,
    context: Callable[[ev.Event], dict[str, Any] | None] = lambda e: None,
) -> list[Envelope]:
    """Wrap events for the outbox, continuing the current request's trace."""
    trace = structlog.contextvars.get_contextvars().get("trace_id")
    return [
        Envelope.wrap(
            to_message(e, subject, context(e)), source=source, subject=subject, trace_id=trace
        )
        for e in events
    ]
