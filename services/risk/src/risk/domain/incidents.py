"""突发环境事件: reporting deadline, the 初报 → 续报 → 处理结果报告 chain, cross-boundary notice."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime

from risk.domain.clock import require_aware
from risk.domain.errors import InvalidTransition, ValidationError
from risk.domain.events import (
    CrossBoundaryNotificationRequired,
    IncidentGraded,
    IncidentRegistered,
)
from risk.domain.geo import GeoPoint
from risk.domain.incident_grading import (
    DEFAULT_INCIDENT_GRADING,
    IncidentFacts,
    IncidentGradingRules,
    grade_from_facts,
    procedure_triggers,
)
from risk.domain.incident_reports import IncidentReporting
from risk.domain.incident_rules import (
    IncidentGrade,
    IncidentMedium,
    IncidentRules,
    IncidentStatus,
    ReportKind,
)
from risk.domain.registry_events import IncidentRegraded

DEFAULT_INCIDENT_RULES = IncidentRules()
NO_FACTS = IncidentFacts()


class Incident(IncidentReporting):
    """One incident as the bureau learns of it; build it with `Incident.register`.

    The grade comes from the facts (`incident_grading.grade_from_facts`); a typed grade may
    raise it, never lower it (a formal 定级 above the facts needs a reason). Until formally
    graded, 报告办法 第五条's triggers send it through the Ⅱ/Ⅰ procedure.
    """

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
        rules: IncidentRules,
        facts: IncidentFacts = NO_FACTS,
        grading: IncidentGradingRules = DEFAULT_INCIDENT_GRADING,
    ) -> None:
        super().__init__()
        self.incident_id = incident_id
        self.title = title
        self.occurred_at = occurred_at
        self.learned_at = learned_at
        self.typed_grade = grade  # preliminary (初步认定) or formal (定级), as typed
        self.grade_reason: str | None = None
        self.graded = False  # True once formally graded (定级); the grade is preliminary before
        self.media = media
        self.location = location
        self.river = river
        self.rules = rules
        self.facts = facts
        self.facts_grade, self.criteria = grade_from_facts(facts, grading)
        self.grading_version = grading.version
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
        facts: IncidentFacts | None = None,
        rules: IncidentRules = DEFAULT_INCIDENT_RULES,
        grading: IncidentGradingRules = DEFAULT_INCIDENT_GRADING,
        by: str | None = None,
    ) -> Incident:
        """Record that the bureau knows of an incident; the report clock starts at `learned_at`.
        A preliminary grade below what the facts reach is refused."""
        require_aware("occurred_at", occurred_at)
        learned = require_aware("learned_at", learned_at or occurred_at)
        if learned < occurred_at:
            raise ValidationError(
                "learned_at", "获知时间早于发生时间", "learned before it happened"
            )
        if not title.strip():
            raise ValidationError("title", "须填写事件名称", "title is required")
        known = facts or IncidentFacts()
        known = replace(
            known,
            drinking_water=known.drinking_water or drinking_water,
            heavy_metals=known.heavy_metals or heavy_metals,
        )
        incident = cls(
            incident_id=incident_id,
            title=title.strip(),
            occurred_at=occurred_at,
            learned_at=learned,
            grade=grade,
            media=frozenset(media),
            location=location,
            river=river.strip() if river and river.strip() else None,
            rules=rules,
            facts=known,
            grading=grading,
        )
        if grade is not None and grade.severity < incident.facts_grade.severity:
            raise _below_facts(incident.facts_grade, incident.criteria)
        registered = IncidentRegistered(
            at=learned,
            incident_id=incident_id,
            title=incident.title,
            grade=incident.grade.value if incident.grade else None,
            reporting_grade=incident.reporting_grade.value,
            report_by=incident.report_by,
            procedure_triggers=incident.triggers,
            grading_version=incident.grading_version,
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
    def drinking_water(self) -> bool:
        """Affects or may affect a drinking-water source (a 第五条 trigger)."""
        return self.facts.drinking_water

    @property
    def heavy_metals(self) -> bool:
        """Heavy-metal or metalloid pollution (a 第五条 trigger)."""
        return self.facts.heavy_metals

    @property
    def grade(self) -> IncidentGrade | None:
        """The grade in force: the typed one, raised to what the facts reach; None while
        nothing is typed and the facts reach no more than Ⅳ (not determined yet)."""
        if self.typed_grade is None:
            return self.facts_grade if self.facts_grade is not IncidentGrade.IV else None
        return max(self.typed_grade, self.facts_grade, key=lambda g: g.severity)

    @property
    def triggers(self) -> tuple[str, ...]:
        """第五条's reasons for the Ⅱ/Ⅰ procedure (they stop counting once graded)."""
        return procedure_triggers(self.facts)

    @property
    def reporting_grade(self) -> IncidentGrade:
        """The grade whose procedure applies now (escalated until formally graded)."""
        if self.graded and self.grade is not None:
            return self.grade
        base = self.grade or self.rules.ungraded_grade
        if self.triggers and base.severity < self.rules.escalated_grade.severity:
            return self.rules.escalated_grade
        return base

    @property
    def report_by(self) -> datetime:
        """Deadline of the 初报: 获知 + 4 h (Ⅳ/Ⅲ) or 2 h (Ⅱ/Ⅰ)."""
        return self.learned_at + self.rules.report_within[self.reporting_grade]

    def update_facts(
        self,
        facts: IncidentFacts,
        at: datetime,
        grading: IncidentGradingRules = DEFAULT_INCIDENT_GRADING,
        by: str | None = None,
    ) -> None:
        """New facts (续报): the grade is computed again with the rules in force now; a change
        of grade or of the report procedure is an IncidentRegraded event."""
        require_aware("at", at)
        if self.status is IncidentStatus.RESULT_REPORTED:
            raise InvalidTransition(self.status.value, "update_facts")
        before = (self.grade, self.reporting_grade)
        self.facts = facts
        self.facts_grade, self.criteria = grade_from_facts(facts, grading)
        self.grading_version = grading.version
        self._regraded(at, before, "facts", by=by)

    def assign_grade(
        self, grade: IncidentGrade, at: datetime, by: str | None = None, reason: str = ""
    ) -> None:
        """Formal grading (定级): from now on the grade itself decides the procedure. Never
        below what the facts reach; above it only with a reason."""
        require_aware("at", at)
        if self.status is IncidentStatus.RESULT_REPORTED:
            raise InvalidTransition(self.status.value, "assign_grade")
        if grade.severity < self.facts_grade.severity:
            raise _below_facts(self.facts_grade, self.criteria)
        reason = reason.strip()
        if grade.severity > self.facts_grade.severity and not reason:
            raise ValidationError(
                "reason",
                f"定级{grade.label}高于按事实计算的{self.facts_grade.label}，须说明理由",
                f"grading above the facts ({self.facts_grade.value}) needs a reason",
            )
        before = (self.grade, self.reporting_grade)
        was_graded = self.graded
        self.typed_grade, self.grade_reason, self.graded = grade, reason or None, True
        if was_graded:
            self._regraded(at, before, "grade", by=by, reason=reason)
            return
        event = IncidentGraded(
            at=at, incident_id=self.incident_id, grade=grade.value, report_by=self.report_by
        )
        self._record(at, "grade", event, detail=f"{grade.label} {reason}".strip(), by=by)

    def _regraded(
        self,
        at: datetime,
        before: tuple[IncidentGrade | None, IncidentGrade],
        action: str,
        by: str | None,
        reason: str = "",
    ) -> None:
        old_grade, old_reporting = before
        detail = f"{self.grade.value if self.grade else '-'} {','.join(self.criteria)}".strip()
        if (self.grade, self.reporting_grade) == (old_grade, old_reporting):
            self._record(at, action, detail=detail, by=by)
            return
        event = IncidentRegraded(
            at=at,
            incident_id=self.incident_id,
            old_grade=old_grade.value if old_grade else None,
            grade=self.grade.value if self.grade else None,
            reporting_grade=self.reporting_grade.value,
            report_by=self.report_by,
            graded=self.graded,
            reason=reason,
            criteria=self.criteria,
            procedure_triggers=() if self.graded else self.triggers,
            grading_version=self.grading_version,
        )
        self._record(at, action, event, detail=detail, by=by)


def _below_facts(facts_grade: IncidentGrade, criteria: tuple[str, ...]) -> ValidationError:
    return ValidationError(
        "grade",
        f"级别不得低于按事实计算的{facts_grade.label}（{'、'.join(criteria)}）",
        f"the facts reach grade {facts_grade.value}; a typed grade may only raise it",
    )
