"""Builds the Mongo-backed ports for the service layer from the runtime's outbox collections,
and declares the indexes they rely on."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pymongo import ASCENDING
from pymongo.errors import DuplicateKeyError

from qingshan.risk.v1 import events_pb2 as pb
from qingshan_core.mongo import IndexSpec
from qingshan_core.runtime import Runtime
from risk.adapters.codec_flows import LedgerCodec, ManifestCodec
from risk.adapters.codec_incidents import IncidentCodec
from risk.adapters.codec_registry import EnterpriseCodec, LicenceCodec, PlanCodec
from risk.adapters.mongo_records import MongoCatalogueStore, MongoOpsAlerts, MongoRefusalLog
from risk.adapters.mongo_store import NEXT, MongoStore
from risk.adapters.rule_store import COLLECTION as RULES_COLLECTION
from risk.adapters.rule_store import MongoRuleStore
from risk.domain.enterprises import Enterprise
from risk.domain.events import Event, IncidentRegistered, RiskGraded
from risk.domain.grading_label import MediumResult
from risk.domain.incidents import Incident
from risk.domain.manifests import Manifest
from risk.domain.seeds import ParkCluster, ParkRiskLevel
from risk.service_layer.context import Rules

AGGREGATES = ("enterprises", "licences", "plans", "manifests", "ledgers", "incidents")


def indexes() -> list[IndexSpec]:
    """Indexes: the sweeps' next_check_at on every aggregate, and the query fields."""
    specs = [IndexSpec(c, [(NEXT, ASCENDING)], sparse=True) for c in AGGREGATES]
    return [
        *specs,
        IndexSpec("enterprises", [("credit_code", ASCENDING)], unique=True, sparse=True),
        IndexSpec("enterprises", [("level", ASCENDING), ("park_cluster", ASCENDING)]),
        IndexSpec("enterprises", [("lat", ASCENDING), ("lon", ASCENDING)]),
        IndexSpec("licences", [("holder", ASCENDING)]),
        IndexSpec("plans", [("enterprise", ASCENDING)]),
        IndexSpec("manifests", [("shipped_at", ASCENDING)]),
        IndexSpec("manifests", [("status", ASCENDING), ("vehicle_plate", ASCENDING)]),
        IndexSpec("incidents", [("open", ASCENDING), ("lat", ASCENDING), ("lon", ASCENDING)]),
        IndexSpec("manifest_refusals", [("manifest_number", ASCENDING)]),
    ]


def _medium(result: MediumResult) -> pb.MediumGrade:
    return pb.MediumGrade(
        medium=result.medium.value,
        level=result.level.value,
        q_class=result.q.value,
        m_class=result.m.value if result.m else "",
        e_class=result.e.value if result.e else "",
    )


def enterprise_context(e: Enterprise, event: Event) -> dict[str, Any] | None:
    """RiskSourceGraded carries both media and the colour, which the domain event lacks."""
    if isinstance(event, RiskGraded) and e.grading is not None:
        return {
            "air": _medium(e.grading.air),
            "water": _medium(e.grading.water),
            "colour": e.grading.colour,
        }
    return None


def incident_context(i: Incident, event: Event) -> dict[str, Any] | None:
    """IncidentRegistered carries what notify needs to route it (media, river, flags, place)."""
    if not isinstance(event, IncidentRegistered):
        return None
    return {
        "media": sorted(m.value for m in i.media),
        "river": i.river or "",
        "drinking_water": i.drinking_water,
        "heavy_metals": i.heavy_metals,
        "lon": str(i.location.lon) if i.location else "",
        "lat": str(i.location.lat) if i.location else "",
    }


class MongoManifestStore(MongoStore[Manifest]):
    """Manifests plus the period query of the indicators."""

    async def shipped_between(self, start: datetime, end: datetime) -> list[Manifest]:
        """Manifests shipped in [start, end)."""
        return await self.find_docs({"shipped_at": {"$gte": start, "$lt": end}})


class MongoClusterStore:
    """Park clusters in a plain collection, keyed by name."""

    def __init__(self, runtime: Runtime) -> None:
        self.collection = runtime.db["park_clusters"]

    async def insert_if_absent(self, cluster: ParkCluster) -> bool:
        """Insert under the cluster's name; False when it was there already."""
        try:
            await self.collection.insert_one(
                {
                    "_id": cluster.name,
                    "main_industries": list(cluster.main_industries),
                    "risk_level": cluster.risk_level.value,
                }
            )
        except DuplicateKeyError:
            return False
        return True

    async def all(self) -> Sequence[ParkCluster]:
        """Every cluster, by name."""
        cursor = self.collection.find({}).sort("_id", ASCENDING)
        return [
            ParkCluster(d["_id"], tuple(d["main_industries"]), ParkRiskLevel(d["risk_level"]))
            async for d in cursor
        ]


class Stores:
    """All ports, built from the runtime (declares the outbox collections on it)."""

    def __init__(self, runtime: Runtime, rules: Rules) -> None:
        source = runtime.settings.source
        self.enterprises = MongoStore(
            runtime.outbox("enterprises"), EnterpriseCodec(), source, enterprise_context
        )
        self.licences = MongoStore(runtime.outbox("licences"), LicenceCodec(rules.licences), source)
        self.plans = MongoStore(runtime.outbox("plans"), PlanCodec(rules.plans), source)
        self.manifests = MongoManifestStore(runtime.outbox("manifests"), ManifestCodec(), source)
        self.ledgers = MongoStore(runtime.outbox("ledgers"), LedgerCodec(rules.storage), source)
        self.incidents = MongoStore(
            runtime.outbox("incidents"), IncidentCodec(rules.incidents), source, incident_context
        )
        self.refusals = MongoRefusalLog(runtime.outbox("manifest_refusals"), source)
        self.catalogues = MongoCatalogueStore(runtime.outbox("catalogues"), source)
        self.clusters = MongoClusterStore(runtime)
        self.rules = MongoRuleStore(runtime.outbox(RULES_COLLECTION), source)
        self.ops_alerts = MongoOpsAlerts(runtime.outbox("ops_alerts"), source)
