"""Use case: an event arrived — decide who hears about it, how, when, and store the deliveries.

Sending is not done here: deliveries are documents with a next-attempt time that the
dispatcher picks up, so nothing important lives only in memory. Ids are deterministic, so a
redelivered or replayed event finds the deliveries it made the first time.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from notify.domain.delivery import Delivery, delivery_id
from notify.domain.model import OPEN_STATUSES, Channel, Rule, Status, Template
from notify.domain.routing import Addressee, resolve, select_rules
from notify.domain.scheduling import initial_schedule
from notify.service_layer.context import NotifyContext
from notify.service_layer.gaps import record_gaps
from notify.service_layer.ports import IncomingEvent, Outcome
from notify.service_layer.rendering import (
    candidates,
    context_for,
    render_first,
    report_failures,
)

ESCALATION_PREFIX = "【升级督办·第{level}级】"


async def plan_event(ctx: NotifyContext, event: IncomingEvent) -> Outcome:
    """Plan and store every delivery the matching rules call for; each one that is due now is
    handed to the dispatcher as soon as it is stored."""
    rules = select_rules(await ctx.rules.for_event_type(event.type), event.type, event.attrs)
    if not rules:
        return Outcome()
    directory, templates = await asyncio.gather(
        ctx.directory.snapshot(), ctx.templates.for_event_type(event.type)
    )
    outcome = Outcome(rules=[r.id for r in rules])
    seen: set[str] = set()
    stored = asyncio.ensure_future(ctx.events.put(event))  # kept for digests, escalation, DLT
    try:
        for rule in rules:
            res = resolve(rule.targets, rule.channels, directory, event.attrs, rule.unit_attr)
            outcome.unreachable.extend(f"{rule.id}: {u}" for u in res.unreachable)
            if res.gaps:  # a target that reaches nobody: counted, listed, told (never dropped)
                outcome.gaps.extend(await record_gaps(ctx, rule, res.gaps, event))
            await create_deliveries(ctx, event, rule, res.addressees, 0, templates, outcome, seen)
    finally:
        await stored
    return outcome


def _units(event: IncomingEvent, rule: Rule) -> str:
    return "、".join(event.attrs.get(rule.unit_attr, ()))


async def create_deliveries(
    ctx: NotifyContext,
    event: IncomingEvent,
    rule: Rule,
    addressees: Sequence[Addressee],
    level: int,
    templates: Sequence[Template],
    outcome: Outcome,
    seen: set[str],
) -> None:
    """Render, schedule and insert-if-absent one delivery per addressee."""
    now = ctx.clock.now()
    p = ctx.policies
    planned: list[Delivery] = []
    for a in addressees:
        did = delivery_id(event.id, a.key, a.channel, level)
        if did in seen:  # an earlier (more urgent) rule already reaches this person here
            continue
        seen.add(did)
        context = context_for(
            event,
            p,
            recipient={"id": a.recipient_id, "name": a.name, "unit": a.unit},
            rule={"id": rule.id, "name": rule.name, "priority": rule.priority.label},
            channel=a.channel.label,
        )
        rendered = render_first(
            ctx.renderer,
            candidates(templates, event.type, a.channel.value, rule.template_variant),
            context,
        )
        if rendered.problems:
            await report_failures(ctx, rendered, event.type)
        title = rendered.title
        if level:
            title = ESCALATION_PREFIX.format(level=level) + title
        quiet = a.quiet_hours if a.quiet_hours is not None else p.quiet_hours
        sched = initial_schedule(
            now,
            recipient_key=a.key,
            channel=a.channel,
            priority=rule.priority,
            quiet=quiet,
            digest=rule.digest,
            tz=p.tz,
            daily_at=p.digest_daily_at,
        )
        delivery = Delivery(
            id=did,
            event_id=event.id,
            event_type=event.type,
            subject=event.subject,
            rule_id=rule.id,
            recipient=a.key,
            recipient_id=a.recipient_id,
            recipient_name=a.name,
            channel=a.channel,
            address=a.address,
            priority=rule.priority,
            title=title,
            body=rendered.body,
            created_at=now,
            status=sched.status,
            next_attempt_at=sched.at if sched.status in (*OPEN_STATUSES, Status.DIGEST) else None,
            level=level,
            unit=a.unit or _units(event, rule),
            trace_id=event.trace_id,
            hold_reason=sched.reason,
            digest_key=sched.digest_key,
            ack_within_minutes=rule.ack_within_minutes if a.channel is Channel.INBOX else None,
            template_id=rendered.template_id,
            notes="; ".join(rendered.problems)[:500],
        )
        if a.channel is Channel.INBOX and delivery.due(now):
            # Storing the item is the delivery: no second and third write for the inbox.
            delivery.claim(now, p.lease)
            delivery.succeeded(now, "stored in the inbox / 已存入站内信")
        planned.append(delivery)

    async def add(d: Delivery) -> None:
        # Each delivery goes to the dispatcher as soon as it is stored (most urgent first).
        if not await ctx.deliveries.add(d):
            outcome.existing.append(d.id)
            return
        outcome.created.append(d.id)
        if d.due(now):
            outcome.ready.append(d)
            ctx.wake([d])

    planned.sort(key=lambda d: (-d.priority.rank, d.channel is Channel.INBOX))
    await asyncio.gather(*(add(d) for d in planned))
