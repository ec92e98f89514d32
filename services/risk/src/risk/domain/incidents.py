"""突发环境事件: reporting deadline, the 初报 → 续报 → 处理结果报告 chain, cross-boundary notice."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from risk.domain.aggregate import Aggregate
from risk.domain.clock import require_aware
from risk.domain.errors import InvalidTransition, ValidationError
from risk.domain.events import (
    CrossBoundaryNotificationRequired,
    IncidentGraded,
    IncidentRegistered,
    IncidentReported,
    IncidentReportOverdue,
    NeighbourNotified,
)
from risk.domain.geo import GeoPoint
from risk.domain.incident_rules import (
    IncidentGrade,
    IncidentMedium,
    IncidentRules,
    IncidentStatus,
    ReportKind,
)

DEFAULT_INCIDENT_RULES = IncidentRules()

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


class Incident(Aggregate):
    """One incident as the bureau learns of it; build it with `Incident.register`."""

    def __init__(
        self,
        *,
        incident_id: str,
        title: str,
        occurred_at: datetime,
        learned_at: datetime,
        grade: IncidentGrade | None,
        media: frozenset[IncidentMedium],
        location: GeoPoint | None,
        river: str | None,
        drinking_water: bool,
        heavy_metals: bool,
        rules: IncidentRules,
    ) -> None:
        super().__init__()
        self.incident_id = incident_id
        self.title = title
        self.occurred_at = occurred_at
        self.learned_at = learned_at
        self.grade = grade
        self.graded = False  # True once formally graded (定级); the grade is preliminary before
        self.media = media
        self.location = location
        self.river = river
        self.drinking_water = drinking_water
        self.heavy_metals = heavy_metals
        self.rules = rules
        self.status = IncidentStatus.REGISTERED
        self.reports: list[tuple[ReportKind, datetime]] = []
        self.overdue_reported = False
        self.neighbours_to_notify: tuple[str, ...] = rules.river_neighbours.get(river or "", ())
        self.neighbours_notified: dict[str, datetime] = {}

    @classmethod
    def register(
        cls,
        *,
        incident_id: str,
        title: str,
        occurred_at: datetime,
        learned_at: datetime | None = None,
        grade: IncidentGrade | None = None,
        media: Iterable[IncidentMedium] = (),
        location: GeoPoint | None = None,
        river: str | None = None,
        drinking_water: bool = False,
        heavy_metals: bool = False,
        rules: IncidentRules = DEFAULT_INCIDENT_RULES,
        by: str | None = None,
    ) -> Incident:
        """Record that the bureau knows of an incident; the report clock starts at `learned_at`."""
        require_aware("occurred_at", occurred_at)
        learned = require_aware("learned_at", learned_at or occurred_at)
        if learned < occurred_at:
            raise ValidationError(
                "learned_at", "获知时间早于发生时间", "learned before it happened"
            )
        if not title.strip():
            raise ValidationError("title", "须填写事件名称", "title is required")
        incident = cls(
            incident_id=incident_id,
            title=title.strip(),
            occurred_at=occurred_at,
            learned_at=learned,
            grade=grade,
            media=frozenset(media),
            location=location,
            river=river.strip() if river and river.strip() else None,
            drinking_water=drinking_water,
            heavy_metals=heavy_metals,
            rules=rules,
        )
        registered = IncidentRegistered(
            at=learned,
            incident_id=incident_id,
            title=incident.title,
            grade=grade.value if grade else None,
            reporting_grade=incident.reporting_grade.value,
            report_by=incident.report_by,
        )
        notices = [
            CrossBoundaryNotificationRequired(
                at=learned, incident_id=incident_id, river=incident.river or "", neighbour=n
            )
            for n in incident.neighbours_to_notify
        ]
        incident._record(learned, "register", registered, *notices, by=by)
        return incident

    @property
    def reporting_grade(self) -> IncidentGrade:
        """The grade whose procedure applies now (escalated until formally graded)."""
        if self.graded and self.grade is not None:
            return self.grade
        base = self.grade or self.rules.ungraded_grade
        if (self.drinking_water or self.heavy_metals) and (
            base.severity < self.rules.escalated_grade.severity
        ):
            return self.rules.escalated_grade
        return base

    @property
    def report_by(self) -> datetime:
        """Deadline of the 初报: 获知 + 4 h (Ⅳ/Ⅲ) or 2 h (Ⅱ/Ⅰ)."""
        return self.learned_at + self.rules.report_within[self.reporting_grade]

    def assign_grade(self, grade: IncidentGrade, at: datetime, by: str | None = None) -> None:
        """Formal grading (定级): from now on the grade itself decides the procedure."""
        require_aware("at", at)
        if self.status is IncidentStatus.RESULT_REPORTED:
            raise InvalidTransition(self.status.value, "assign_grade")
        self.grade = grade
        self.graded = True
        event = IncidentGraded(
            at=at, incident_id=self.incident_id, grade=grade.value, report_by=self.report_by
        )
        self._record(at, "grade", event, detail=grade.label, by=by)

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
