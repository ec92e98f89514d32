"""Documents of the registry aggregates: enterprises (risk sources), licences, emergency plans."""

from __future__ import annotations

from datetime import datetime
from types import MappingProxyType
from typing import Any

from risk.adapters.documents import (
    Doc,
    day,
    dec,
    geo,
    history,
    parse_day,
    parse_dec,
    parse_geo,
    req_dt,
    restore_history,
)
from risk.domain.credit_code import CreditCode
from risk.domain.emergency_plans import (
    DEFAULT_PLAN_RULES,
    EmergencyPlan,
    PlanRules,
    PlanStatus,
)
from risk.domain.enterprises import Enterprise
from risk.domain.grading import GradingResult
from risk.domain.grading_label import MediumResult
from risk.domain.grading_types import EClass, MClass, Medium, QClass, RiskLevel
from risk.domain.licences import DEFAULT_LICENCE_RULES, Licence, LicenceKind, LicenceRules
from risk.service_layer.schedule import licence_next_check, plan_next_check


def _code(value: str | None) -> CreditCode | None:
    # Stored codes were validated on the way in; no need to parse them again.
    return None if value is None else CreditCode(value)


def _medium_doc(result: MediumResult) -> Doc:
    return {
        "medium": result.medium.value,
        "level": result.level.value,
        "q": result.q.value,
        "m": result.m.value if result.m else None,
        "e": result.e.value if result.e else None,
    }


def _medium(doc: Doc) -> MediumResult:
    return MediumResult(
        medium=Medium(doc["medium"]),
        level=RiskLevel(doc["level"]),
        q=QClass(doc["q"]),
        m=MClass(doc["m"]) if doc["m"] else None,
        e=EClass(doc["e"]) if doc["e"] else None,
    )


def grading_doc(result: GradingResult) -> Doc:
    """A grading result as a document."""
    return {
        "air": _medium_doc(result.air),
        "water": _medium_doc(result.water),
        "combined": result.combined.value,
        "level": result.level.value,
        "penalised": result.penalised,
        "upgraded": result.upgraded,
        "label": result.label,
        "colour": result.colour,
        "rules_version": result.rules_version,
    }


def _grading(doc: Doc) -> GradingResult:
    return GradingResult(
        air=_medium(doc["air"]),
        water=_medium(doc["water"]),
        combined=RiskLevel(doc["combined"]),
        level=RiskLevel(doc["level"]),
        penalised=doc["penalised"],
        upgraded=doc["upgraded"],
        label=doc["label"],
        colour=doc["colour"],
        rules_version=int(doc.get("rules_version", 0)),
    )


class EnterpriseCodec:
    """Enterprise ⇄ document; `level` and `lat`/`lon` are top-level for filters and the map."""

    kind = ("风险源", "risk source")
    fields = MappingProxyType(
        {
            "level": "level",
            "park_cluster": "park_cluster",
            "list": "lists",
            "credit_code": "credit_code",
            "industry": "industry",
            "name": "name",
        }
    )
    sort = "name"

    def to_doc(self, e: Enterprise) -> Doc:
        """The document of an enterprise (no credit_code key without one: the unique index
        is sparse, and a sparse index still indexes explicit nulls)."""
        code = {"credit_code": e.credit_code.value} if e.credit_code else {}
        return {
            "source_id": e.source_id,
            "name": e.name,
            **code,
            "park_cluster": e.park_cluster,
            "lists": sorted(e.lists),
            "address": e.address,
            "industry": e.industry,
            **geo(e.location),
            "level": e.grading.level.value if e.grading else None,
            "grading": grading_doc(e.grading) if e.grading else None,
            "graded_at": e.graded_at,
            "history": history(e),
        }

    def from_doc(self, doc: Doc) -> Enterprise:
        """The enterprise back from its document."""
        e = Enterprise(
            source_id=doc["source_id"],
            name=doc["name"],
            credit_code=_code(doc.get("credit_code")),
            park_cluster=doc.get("park_cluster"),
            lists=doc.get("lists", []),
            location=parse_geo(doc.get("location")),
            address=doc.get("address"),
            industry=doc.get("industry"),
        )
        if doc.get("grading"):
            e.grading = _grading(doc["grading"])
            e.graded_at = doc.get("graded_at")
        restore_history(e, doc.get("history", []))
        return e

    def next_check(self, e: Enterprise) -> datetime | None:
        """Enterprises have no deadlines of their own."""
        return None


