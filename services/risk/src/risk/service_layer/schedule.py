"""When each aggregate next needs a deadline check: stored (indexed) as `next_check_at`, so a
sweep reads only what is due instead of scanning everything. None means nothing is pending.

Each function mirrors the once-only flags of its aggregate's check method: after the check
has recorded its event the time moves on (or to None), so a second sweep finds nothing.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from risk.domain.clock import CHINA_TZ
from risk.domain.emergency_plans import DEFAULT_PLAN_RULES, EmergencyPlan, PlanRules, PlanStatus
from risk.domain.incident_rules import IncidentStatus
from risk.domain.incidents import Incident
from risk.domain.licences import DEFAULT_LICENCE_RULES, Licence, LicenceRules
from risk.domain.manifests import Manifest, ManifestStatus
from risk.domain.storage import DEFAULT_STORAGE_RULES, HolderKind, StorageLedger, StorageRules

# The checks fire strictly after a deadline; a sweep at the exact instant finds nothing and
# the time stays, so the next sweep catches it.


def manifest_next_check(manifest: Manifest) -> datetime | None:
    """The confirmation deadline while shipped and not yet reported overdue."""
    if manifest.status is ManifestStatus.SHIPPED and not manifest.overdue_reported:
        return manifest.confirm_by
    return None


def incident_next_check(incident: Incident) -> datetime | None:
    """The 初报 deadline while no initial report has been filed."""
    if incident.status is IncidentStatus.REGISTERED and not incident.overdue_reported:
        return incident.report_by
    return None


def licence_next_check(
    licence: Licence, rules: LicenceRules = DEFAULT_LICENCE_RULES
) -> datetime | None:
    """Start of the warning window, then the first day after the last valid day (Beijing)."""
    if licence.revoked_on is not None or licence.reported_expired:
        return None
    expiry = datetime.combine(licence.valid_until + timedelta(days=1), time(), tzinfo=CHINA_TZ)
    if licence.warned_expiry:
        return expiry
    warn_day = licence.valid_until - timedelta(days=rules.expiry_warning_days)
    return datetime.combine(warn_day, time(), tzinfo=CHINA_TZ)


def plan_next_check(plan: EmergencyPlan, rules: PlanRules = DEFAULT_PLAN_RULES) -> datetime | None:
    """The next due-soon or overdue moment the plan has not yet been warned about."""
    if plan.status is PlanStatus.PENDING_FILING:
        due, warning, key = plan.file_by, rules.filing_warning, "filing"
    elif plan.status is PlanStatus.FILED and plan.review_by is not None:
        due, warning, key = plan.review_by, rules.review_warning, "review"
    else:
        return None
    if f"{key}_overdue" in plan.notices_sent:
        return None
    if f"{key}_due_soon" in plan.notices_sent:
        return due
    return due - warning


def ledger_next_check(
    ledger: StorageLedger, rules: StorageRules = DEFAULT_STORAGE_RULES
) -> datetime | None:
    """The earliest unreported lot limit or medical-collection deadline."""
    times: list[datetime] = []
    for lot in ledger.lots:
        due = ledger.due_by(lot, rules)
        if due is not None and not lot.limit_reported:
            times.append(due)
    medical = [lot.stored_at for lot in ledger.lots if lot.code.is_medical]
    if (
        medical
        and ledger.kind is not HolderKind.LICENSED_BUSINESS
        and not ledger.collection_overdue_reported
    ):
        oldest = min(medical)
        last = ledger.last_medical_collection
        since = oldest if last is None else max(last, oldest)
        times.append(since + rules.medical_collection_interval)
    return min(times, default=None)
