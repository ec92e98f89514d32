"""Builds the notify service: settings → clients → handlers, all inside the lifespan."""

from __future__ import annotations

from datetime import timedelta

import httpx
from fastapi import FastAPI

from notify.adapters.clock import SystemClock
from notify.adapters.config_cache import ConfigCache, MongoConfigVersion
from notify.adapters.dead_letters import KafkaDeadLetters
from notify.adapters.deliveries import DELIVERIES, MongoDeliveries, delivery_indexes
from notify.adapters.event_codec import build_catalog
from notify.adapters.gaps import GAPS, MongoGaps
from notify.adapters.repositories import MongoDirectory, MongoRules, MongoTemplates, config_indexes
from notify.adapters.seed import seed_defaults
from notify.adapters.senders import (
    DingTalkRobotSender,
    EmailSender,
    HttpSmsSender,
    WecomRobotSender,
)
from notify.adapters.stores import MongoEvents, MongoResilience, store_indexes
from notify.adapters.templates import JinjaRenderer
from notify.adapters.webhook_targets import WebhookTargets
from notify.config import Settings
from notify.domain.model import Channel, QuietHours
from notify.domain.resilience import RateLimit, RetryPolicy
from notify.entrypoints.consumer import event_handlers
from notify.entrypoints.grpc_api import ALLOWED as GRPC_ROLES
from notify.entrypoints.grpc_api import SERVICE_NAME, NotifyServicer
from notify.entrypoints.http import directory, gaps, messages, rules
from notify.entrypoints.jobs import Jobs
from notify.service_layer.context import NotifyContext, Policies
from notify.service_layer.erasure import erase_expired
from notify.service_layer.ports import Clock, Sender
from qingshan.notify.v1 import notify_service_pb2_grpc as pb_grpc
from qingshan_core import kafka
from qingshan_core.events import dead_letter_topic
from qingshan_core.runtime import ConsumerSpec, Runtime
from qingshan_core.service import Wire, build_app
from qingshan_core.settings import ServiceSettings

DESCRIPTION = "消息通知 — turns events into messages for the right people, once"


def policies(s: Settings) -> Policies:
    unknown = set(s.rate_limits) - {c.value for c in Channel}
    if unknown:
        raise ValueError(f"rate_limits: unknown channels {sorted(unknown)} / 未知渠道")
    return Policies(
        retry=RetryPolicy(
            s.retry_max_attempts,
            s.retry_base_seconds,
            s.retry_factor,
            s.retry_cap_seconds,
            s.retry_jitter,
        ),
        breaker_threshold=s.breaker_threshold,
        breaker_cooldown_seconds=s.breaker_cooldown_seconds,
        rate_limits={ch: RateLimit(n, s.rate_window_seconds) for ch, n in s.rate_limits.items()},
        quiet_hours=QuietHours(s.quiet_start, s.quiet_end, s.timezone),
        tz=s.timezone,
        digest_daily_at=s.digest_daily_at,
        lease=timedelta(seconds=s.send_lease_seconds),
        batch=s.dispatch_batch,
        webhook_require_https=s.https_required,
        webhook_allowed_hosts=tuple(s.webhook_allowed_hosts),
        webhook_refuse_private=s.private_webhooks_refused,
    )


def _senders(s: Settings, client: httpx.AsyncClient) -> dict[str, Sender]:
    targets = WebhookTargets(refuse_private=s.private_webhooks_refused)
    senders: dict[str, Sender] = {
        Channel.EMAIL.value: EmailSender(
            host=s.smtp_host,
            port=s.smtp_port,
            sender=s.smtp_from,
            username=s.smtp_username,
            password=s.smtp_password.get_secret_value(),
            security=s.smtp_security,
            timeout=s.smtp_timeout_seconds,
        ),
        Channel.WECOM.value: WecomRobotSender(client, targets),
        Channel.DINGTALK.value: DingTalkRobotSender(client, targets),
    }
    if s.sms_gateway_url:
        senders[Channel.SMS.value] = HttpSmsSender(
            client, s.sms_gateway_url, s.sms_api_key.get_secret_value(), s.sms_sign, s.sms_max_chars
        )
    return senders


