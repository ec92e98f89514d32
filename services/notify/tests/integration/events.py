"""Input events as the other services publish them."""

from __future__ import annotations

from datetime import UTC, datetime

from google.protobuf.timestamp_pb2 import Timestamp

from qingshan.complaints.v1 import events_pb2 as complaints
from qingshan.risk.v1 import events_pb2 as risk
from qingshan_core.events import timestamp


def ts(at: datetime | None = None) -> Timestamp:
    """An instant, now unless given."""
    return timestamp(at or datetime.now(UTC))


def incident(incident_id: str, kind: str = "初报") -> risk.IncidentReported:
    return risk.IncidentReported(incident_id=incident_id, occurred_at=ts(), report_kind=kind)


def warning(complaint_id: str, unit: str = "town-a") -> complaints.DeadlineWarning:
    alert = complaints.DeadlineAlert(
        complaint_id=complaint_id,
        occurred_at=ts(),
        stage="reply",
        level="warning",
        due_at=ts(),
        unit_id=unit,
        category="noise",
        channel="12345",
    )
    return complaints.DeadlineWarning(alert=alert)


def rates(unit: str, period: str, value: str) -> complaints.RatesBelowTarget:
    return complaints.RatesBelowTarget(
        occurred_at=ts(),
        unit_id=unit,
        rate="on_time_reply_rate",
        numerator=19,
        denominator=20,
        value=value,
        target="1.0000",
        period=period,
    )
