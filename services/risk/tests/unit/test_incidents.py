"""突发环境事件: grades, report deadlines, the report chain, cross-boundary notice."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

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
from risk.domain.incidents import Incident

pytestmark = pytest.mark.unit

Clock = Callable[..., datetime]
G1, II, III, IV = IncidentGrade.I, IncidentGrade.II, IncidentGrade.III, IncidentGrade.IV


def register(at: Clock, **kwargs: object) -> Incident:
    params: dict[str, object] = {
        "incident_id": "INC-1",
        "title": "某企业废水泄漏",
        "occurred_at": at(2024, 7, 1, 8),
        "learned_at": at(2024, 7, 1, 9),
        "grade": IV,
        "media": [IncidentMedium.WATER],
        "location": GeoPoint.of("107.0990", "29.1580"),
    }
    params.update(kwargs)
    return Incident.register(**params)


@pytest.mark.parametrize(
    ("raw", "grade"),
    [
        ("I", G1),
        ("ii", II),
        ("Ⅲ", III),
        ("Ⅳ级", IV),
        ("特别重大", G1),
        ("重大", II),
        ("较大", III),
        ("一般", IV),
        ("1", G1),
        ("4", IV),
    ],
)
def test_grade_parsing(raw: str, grade: IncidentGrade) -> None:
    assert IncidentGrade.parse(raw) is grade


@pytest.mark.parametrize("raw", ["V", "0", "5", "严重", ""])
def test_bad_grades(raw: str) -> None:
    with pytest.raises(ValidationError) as caught:
        IncidentGrade.parse(raw)
    assert caught.value.field == "grade"


def test_grade_display() -> None:
    assert [g.numeral for g in IncidentGrade] == ["Ⅰ", "Ⅱ", "Ⅲ", "Ⅳ"]
    assert [g.name_zh for g in IncidentGrade] == ["特别重大", "重大", "较大", "一般"]
    assert II.label == "Ⅱ级（重大）"
    assert G1.severity > II.severity > III.severity > IV.severity


@pytest.mark.parametrize(("grade", "hours"), [(IV, 4), (III, 4), (II, 2), (G1, 2), (None, 2)])
def test_report_deadline_from_learning(at: Clock, grade: IncidentGrade | None, hours: int) -> None:
    incident = register(at, grade=grade)
    assert incident.report_by == at(2024, 7, 1, 9) + timedelta(hours=hours)
    event = incident.events[0]
    assert isinstance(event, IncidentRegistered) and event.report_by == incident.report_by


@pytest.mark.parametrize("flag", ["drinking_water", "heavy_metals"])
@pytest.mark.parametrize("grade", [IV, III])
def test_drinking_water_and_heavy_metals_go_as_ii_until_graded(
    at: Clock, flag: str, grade: IncidentGrade
) -> None:
    incident = register(at, grade=grade, **{flag: True})
    assert incident.reporting_grade is II
    assert incident.report_by == at(2024, 7, 1, 11)
    registered = incident.events[0]
    assert isinstance(registered, IncidentRegistered)
    assert registered.grade == grade.value and registered.reporting_grade == "II"
    # Above what the (empty) facts reach, a 定级 needs a reason (issue 19).
    incident.assign_grade(grade, at(2024, 7, 1, 10), reason="现场核查：影响范围较大")
    assert incident.reporting_grade is grade
    assert incident.report_by == at(2024, 7, 1, 13)
    graded = incident.events[-1]
    assert isinstance(graded, IncidentGraded) and graded.report_by == at(2024, 7, 1, 13)


def test_escalation_keeps_grade_i(at: Clock) -> None:
    assert register(at, grade=G1, heavy_metals=True).reporting_grade is G1


def test_hours_and_escalation_are_configuration(at: Clock) -> None:
    rules = IncidentRules(
        report_within={
            G1: timedelta(hours=1),
            II: timedelta(hours=1),
            III: timedelta(hours=3),
            IV: timedelta(hours=3),
        },
        ungraded_grade=IV,
    )
    assert register(at, grade=None, rules=rules).report_by == at(2024, 7, 1, 12)
    with pytest.raises(ValidationError):
        IncidentRules(report_within={G1: timedelta(hours=1)})


def test_report_chain(at: Clock) -> None:
    incident = register(at)
    incident.report(ReportKind.INITIAL, at(2024, 7, 1, 10), "初步情况")
    assert incident.status is IncidentStatus.INITIAL_REPORTED
    incident.report(ReportKind.FOLLOW_UP, at(2024, 7, 1, 15))
    incident.report(ReportKind.FOLLOW_UP, at(2024, 7, 2, 9))
    assert incident.status is IncidentStatus.FOLLOWING_UP
    incident.report(ReportKind.RESULT, at(2024, 7, 10, 9))
    assert incident.status is IncidentStatus.RESULT_REPORTED
    kinds = [e.report_kind for e in incident.events if isinstance(e, IncidentReported)]
    assert kinds == ["初报", "续报", "续报", "处理结果报告"]
    assert [h.action for h in incident.history][1:] == ["初报", "续报", "续报", "处理结果报告"]
    assert incident.history[1].detail == "初步情况"


def test_result_may_follow_the_initial_report_directly(at: Clock) -> None:
    incident = register(at)
    incident.report(ReportKind.INITIAL, at(2024, 7, 1, 10))
    incident.report(ReportKind.RESULT, at(2024, 7, 1, 18))
    assert incident.status is IncidentStatus.RESULT_REPORTED


@pytest.mark.parametrize(
    ("done", "attempt"),
    [
        ([], ReportKind.FOLLOW_UP),
        ([], ReportKind.RESULT),
        ([ReportKind.INITIAL], ReportKind.INITIAL),
        ([ReportKind.INITIAL, ReportKind.RESULT], ReportKind.FOLLOW_UP),
        ([ReportKind.INITIAL, ReportKind.RESULT], ReportKind.RESULT),
        ([ReportKind.INITIAL, ReportKind.FOLLOW_UP], ReportKind.INITIAL),
    ],
)
def test_out_of_order_reports(at: Clock, done: list[ReportKind], attempt: ReportKind) -> None:
    incident = register(at)
    for kind in done:
        incident.report(kind, at(2024, 7, 1, 10))
    with pytest.raises(InvalidTransition) as caught:
        incident.report(attempt, at(2024, 7, 1, 11))
    assert caught.value.action == attempt.value


def test_late_initial_report_is_flagged(at: Clock) -> None:
    incident = register(at, grade=II)
    incident.report(ReportKind.INITIAL, at(2024, 7, 1, 11, 1))
    reported = incident.events[-1]
    assert isinstance(reported, IncidentReported) and reported.late


def test_overdue_once(at: Clock) -> None:
    incident = register(at, grade=III)
    incident.check_report_overdue(at(2024, 7, 1, 13))
    assert not any(isinstance(e, IncidentReportOverdue) for e in incident.events)
    incident.check_report_overdue(at(2024, 7, 1, 13, 1))
    incident.check_report_overdue(at(2024, 7, 1, 14))
    assert sum(isinstance(e, IncidentReportOverdue) for e in incident.events) == 1
    incident.report(ReportKind.INITIAL, at(2024, 7, 1, 15))
    incident.check_report_overdue(at(2024, 7, 1, 16))
    assert sum(isinstance(e, IncidentReportOverdue) for e in incident.events) == 1


def test_cross_boundary_river(at: Clock) -> None:
    incident = register(at, river=" 大溪河 ")
    notices = [e for e in incident.events if isinstance(e, CrossBoundaryNotificationRequired)]
    assert [(n.river, n.neighbour) for n in notices] == [("大溪河", "武隆区")]
    assert incident.neighbours_pending == ("武隆区",)
    with pytest.raises(ValidationError):
        incident.record_neighbour_notified("綦江区", at(2024, 7, 1, 10))
    incident.record_neighbour_notified("武隆区", at(2024, 7, 1, 10))
    assert incident.neighbours_pending == ()
    assert isinstance(incident.events[-1], NeighbourNotified)
    with pytest.raises(InvalidTransition):
        incident.record_neighbour_notified("武隆区", at(2024, 7, 1, 11))


def test_local_river_needs_no_notice(at: Clock) -> None:
    incident = register(at, river="凤咀江")
    assert not any(isinstance(e, CrossBoundaryNotificationRequired) for e in incident.events)
    assert register(at, river="").river is None


def test_river_table_is_configuration(at: Clock) -> None:
    rules = IncidentRules(river_neighbours={"凤咀江": ("巴南区", "綦江区")})
    incident = register(at, river="凤咀江", rules=rules)
    assert incident.neighbours_pending == ("巴南区", "綦江区")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"title": " "},
        {"learned_at": None, "occurred_at": datetime(2024, 7, 1, 8)},
    ],
)
def test_bad_incidents(at: Clock, kwargs: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        register(at, **kwargs)


def test_learning_before_it_happened_is_refused(at: Clock) -> None:
    with pytest.raises(ValidationError):
        register(at, learned_at=at(2024, 7, 1, 7))
    incident = register(at)
    with pytest.raises(ValidationError):
        incident.report(ReportKind.INITIAL, at(2024, 7, 1, 8, 30))


def test_learned_defaults_to_occurred(at: Clock) -> None:
    incident = register(at, learned_at=None)
    assert incident.learned_at == at(2024, 7, 1, 8)


def test_no_grading_after_the_result(at: Clock) -> None:
    incident = register(at)
    incident.report(ReportKind.INITIAL, at(2024, 7, 1, 10))
    incident.report(ReportKind.RESULT, at(2024, 7, 2, 10))
    with pytest.raises(InvalidTransition):
        incident.assign_grade(III, at(2024, 7, 3))


@pytest.mark.parametrize(("lon", "lat"), [("181", "29"), ("107", "-91"), ("x", "1")])
def test_bad_coordinates(lon: str, lat: str) -> None:
    with pytest.raises(ValidationError) as caught:
        GeoPoint.of(lon, lat)
    assert caught.value.field.startswith("location.")
