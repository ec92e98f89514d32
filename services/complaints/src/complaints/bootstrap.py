"""Builds the complaints service: settings → clients → handlers, all inside the lifespan."""

from __future__ import annotations

from datetime import timedelta
from fractions import Fraction

from fastapi import FastAPI

from complaints.adapters.audit import AUDIT, AUDIT_INDEXES, PiiAudit
from complaints.adapters.config_store import CalendarStore, PolicyStore
from complaints.adapters.keys import KeyIndex
from complaints.adapters.places import PlaceIndex
from complaints.adapters.repository import COLLECTION, INDEXES, MongoComplaintRepository
from complaints.adapters.units import UNITS, UnitRepository
from complaints.config import Settings
from complaints.domain.monitor import WarningRule
from complaints.entrypoints import grpc_api, platform_steps
from complaints.entrypoints.http import (
    admin,
    complaints,
    metrics,
    open311,
    platform,
    privacy,
    public,
    units,
    worklist,
)
from complaints.service_layer.context import Context, IntakeRules, Retention
from complaints.service_layer.erasure import anonymise_expired
from complaints.service_layer.rates import check_targets
from complaints.service_layer.schedule_repair import repair_schedule
from complaints.service_layer.sweeper import sweep_due
from qingshan_core.batching import SequenceBatcher
from qingshan_core.mongo import IndexSpec
from qingshan_core.runtime import Runtime
from qingshan_core.service import build_app
from qingshan_core.settings import ServiceSettings

DESCRIPTION = (
    "信访投诉 — 12345/12369 complaint intake, assignment (交办), working-day deadlines with 调休, "
    "warnings and 督办, 交办率 and 按时回复率, reporter protection."
)


async def wire(runtime: Runtime, app: FastAPI) -> None:
    """Declare indexes, aggregates, jobs and gRPC; build the use-case context."""
    s = runtime.settings
    assert isinstance(s, Settings)
    runtime.indexes += [
        *INDEXES,
        *AUDIT_INDEXES,
        IndexSpec("complaint_notes", [("complaint_id", 1), ("at", 1)]),
    ]
    policies, calendars = PolicyStore(runtime.db), CalendarStore(runtime.db)
    await policies.load()
    await calendars.load()
    rule = WarningRule(share=Fraction(s.warning_share).limit_denominator(100))
    repo = MongoComplaintRepository(runtime.outbox(COLLECTION), s.keyring(), calendars, rule)
    ctx = Context(
        repo=repo,
        keys=KeyIndex(runtime.db.complaint_keys),
        places=PlaceIndex(runtime.db.complaint_places, repo.coll),
        ops=runtime.outbox("ops_alerts"),
        audit=PiiAudit(runtime.db[AUDIT]),
        notes=runtime.db.complaint_notes,
        counters=SequenceBatcher(runtime.db.counters),
        policies=policies,
        calendars=calendars,
        keyring=s.keyring(),
        units=UnitRepository(runtime.outbox(UNITS)),
        intake=IntakeRules(
            duplicate_window=timedelta(hours=s.duplicate_window_hours),
            hotspot_window=timedelta(hours=s.hotspot_window_hours),
            hotspot_threshold=s.hotspot_threshold,
            address_prefixes=tuple(p for p in s.address_prefixes.split(",") if p),
        ),
        warning_rule=rule,
        rate_target=s.rate_target,
        retention=Retention(
            identity=timedelta(days=s.retention_identity_days),
            content=timedelta(days=s.retention_content_days),
            reveal_audit=timedelta(days=s.retention_reveal_audit_days),
            reveal_daily_threshold=s.reveal_daily_threshold,
        ),
        id_prefix=s.id_prefix,
    )
    repo.clock = lambda: ctx.clock()
    app.state.ctx = ctx

    async def refresh() -> None:
        await policies.load()
        await calendars.load()

    async def sweep() -> None:
        await sweep_due(ctx)

    async def rates() -> None:
        await check_targets(ctx)

    async def repair() -> None:
        await repair_schedule(ctx)

    async def retention() -> None:
        await anonymise_expired(ctx)

    runtime.every(s.sweep_seconds, sweep, "deadline-sweeper")
    runtime.every(s.rates_check_seconds, rates, "rates-below-target")
    runtime.every(s.config_refresh_seconds, refresh, "config-refresh")
    # Not at start: the sweeper's first tick sets its cursor (until then it queries instead).
    runtime.every(s.schedule_repair_seconds, repair, "schedule-repair", s.schedule_repair_seconds)
    # Daily, the first round an hour after start (not with every restart of every replica).
    runtime.every(s.retention_check_seconds, retention, "retention", first_delay=3600)
    grpc_api.register(runtime, ctx)
    app.state.platform_dispatcher = platform_steps.wire(runtime, ctx, s)


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    """The complaints service's ASGI app (settings are read when it starts, not at import)."""
    return build_app(
        title="qingshan complaints",
        description=DESCRIPTION,
        settings=lambda: settings or Settings(),
        wire=wire,
        routers=[
            worklist.router,  # before complaints: /v1/complaints/queues is not a case id
            privacy.router,  # before complaints: /v1/complaints/{id}/erase is not an action
            complaints.router,
            public.router,
            metrics.router,
            admin.router,
            open311.router,
            platform.router,
            units.router,
        ],
        max_body_bytes=64 * 1024,
    )
