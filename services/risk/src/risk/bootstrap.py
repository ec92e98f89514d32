"""Builds the risk service: settings → clients → handlers, all inside the lifespan."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

from fastapi import FastAPI

from qingshan_core.logging import get_logger
from qingshan_core.reference import ReferenceTable
from qingshan_core.runtime import Runtime
from qingshan_core.service import build_app
from qingshan_core.settings import ServiceSettings
from qingshan_core.workdays import WorkCalendar
from risk.adapters.stores import Stores, indexes
from risk.config import PARK_CLUSTERS, SOIL_ENTERPRISES, WASTE_CATALOGUE_2021, Settings
from risk.domain.catalogue import CATALOGUE_2025_PLACEHOLDER, catalogue_2021
from risk.domain.catalogue_check import WasteCatalogues
from risk.domain.emergency_plans import PlanRules
from risk.domain.errors import ValidationError
from risk.domain.incident_rules import IncidentRules
from risk.domain.licences import LicenceRules
from risk.domain.manifests import ManifestRules
from risk.domain.seeds import parse_park_clusters, parse_soil_key_enterprises
from risk.domain.storage import StorageRules
from risk.entrypoints.grpc_servicer import SERVICE_NAME, RiskRegistryServicer, registrar
from risk.entrypoints.http import (
    incidents,
    manifests,
    overview,
    plans,
    registry,
    rules_admin,
    storage,
    waste,
)
from risk.entrypoints.http.common import READ_ROLES
from risk.entrypoints.sweeper import sweep_job
from risk.service_layer.catalogue import refresh_catalogues
from risk.service_layer.context import CatalogueHolder, Deps, PublicMap, Rules
from risk.service_layer.rule_config import refresh_rule_configs
from risk.service_layer.seeding import seed_registry

DESCRIPTION = (
    "环境风险源与危险废物 — risk sources, emergency plans, waste catalogue, licences, "
    "manifests, incidents"
)
ROUTERS = (
    registry.router,
    waste.router,
    manifests.router,
    storage.router,
    incidents.router,
    plans.router,
    overview.router,
    rules_admin.router,
)
log = get_logger(__name__)
T = TypeVar("T")
UNSEEDED = (
    "seed_on_start is off: the soil key enterprises and park clusters were not seeded "
    "(the registry holds only what is stored) / 未加载种子数据"
)


def rules_from(s: Settings) -> Rules:
    """The configurable rules (docs/deadlines.md) from settings."""
    return Rules(
        licences=LicenceRules(expiry_warning_days=s.licence_expiry_warning_days),
        manifests=ManifestRules(confirm_working_days=s.manifest_confirm_working_days),
        storage=StorageRules(producer_limit_years=s.producer_storage_limit_years),
        plans=PlanRules(
            filing_working_days=s.plan_filing_working_days, review_years=s.plan_review_years
        ),
        incidents=IncidentRules(
            river_neighbours={k: tuple(v) for k, v in s.river_neighbours.items()}
        ),
    )


async def _load(table: ReferenceTable, parse: Callable[[str], T]) -> T:
    """A reference table, parsed; a missing or unusable table stops the start, naming it."""
    text = await asyncio.to_thread(table.read_text)
    try:
        return parse(text)
    except ValidationError as exc:
        raise table.refused(str(exc)) from exc


async def wire(runtime: Runtime, app: FastAPI) -> None:
    """Declare this service's indexes, aggregates, consumers and gRPC servicers."""
    s = runtime.settings
    assert isinstance(s, Settings)
    rules = rules_from(s)
    stores = Stores(runtime, rules)
    runtime.indexes.extend(indexes())
    list_2021 = await _load(s.reference(WASTE_CATALOGUE_2021), catalogue_2021)
    catalogues = WasteCatalogues([list_2021, CATALOGUE_2025_PLACEHOLDER])
    calendar = WorkCalendar()
    deps = Deps(
        enterprises=stores.enterprises,
        licences=stores.licences,
        plans=stores.plans,
        manifests=stores.manifests,
        ledgers=stores.ledgers,
        incidents=stores.incidents,
        refusals=stores.refusals,
        catalogue_store=stores.catalogues,
        clusters=stores.clusters,
        catalogues=CatalogueHolder(catalogues),
        deadline=calendar.add_workdays,
        rule_store=stores.rules,
        ops_alerts=stores.ops_alerts,
        rules=rules,
        public_map=PublicMap(s.public_map_enabled, s.public_map_cell_degrees),
        stale_years=lambda: calendar.stale_years,
    )
    await refresh_catalogues(deps)
    await refresh_rule_configs(deps)
    if s.seed_on_start:
        soil = await _load(s.reference(SOIL_ENTERPRISES), parse_soil_key_enterprises)
        clusters = await _load(s.reference(PARK_CLUSTERS), parse_park_clusters)
        result = await seed_registry(deps, soil, clusters)
        log.info("seed.done", clusters=result.clusters, enterprises=result.enterprises)
    else:
        deps.park_clusters = tuple(await deps.clusters.all())
        runtime.note("seed", UNSEEDED)
        log.warning("seed.off", detail=UNSEEDED)
    app.state.risk = deps
    runtime.serve_grpc(registrar(RiskRegistryServicer(deps)), SERVICE_NAME, READ_ROLES)
    runtime.every(
        s.rules_refresh_seconds,
        lambda: refresh_rule_configs(deps),
        "risk-rules-refresh",
        first_delay=s.rules_refresh_seconds,
    )
    runtime.every(
        s.sweep_interval_seconds,
        sweep_job(deps, s.sweep_batch),
        "risk-sweep",
        first_delay=s.sweep_interval_seconds,
    )


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    """The risk service's ASGI app (settings are read when it starts, not at import)."""
    return build_app(
        title="qingshan risk",
        description=DESCRIPTION,
        settings=lambda: settings or Settings(),
        wire=wire,
        routers=ROUTERS,
    )
