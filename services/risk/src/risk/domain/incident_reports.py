"""The 初报 → 续报 → 处理结果报告 chain of an incident, and its cross-boundary notices."""

from __future__ import annotations

from datetime import datetime

from risk.domain.aggregate import Aggregate
from risk.domain.clock import require_aware
from risk.domain.errors import InvalidTransition, ValidationError
from risk.domain.events import IncidentReported, IncidentReportOverdue, NeighbourNotified
from risk.domain.incident_rules import IncidentStatus, ReportKind

# Which report each state allows next; 续报 may repeat as often as the facts change.
_NEXT: dict[IncidentStatus, dict[ReportKind, IncidentStatus]] = {
    IncidentStatus.REGISTERED: {ReportKind.INITIAL: IncidentStatus.INITIAL_REPORTED},
    IncidentStatus.INITIAL_REPORTED: {
        ReportKind.FOLLOW_UP: IncidentStatus.FOLLOWING_UP,
        ReportKind.RESULT: IncidentStatus.RESULT_REPORTED,
    },
    IncidentStatus.FOLLOWING_UP: {
        ReportKind.FOLLOW_UP: IncidentStatus.FOLLOWING_UP,
        ReportKind.RESULT: IncidentStatus.RESULT_REPORTED,
    },
    IncidentStatus.RESULT_REPORTED: {},
}


class IncidentReporting(Aggregate):
    """The report chain and neighbour notices; Incident adds the grade and its deadline."""

    incident_id: str
    learned_at: datetime
    status: IncidentStatus
    reports: list[tuple[ReportKind, datetime]]
    overdue_reported: bool
    neighbours_to_notify: tuple[str, ...]
    neighbours_notified: dict[str, datetime]

    @property
    def report_by(self) -> datetime:
        """Deadline of the 初报 (Incident computes it from the grade)."""
        raise NotImplementedError

    def report(
        self, kind: ReportKind, at: datetime, content: str = "", by: str | None = None
    ) -> None:
        """Submit 初报, 续报 or 处理结果报告, in that order."""
        require_aware("at", at)
        following = _NEXT[self.status].get(kind)
        if following is None:
            raise InvalidTransition(self.status.value, kind.value)
        if at < self.learned_at:
            raise ValidationError("reported_at", "报告时间早于获知时间", "reported before learned")
        late = kind is ReportKind.INITIAL and at > self.report_by
        self.status = following
        self.reports.append((kind, at))
        event = IncidentReported(
            at=at, incident_id=self.incident_id, report_kind=kind.value, late=late
        )
        self._record(at, kind.value, event, detail=content, by=by)

    def check_report_overdue(self, now: datetime) -> None:
        """Record once that the 初报 deadline passed without a report."""
        require_aware("now", now)
        if self.status is not IncidentStatus.REGISTERED or self.overdue_reported:
            return
        if now > self.report_by:
            self.overdue_reported = True
            event = IncidentReportOverdue(
                at=now, incident_id=self.incident_id, report_by=self.report_by
            )
            self._record(now, "report_overdue", event)

    def record_neighbour_notified(
        self, neighbour: str, at: datetime, by: str | None = None
    ) -> None:
        """The downstream district has been told."""
        require_aware("at", at)
        if neighbour not in self.neighbours_to_notify:
            raise ValidationError(
                "neighbour",
                f"{neighbour}不在本事件的跨界通报对象中",
                f"{neighbour} is not a neighbour to notify for this incident",
            )
        if neighbour in self.neighbours_notified:
            raise InvalidTransition(f"已通报{neighbour}", "notify_neighbour")
        self.neighbours_notified[neighbour] = at
        event = NeighbourNotified(at=at, incident_id=self.incident_id, neighbour=neighbour)
        self._record(at, "neighbour_notified", event, detail=neighbour, by=by)

    @property
    def neighbours_pending(self) -> tuple[str, ...]:
        """Neighbours still to be told."""
        return tuple(n for n in self.neighbours_to_notify if n not in self.neighbours_notified)