def _wire(clock: Clock) -> Wire:
    async def wire(runtime: Runtime, app: FastAPI) -> None:
        """Declare this service's indexes, aggregates, consumers and gRPC servicers."""
        raw = runtime.settings
        s = raw if isinstance(raw, Settings) else Settings.model_validate(raw.model_dump())
        catalog = build_catalog()
        client = httpx.AsyncClient(timeout=s.webhook_timeout_seconds, follow_redirects=False)
        group = runtime.group_id(s.consumer_name)
        dlt = KafkaDeadLetters(
            dead_letter_topic(group),
            group,
            lambda: kafka.create_producer(
                s.kafka_bootstrap, f"{group}-delivery-dlt", security=s.kafka_security
            ),
        )
        events = MongoEvents(runtime.db, s.timezone)
        resilience = MongoResilience(runtime.db)
        deliveries = MongoDeliveries(runtime.outbox(DELIVERIES))
        # One cache for the configuration read per event (rules, templates, directory).
        config = ConfigCache(
            MongoConfigVersion(runtime.db),
            s.config_cache_seconds,
            max_age_seconds=s.config_cache_max_age_seconds,
        )
        ctx = NotifyContext(
            clock=clock,
            catalog=catalog,
            renderer=JinjaRenderer(),
            directory=MongoDirectory(runtime.db, s.credential_keyring(), config),
            rules=MongoRules(runtime.db, config),
            templates=MongoTemplates(runtime.db, config),
            deliveries=deliveries,
            events=events,
            resilience=resilience,
            senders=_senders(s, client),
            dead_letters=dlt,
            ops=runtime.ops,
            gaps=MongoGaps(runtime.outbox(GAPS)),
            policies=policies(s),
            source=s.source,
        )
        jobs = Jobs(
            ctx,
            dispatch_poll=s.dispatch_poll_seconds,
            events=events,
            resilience=resilience,
            event_retention=timedelta(days=s.event_retention_days),
            work=deliveries.work,
        )
        ctx.wake = jobs.wake
        runtime.every(s.jobs_poll_seconds, jobs.run_periodic_once, "notify-periodic")
        runtime.every(3600, jobs.cleanup, "notify-cleanup")
        keep = timedelta(days=s.retention_deliveries_days)

        async def retention() -> None:
            await erase_expired(ctx, keep)

        runtime.every(s.retention_check_seconds, retention, "notify-retention", first_delay=3600)
        runtime.indexes.extend([*config_indexes(), *delivery_indexes(), *store_indexes()])
        if s.seed_defaults:
            await seed_defaults(runtime.db, catalog, s.credential_keyring(), config)
        runtime.consume(ConsumerSpec(s.consumer_name, s.consume_topics, event_handlers(ctx)))
        servicer = NotifyServicer(ctx)
        runtime.serve_grpc(
            lambda server: pb_grpc.add_NotifyServiceServicer_to_server(servicer, server),  # type: ignore[no-untyped-call]
            SERVICE_NAME,
            GRPC_ROLES,
        )
        # The dispatcher runs as the runtime's task; what it opened closes when the runtime stops.
        runtime.spawn(jobs.dispatch_loop(), "notify-dispatch")
        runtime.on_stop(jobs.stop)  # the fast-path sends still in flight
        runtime.on_stop(dlt.close)
        runtime.on_stop(client.aclose)
        app.state.notify = ctx
        app.state.notify_jobs = jobs

    return wire


def create_app(settings: ServiceSettings | None = None, *, clock: Clock | None = None) -> FastAPI:
    """The notify service's ASGI app (settings are read when it starts, not at import).
    `clock` lets tests decide what time it is (quiet hours, digests, escalation)."""
    app = build_app(
        title="qingshan notify",
        description=DESCRIPTION,
        settings=lambda: settings or Settings(),
        wire=_wire(clock or SystemClock()),
        routers=[directory.router, rules.router, messages.router, gaps.router],
    )
    return app
