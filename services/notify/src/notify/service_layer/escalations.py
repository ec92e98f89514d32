"""Use case: notices that needed acknowledgement and got none in time go up the chain."""

from __future__ import annotations

from collections import defaultdict

from notify.domain.delivery import Delivery, NoticeEscalated
from notify.domain.escalation import decide
from notify.domain.model import Channel
from notify.domain.routing import resolve
from notify.service_layer.context import NotifyContext
from notify.service_layer.gaps import record_gaps
from notify.service_layer.planning import create_deliveries
from notify.service_layer.ports import Outcome


async def run_escalations(ctx: NotifyContext) -> int:
    """Escalate (or close, when someone else acknowledged) every overdue notice; returns how
    many notices were escalated."""
    now = ctx.clock.now()
    notices: dict[str, list[Delivery]] = defaultdict(list)
    for d in await ctx.deliveries.ack_overdue(now, 200):
        notices[d.notice].append(d)
    escalated = 0
    for key in notices:
        if await _escalate(ctx, key):
            escalated += 1
    if escalated:
        ctx.wake(())
    return escalated


async def _escalate(ctx: NotifyContext, key: str) -> bool:
    now = ctx.clock.now()
    members = await ctx.deliveries.by_notice(key)
    inbox = [d for d in members if d.channel is Channel.INBOX]
    if not inbox:
        return False
    first = inbox[0]
    rule = await ctx.rules.get(first.rule_id)
    if rule is None:  # the rule was deleted meanwhile: stop waiting
        for d in inbox:
            d.cover()
            await ctx.deliveries.save(d)
        return False
    decision = decide(rule, inbox, now)
    if decision is None:
        return False
    by_id = {d.id: d for d in inbox}
    for did in decision.cover:
        by_id[did].cover()
        await ctx.deliveries.save(by_id[did])
    if not decision.escalate:
        return False
    recipients: tuple[str, ...] = ()
    event = await ctx.events.get(first.event_id)
    if decision.targets is not None and event is not None:
        directory = await ctx.directory.snapshot()
        res = resolve(decision.targets, rule.channels, directory, event.attrs, rule.unit_attr)
        if res.gaps:
            await record_gaps(ctx, rule, res.gaps, event)
        templates = await ctx.templates.for_event_type(event.type)
        outcome = Outcome()
        await create_deliveries(
            ctx, event, rule, res.addressees, decision.to_level, templates, outcome, set()
        )
        recipients = tuple(dict.fromkeys(a.key for a in res.addressees))
    note = (
        NoticeEscalated(
            key,
            now,
            first.event_id,
            first.event_type,
            rule.id,
            first.level,
            decision.to_level,
            recipients,
        )
        if recipients
        else None
    )
    for i, did in enumerate(decision.escalate):
        d = by_id[did]
        d.mark_escalated(note if i == 0 else None)
        await ctx.deliveries.save(d)
    return note is not None
