"""Kafka entrypoint: one handler for every event type of the contracts (the shared consumer
runner commits after it returns, retries it, and dead-letters what cannot be parsed)."""

from __future__ import annotations

from google.protobuf.message import Message

from notify.adapters.event_codec import to_incoming
from notify.service_layer.context import NotifyContext
from notify.service_layer.erasure import ERASURE_EVENT, erase_subject
from notify.service_layer.planning import plan_event
from notify.service_layer.units import UNIT_EVENT_TYPES, apply_unit_event
from qingshan_core.consumer import Handler
from qingshan_core.events import Envelope
from qingshan_core.logging import get_logger

log = get_logger(__name__)


def event_handlers(ctx: NotifyContext) -> dict[str, Handler]:
    async def on_event(env: Envelope, message: Message) -> None:
        """Plan the deliveries an event calls for; the dispatcher sends them."""
        event = to_incoming(env, message, ctx.policies.tz)
        if event.type == ERASURE_EVENT:
            # complaints erased a reporter's data: what notify rendered from the case goes too.
            await erase_subject(ctx, str(event.data.get("complaint_id") or event.subject))
        if event.type in UNIT_EVENT_TYPES:
            # complaints' unit registry changed: first the directory, then any rule on it.
            changed = await apply_unit_event(ctx, event)
            log.info("notify.unit_applied", unit_id=event.subject, type=env.type, changed=changed)
        outcome = await plan_event(ctx, event)
        if outcome.rules:
            log.info(
                "notify.planned",
                event_id=env.id,
                type=env.type,
                rules=outcome.rules,
                created=len(outcome.created),
                existing=len(outcome.existing),
                unreachable=outcome.unreachable[:20],
            )

    return {t.name: on_event for t in ctx.catalog.routable()}
