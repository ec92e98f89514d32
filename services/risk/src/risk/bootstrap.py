"""Builds the risk service: settings → clients → handlers, all inside the lifespan."""

from __future__ import annotations

import asyncio
from pathlib import Path

from fastapi import FastAPI

from qingshan_core.logging import get_logger
from qingshan_core.runtime import Runtime
from qingshan_core.service import build_app
from qingshan_core.settings import ServiceSettings
from qingshan_core.workdays import WorkCalendar
from risk.adapters.stores import Stores, indexes
from risk.config import Settings
from risk.domain.catalogue import CATALOGUE_2025_PLACEHOLDER, catalogue_2021
from risk.domain.catalogue_check import WasteCatalogues
from risk.domain.emergency_plans import PlanRules
from risk.domain.incident_rules import IncidentRules
from risk.domain.licences import LicenceRules
from risk.domain.manifests import ManifestRules
from risk.domain.storage import StorageRules
from risk.entrypoints.grpc_servicer import SERVICE_NAME, RiskRegistryServicer, registrar
from risk.entrypoints.http import incidents, manifests, overview, plans, registry, storage, waste
from risk.entrypoints.http.common import install_error_handlers
from risk.entrypoints.sweeper import sweep_job
from risk.service_layer.catalogue import refresh_catalogues
from risk.service_layer.context import CatalogueHolder, Deps, Rules
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
)
log = get_logger(__name__)


def rules_from(s: Settings) -> Rules:
    """The configurable rules (DOMAIN.md's rules table) from settings."""
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


async def _read(path: Path) -> str:
    return await asyncio.to_thread(path.read_text, "utf-8")


async def wire(runtime: Runtime, app: FastAPI) -> None:
    """Declare this service's indexes, aggregates, consumers and gRPC servicers."""
    s = runtime.settings
    assert isinstance(s, Settings)
    rules = rules_from(s)
    stores = Stores(runtime, rules)
    runtime.indexes.extend(indexes())
    csv_2021 = await _read(
        s.seed_file("hazardous_waste_codes_2021.csv", s.waste_catalogue_2021_csv)
    )
    catalogues = WasteCatalogues([catalogue_2021(csv_2021), CATALOGUE_2025_PLACEHOLDER])
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
        rules=rules,
    )
    await refresh_catalogues(deps)
    if s.seed_on_start:
        result = await seed_registry(
            deps,
            await _read(s.seed_file("soil_key_supervised_enterprises.csv", s.soil_enterprises_csv)),
            await _read(s.seed_file("industrial_park_clusters.csv", s.park_clusters_csv)),
        )
        log.info("seed.done", clusters=result.clusters, enterprises=result.enterprises)
    else:
        deps.park_clusters = tuple(await deps.clusters.all())
    app.state.risk = deps
    runtime.serve_grpc(registrar(RiskRegistryServicer(deps)), SERVICE_NAME)  # all staff
    runtime.every(
        s.sweep_interval_seconds,
        sweep_job(deps, s.sweep_batch),
        "risk-sweep",
        first_delay=s.sweep_interval_seconds,
    )


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    """The risk service's ASGI app (settings are read when it starts, not at import)."""
    app = build_app(
        title="qingshan risk",
        description=DESCRIPTION,
        settings=lambda: settings or Settings(),
        wire=wire,
        routers=ROUTERS,
    )
    install_error_handlers(app)
    return app
