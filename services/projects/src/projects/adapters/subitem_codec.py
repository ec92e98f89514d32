"""SubItem aggregate ↔ one document: current row, revisions, history, adjustments, dispatch."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from projects.adapters.row_codec import (
    Doc,
    funding_from_doc,
    funding_to_doc,
    money,
    query_fields,
    row_from_doc,
    row_to_doc,
    years_from_doc,
    years_to_doc,
)
from projects.domain.adjustments import Adjustment, AdjustmentKind, AdjustmentStatus, Changes
from projects.domain.evaluation import Evaluation, Grade, IndicatorResult
from projects.domain.events import FieldChange
from projects.domain.progress import Frequency, ProgressReport, ReportingSchedule
from projects.domain.stages import Stage
from projects.domain.subitem import SubItem
from projects.domain.subitem_base import HistoryEntry


def _changes_to_doc(c: Changes) -> Doc:
    return {
        "content": c.content,
        "investment_wan": None if c.investment_wan is None else money(c.investment_wan),
        "years": years_to_doc(c.years),
        "location": c.location,
        "funding": funding_to_doc(c.funding),
    }


def _changes_from_doc(d: Doc) -> Changes:
    return Changes(
        content=d.get("content"),
        investment_wan=None if d.get("investment_wan") is None else Decimal(d["investment_wan"]),
        years=years_from_doc(d.get("years")),
        location=d.get("location"),
        funding=funding_from_doc(d.get("funding")),
    )


def _field_changes(changes: tuple[FieldChange, ...]) -> list[Doc]:
    return [{"attr": c.attr, "before": c.before, "after": c.after} for c in changes]


def _adjustment_to_doc(a: Adjustment) -> Doc:
    return {
        "id": a.id,
        "kind": a.kind.value,
        "after": _changes_to_doc(a.after),
        "before": _changes_to_doc(a.before),
        "reason": a.reason,
        "requested_by": a.requested_by,
        "requested_at": a.requested_at,
        "status": a.status.value,
        "decided_by": a.decided_by,
        "decided_at": a.decided_at,
        "decision_note": a.decision_note,
    }


def _adjustment_from_doc(d: Doc) -> Adjustment:
    return Adjustment(
        id=d["id"],
        kind=AdjustmentKind(d["kind"]),
        after=_changes_from_doc(d["after"]),
        before=_changes_from_doc(d["before"]),
        reason=d["reason"],
        requested_by=d["requested_by"],
        requested_at=d["requested_at"],
        status=AdjustmentStatus(d["status"]),
        decided_by=d.get("decided_by"),
        decided_at=d.get("decided_at"),
        decision_note=d.get("decision_note", ""),
    )


def _report_to_doc(r: ProgressReport) -> Doc:
    return {
        "period": r.period,
        "percent_complete": money(r.percent_complete),
        "invested_to_date_wan": money(r.invested_to_date_wan),
        "note": r.note,
        "by": r.by,
        "at": r.at,
        "late": r.late,
    }


def _report_from_doc(d: Doc) -> ProgressReport:
    return ProgressReport(
        d["period"],
        Decimal(d["percent_complete"]),
        Decimal(d["invested_to_date_wan"]),
        d["note"],
        d["by"],
        d["at"],
        bool(d["late"]),
    )


def _evaluation_to_doc(e: Evaluation) -> Doc:
    results = [
        {"name": r.name, "target": r.target, "actual": r.actual, "met": r.met}
        for r in e.indicator_results
    ]
    return {
        "year": e.year,
        "score": money(e.score),
        "grade": e.grade.value,
        "indicator_results": results,
        "note": e.note,
        "by": e.by,
        "at": e.at,
    }


def _evaluation_from_doc(d: Doc) -> Evaluation:
    results = tuple(
        IndicatorResult(r["name"], r["target"], r["actual"], bool(r["met"]))
        for r in d["indicator_results"]
    )
    return Evaluation(
        int(d["year"]), Decimal(d["score"]), Grade(d["grade"]), results, d["note"], d["by"], d["at"]
    )


def _history_to_doc(h: HistoryEntry) -> Doc:
    return {
        "at": h.at,
        "by": h.by,
        "action": h.action,
        "summary": h.summary,
        "changes": _field_changes(h.changes),
    }


def _history_from_doc(d: Doc) -> HistoryEntry:
    changes = tuple(FieldChange(c["attr"], c["before"], c["after"]) for c in d["changes"])
    return HistoryEntry(d["at"], d["by"], d["action"], d["summary"], changes)


def watches_dispatch(item: SubItem) -> bool:
    """Whether the periodic dispatch check has anything to look at on this item."""
    in_implementation = any(s is Stage.IMPLEMENTATION for s, _ in item.stage_log)
    return item.row.in_reserve and (in_implementation or bool(item.milestones))


def item_to_doc(item: SubItem) -> Doc:
    """The aggregate's whole state, plus top-level query fields."""
    return {
        **query_fields(item.row),
        "row": row_to_doc(item.row),
        "schedule": {
            "frequency": item.schedule.frequency.value,
            "grace_days": item.schedule.grace_days,
        },
        "revisions": [{"at": at, "row": row_to_doc(r)} for at, r in item.revisions],
        "history": [_history_to_doc(h) for h in item.history],
        "stage_log": [{"stage": s.value, "on": d.isoformat()} for s, d in item.stage_log],
        "adjustments": [_adjustment_to_doc(a) for a in item.adjustments],
        "reports": [_report_to_doc(r) for r in item.reports.values()],
        "milestones": [
            {"stage": s.value, "due": d.isoformat()} for s, d in item.milestones.items()
        ],
        "evaluations": [_evaluation_to_doc(e) for e in item.evaluations.values()],
        "flagged": sorted(item.flagged),
        "dispatch_watch": watches_dispatch(item),
        "pending_adjustments": sum(a.status is AdjustmentStatus.PENDING for a in item.adjustments),
    }


def item_from_doc(doc: Doc) -> SubItem:
    """Rebuild the aggregate exactly as it was saved (no events pending)."""
    revisions = [(r["at"], row_from_doc(r["row"])) for r in doc["revisions"]]
    sched = doc["schedule"]
    schedule = ReportingSchedule(Frequency(sched["frequency"]), int(sched["grace_days"]))
    item = SubItem(revisions[0][1], recorded_at=revisions[0][0], schedule=schedule)
    item.row = row_from_doc(doc["row"])
    item.revisions = revisions
    item.history = [_history_from_doc(h) for h in doc["history"]]
    item.stage_log = [(Stage(e["stage"]), date.fromisoformat(e["on"])) for e in doc["stage_log"]]
    item.adjustments = [_adjustment_from_doc(a) for a in doc["adjustments"]]
    item.reports = {r["period"]: _report_from_doc(r) for r in doc["reports"]}
    item.milestones = {Stage(m["stage"]): date.fromisoformat(m["due"]) for m in doc["milestones"]}
    item.evaluations = {int(e["year"]): _evaluation_from_doc(e) for e in doc["evaluations"]}
    item.flagged = set(doc["flagged"])
    return item