class LicenceCodec:
    """Licence ⇄ document."""

    kind = ("许可证", "licence")
    fields = MappingProxyType({"holder": "holder", "kind": "kind"})
    sort = "number"

    def __init__(self, rules: LicenceRules = DEFAULT_LICENCE_RULES) -> None:
        self.rules = rules

    def to_doc(self, lic: Licence) -> Doc:
        """The document of a licence."""
        return {
            "number": lic.number,
            "holder": lic.holder.value,
            "holder_name": lic.holder_name,
            "kind": lic.kind.value,
            "valid_from": day(lic.valid_from),
            "valid_until": day(lic.valid_until),
            "codes": sorted(lic.codes),
            "categories": sorted(lic.categories),
            "annual_capacity_t": dec(lic.annual_capacity_t),
            "revoked_on": day(lic.revoked_on),
            "warned_expiry": lic.warned_expiry,
            "reported_expired": lic.reported_expired,
            "history": history(lic),
        }

    def from_doc(self, doc: Doc) -> Licence:
        """The licence back from its document."""
        valid_from, valid_until = parse_day(doc["valid_from"]), parse_day(doc["valid_until"])
        assert valid_from is not None and valid_until is not None
        lic = Licence(
            number=doc["number"],
            holder=CreditCode(doc["holder"]),
            holder_name=doc["holder_name"],
            kind=LicenceKind(doc["kind"]),
            valid_from=valid_from,
            valid_until=valid_until,
            codes=frozenset(doc["codes"]),
            categories=frozenset(doc["categories"]),
            annual_capacity_t=parse_dec(doc.get("annual_capacity_t")),
        )
        lic.revoked_on = parse_day(doc.get("revoked_on"))
        lic.warned_expiry = doc.get("warned_expiry", False)
        lic.reported_expired = doc.get("reported_expired", False)
        restore_history(lic, doc.get("history", []))
        return lic

    def next_check(self, lic: Licence) -> datetime | None:
        """Expiry warning, then expiry."""
        return licence_next_check(lic, self.rules)


class PlanCodec:
    """EmergencyPlan ⇄ document."""

    kind = ("应急预案", "emergency plan")
    fields = MappingProxyType({"credit_code": "enterprise", "status": "status"})
    sort = "signed_at"

    def __init__(self, rules: PlanRules = DEFAULT_PLAN_RULES) -> None:
        self.rules = rules

    def to_doc(self, plan: EmergencyPlan) -> Doc:
        """The document of a plan."""
        return {
            "plan_id": plan.plan_id,
            "enterprise": plan.enterprise.value,
            "title": plan.title,
            "signed_at": plan.signed_at,
            "file_by": plan.file_by,
            "status": status_name(plan.status),
            "filing_number": plan.filing_number,
            "filed_at": plan.filed_at,
            "review_by": plan.review_by,
            "last_reviewed_at": plan.last_reviewed_at,
            "notices_sent": sorted(plan.notices_sent),
            "history": history(plan),
        }

    def from_doc(self, doc: Doc) -> EmergencyPlan:
        """The plan back from its document."""
        plan = EmergencyPlan(
            doc["plan_id"],
            CreditCode(doc["enterprise"]),
            doc["title"],
            req_dt(doc["signed_at"]),
            req_dt(doc["file_by"]),
        )
        plan.status = PlanStatus[doc["status"].upper()]
        plan.filing_number = doc.get("filing_number")
        plan.filed_at = doc.get("filed_at")
        plan.review_by = doc.get("review_by")
        plan.last_reviewed_at = doc.get("last_reviewed_at")
        plan.notices_sent = set(doc.get("notices_sent", []))
        restore_history(plan, doc.get("history", []))
        return plan

    def next_check(self, plan: EmergencyPlan) -> datetime | None:
        """Filing or review warnings still to come."""
        return plan_next_check(plan, self.rules)


def status_name(value: Any) -> str:
    """Lower-case enum member name, the form statuses are stored and filtered in."""
    return str(value.name).lower()
