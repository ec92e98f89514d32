"""Builds the projects service: settings → clients → handlers, all inside the lifespan."""

from __future__ import annotations

import asyncio
from functools import partial

from fastapi import FastAPI

from projects.adapters import import_log, indicator_repo, subitem_repo
from projects.config import Settings
from projects.domain.progress import ReportingSchedule
from projects.entrypoints import grpc_api
from projects.entrypoints.http import routers
from projects.entrypoints.jobs import dispatch_once
from projects.service_layer.context import Context
from projects.service_layer.seed import SeedFile, SeedRefused, seed
from qingshan_core.logging import get_logger
from qingshan_core.mongo import ensure_indexes
from qingshan_core.runtime import Runtime
from qingshan_core.service import build_app
from qingshan_core.settings import ServiceSettings

DESCRIPTION = (
    "项目储备库 — the rolling project reserve, progress dispatch, roll-ups and the plan indicators"
)
INDEXES = [*subitem_repo.INDEXES, *import_log.INDEXES, *indicator_repo.INDEXES]
log = get_logger(__name__)
UNSEEDED = (
    "seed_on_start is off: the plan's reserve and indicators were not loaded "
    "(the store holds only what was imported) / 未加载规划项目储备库"
)


async def _seed(ctx: Context, settings: Settings) -> None:
    """Load the plan's tables into an empty store; a table that cannot be read or is refused
    stops the start, naming it (ReferenceDataMissing)."""
    tables = {t.name: t for t in (settings.reserve_table, settings.indicators_table)}
    reserve, indicators = [
        SeedFile(t.name, await asyncio.to_thread(t.read_bytes)) for t in tables.values()
    ]
    try:
        result = await seed(ctx, reserve, indicators)
    except SeedRefused as err:
        raise tables[err.name].refused(str(err)) from err
    for reason in result.skipped:
        log.info("seed.skipped", reason=reason)
    if result.reserve is not None:
        log.info("seed.reserve", added=result.reserve.added, rows=result.reserve.rows)
    log.info("seed.indicators", inserted=result.indicators)


def _settings(runtime: Runtime) -> Settings:
    s = runtime.settings
    return s if isinstance(s, Settings) else Settings.model_validate(s.model_dump())


async def wire(runtime: Runtime, app: FastAPI) -> None:
    """Declare this service's indexes, aggregates, gRPC servicer and dispatch job; seed."""
    settings = _settings(runtime)
    app.state.settings = settings
    runtime.indexes.extend(INDEXES)
    subitems = subitem_repo.MongoSubItemRepository(
        runtime.outbox(subitem_repo.COLLECTION), cached=settings.rows_cache_seconds > 0
    )
    ctx = Context(
        subitems=subitems,
        imports=import_log.MongoImportLog(runtime.outbox(import_log.COLLECTION)),
        indicators=indicator_repo.MongoIndicatorRepository(
            runtime.outbox(indicator_repo.COLLECTION)
        ),
        schedule=ReportingSchedule(settings.report_frequency, settings.report_grace_days),
    )
    if settings.seed_on_start:
        # Indexes first (the runtime creates them again at start; creating is idempotent).
        await ensure_indexes(runtime.db, INDEXES)
        await _seed(ctx, settings)
    else:
        runtime.note("seed", UNSEEDED)
        log.warning("seed.off", detail=UNSEEDED)
    # Published once the seed is in: a start refused for its data leaves nothing half-wired.
    app.state.projects = ctx
    runtime.serve_grpc(grpc_api.registrar(ctx), grpc_api.SERVICE_NAME)  # all staff
    # Scheduled jobs of the runtime's (stopped with it; a failed round waits for the next).
    runtime.every(
        settings.dispatch_interval_seconds,
        partial(dispatch_once, ctx),
        "dispatch",
        first_delay=settings.dispatch_first_delay_seconds,
    )
    if subitems.cache is not None:  # the roll-up snapshot: loaded now, then reloaded
        runtime.every(settings.rows_cache_seconds, subitems.cache.refresh, "rows")


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    """The projects service's ASGI app (settings are read when it starts, not at import)."""
    return build_app(
        title="qingshan projects",
        description=DESCRIPTION,
        settings=lambda: settings or Settings(),
        wire=wire,
        routers=routers(),
    )
