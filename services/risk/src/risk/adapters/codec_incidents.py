"""Documents of incidents: the facts they are graded by, the grade and the report chain."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from types import MappingProxyType

from risk.adapters.codec_registry import status_name
from risk.adapters.documents import Doc, geo, history, parse_geo, req_dt, restore_history
from risk.domain.incident_grading import (
    BorderReach,
    EcologicalDamage,
    IncidentFacts,
    IntakeLevel,
    SensitiveReceptor,
)
from risk.domain.incident_rules import (
    IncidentGrade,
    IncidentMedium,
    IncidentRules,
    IncidentStatus,
    ReportKind,
)
from risk.domain.incidents import DEFAULT_INCIDENT_RULES, Incident
from risk.service_layer.schedule import incident_next_check


def _grade(raw: str | None) -> IncidentGrade | None:
    return IncidentGrade(raw) if raw else None


def facts_doc(f: IncidentFacts) -> Doc:
    """The facts an incident is graded by."""
    return {
        "deaths": f.deaths,
        "poisoned": f.poisoned,
        "evacuated": f.evacuated,
        "economic_loss_wan": str(f.economic_loss_wan),
        "intake_interrupted": f.intake_interrupted.value if f.intake_interrupted else None,
        "ecological": f.ecological.value if f.ecological else None,
        "border": f.border.value if f.border else None,
        "sensitive": sorted(s.value for s in f.sensitive),
        "drinking_water": f.drinking_water,
        "heavy_metals": f.heavy_metals,
        "mass_incident": f.mass_incident,
    }


def parse_facts(doc: Doc) -> IncidentFacts:
    """Facts back; documents from before they were kept had only the two flags."""
    f = doc.get("facts") or {}
    return IncidentFacts(
        deaths=int(f.get("deaths", 0)),
        poisoned=int(f.get("poisoned", 0)),
        evacuated=int(f.get("evacuated", 0)),
        economic_loss_wan=Decimal(f.get("economic_loss_wan", "0")),
        intake_interrupted=IntakeLevel(f["intake_interrupted"])
        if f.get("intake_interrupted")
        else None,
        ecological=EcologicalDamage(f["ecological"]) if f.get("ecological") else None,
        border=BorderReach(f["border"]) if f.get("border") else None,
        sensitive=frozenset(SensitiveReceptor(s) for s in f.get("sensitive", ())),
        drinking_water=bool(f.get("drinking_water", doc.get("drinking_water", False))),
        heavy_metals=bool(f.get("heavy_metals", doc.get("heavy_metals", False))),
        mass_incident=bool(f.get("mass_incident", False)),
    )


class IncidentCodec:
    """Incident ⇄ document; `open` and `lat`/`lon` serve the map."""

    kind = ("突发环境事件", "incident")
    fields = MappingProxyType(
        {"status": "status", "open": "open", "grade": "grade", "river": "river"}
    )
    sort = "learned_at"

    def __init__(self, rules: IncidentRules = DEFAULT_INCIDENT_RULES) -> None:
        self.rules = rules

    def to_doc(self, i: Incident) -> Doc:
        """The document of an incident."""
        return {
            "incident_id": i.incident_id,
            "title": i.title,
            "occurred_at": i.occurred_at,
            "learned_at": i.learned_at,
            "grade": i.grade.value if i.grade else None,
            "typed_grade": i.typed_grade.value if i.typed_grade else None,
            "grade_reason": i.grade_reason,
            "graded": i.graded,
            "facts": facts_doc(i.facts),
            "facts_grade": i.facts_grade.value,
            "criteria": list(i.criteria),
            "grading_version": i.grading_version,
            "media": sorted(m.value for m in i.media),
            **geo(i.location),
            "river": i.river,
            "drinking_water": i.drinking_water,
            "heavy_metals": i.heavy_metals,
            "status": status_name(i.status),
            "open": i.status is not IncidentStatus.RESULT_REPORTED,
            "reports": [{"kind": k.value, "at": at} for k, at in i.reports],
            "overdue_reported": i.overdue_reported,
            "neighbours_to_notify": list(i.neighbours_to_notify),
            "neighbours_notified": [
                {"neighbour": n, "at": at} for n, at in i.neighbours_notified.items()
            ],
            "history": history(i),
        }

    def from_doc(self, doc: Doc) -> Incident:
        """The incident back from its document."""
        i = Incident(
            incident_id=doc["incident_id"],
            title=doc["title"],
            occurred_at=req_dt(doc["occurred_at"]),
            learned_at=req_dt(doc["learned_at"]),
            grade=_grade(doc.get("typed_grade", doc.get("grade"))),
            media=frozenset(IncidentMedium(m) for m in doc.get("media", [])),
            location=parse_geo(doc.get("location")),
            river=doc.get("river"),
            rules=self.rules,
            facts=parse_facts(doc),
        )
        # As graded then (the rules may have changed since; new facts grade again).
        i.facts_grade = _grade(doc.get("facts_grade")) or IncidentGrade.IV
        i.criteria = tuple(doc.get("criteria", ()))
        i.grading_version = int(doc.get("grading_version", 0))
        i.grade_reason = doc.get("grade_reason")
        i.graded = doc.get("graded", False)
        i.status = IncidentStatus[doc["status"].upper()]
        i.reports = [(ReportKind(r["kind"]), req_dt(r["at"])) for r in doc.get("reports", [])]
        i.overdue_reported = doc.get("overdue_reported", False)
        # Keep who had to be told when it was registered, even if the river table changed.
        i.neighbours_to_notify = tuple(doc.get("neighbours_to_notify", []))
        i.neighbours_notified = {
            n["neighbour"]: req_dt(n["at"]) for n in doc.get("neighbours_notified", [])
        }
        restore_history(i, doc.get("history", []))
        return i

    def next_check(self, i: Incident) -> datetime | None:
        """The 初报 deadline while unreported."""
        return incident_next_check(i)
