"""Everything a use case needs, built once by bootstrap: stores, rules, calendar, clock."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from risk.domain.catalogue_check import WasteCatalogues
from risk.domain.clock import WorkingDayDeadline
from risk.domain.emergency_plans import DEFAULT_PLAN_RULES, EmergencyPlan, PlanRules
from risk.domain.enterprises import Enterprise
from risk.domain.grading import DEFAULT_RULES
from risk.domain.grading_rules import GradingRules
from risk.domain.incident_grading import DEFAULT_INCIDENT_GRADING, IncidentGradingRules
from risk.domain.incident_rules import IncidentRules
from risk.domain.incidents import DEFAULT_INCIDENT_RULES, Incident
from risk.domain.licences import DEFAULT_LICENCE_RULES, Licence, LicenceRules
from risk.domain.manifests import DEFAULT_MANIFEST_RULES, Manifest, ManifestRules
from risk.domain.seeds import ParkCluster
from risk.domain.storage import DEFAULT_STORAGE_RULES, StorageLedger, StorageRules
from risk.service_layer.ports import CatalogueStore, OpsAlerts, RefusalLog, RuleStore, Store


class ManifestStore(Store[Manifest], Protocol):
    """Manifests, plus the period query the indicators need."""

    async def shipped_between(self, start: datetime, end: datetime) -> list[Manifest]:
        """Manifests shipped in [start, end) (indexed on shipped_at)."""
        ...


class ClusterStore(Protocol):
    """The industrial park clusters (reference data, seeded)."""

    async def insert_if_absent(self, cluster: ParkCluster) -> bool:
        """Insert under a deterministic id; False when it was there already."""
        ...

    async def all(self) -> Sequence[ParkCluster]:
        """Every cluster."""
        ...


@dataclass(frozen=True)
class Rules:
    """Every rule set, as configured."""

    grading: GradingRules = DEFAULT_RULES
    licences: LicenceRules = DEFAULT_LICENCE_RULES
    manifests: ManifestRules = DEFAULT_MANIFEST_RULES
    storage: StorageRules = DEFAULT_STORAGE_RULES
    plans: PlanRules = DEFAULT_PLAN_RULES
    incidents: IncidentRules = DEFAULT_INCIDENT_RULES
    # Versioned configuration documents (admins change them; service_layer/rule_config).
    incident_grading: IncidentGradingRules = DEFAULT_INCIDENT_GRADING


class CatalogueHolder:
    """The catalogue versions in force in this process (replaced when a version is loaded)."""

    def __init__(self, catalogues: WasteCatalogues) -> None:
        self.current = catalogues


def utc_now() -> datetime:
    """The real clock."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class PublicMap:
    """The risk map's public layer: off unless the bureau enables it; when on, graded sources
    and open incidents counted per grid cell of `cell_degrees`, at the cell's centre, with
    no names, credit codes, ids or exact positions."""

    enabled: bool = False
    cell_degrees: float = 0.05  # about 5 km in Nanchuan


@dataclass
class Deps:
    """Ports and configuration handed to every use case."""

    enterprises: Store[Enterprise]
    licences: Store[Licence]
    plans: Store[EmergencyPlan]
    manifests: ManifestStore
    ledgers: Store[StorageLedger]
    incidents: Store[Incident]
    refusals: RefusalLog
    catalogue_store: CatalogueStore
    clusters: ClusterStore
    catalogues: CatalogueHolder
    deadline: WorkingDayDeadline
    rule_store: RuleStore
    ops_alerts: OpsAlerts
    rules: Rules = field(default_factory=Rules)
    clock: Callable[[], datetime] = utc_now
    park_clusters: tuple[ParkCluster, ...] = ()
    public_map: PublicMap = field(default_factory=PublicMap)
    # The years the working-day calendar had to guess (Monday–Friday) so far in this process.
    stale_years: Callable[[], frozenset[int]] = frozenset
    raised_alerts: set[str] = field(default_factory=set)
