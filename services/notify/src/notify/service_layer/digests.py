"""Use case: when a digest is due, fold its waiting messages into one delivery per recipient,
channel and period. The digest's id comes from its key, so a re-run after a crash finds it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from notify.domain.catalog import DIGEST
from notify.domain.delivery import Delivery, delivery_id
from notify.domain.model import OPEN_STATUSES, Priority
from notify.domain.scheduling import digest_delivery_seed, initial_schedule
from notify.service_layer.context import NotifyContext
from notify.service_layer.ports import IncomingEvent
from notify.service_layer.rendering import (
    candidates,
    context_for,
    render_first,
    report_failures,
)

DIGEST_RULE = "digest"


async def run_digests(ctx: NotifyContext) -> int:
    """Build every digest that is due; returns how many digest deliveries were made."""
    due = await ctx.deliveries.due_digests(ctx.clock.now(), 500)
    by_key: dict[str, list[Delivery]] = defaultdict(list)
    for d in due:
        by_key[d.digest_key].append(d)
    made = 0
    for key, items in by_key.items():
        made += await _digest(ctx, key, items)
    if made:
        ctx.wake(())
    return made


async def _digest(ctx: NotifyContext, key: str, items: Sequence[Delivery]) -> int:
    batches = await ctx.deliveries.digest_batches(key)
    folded = {item: b.id for b in batches for item in b.digest_items}
    rest = [d for d in items if d.id not in folded]
    made = 0
    if rest:
        digest = await _make(ctx, key, len(batches), rest)
        if await ctx.deliveries.add(digest):
            made = 1
        folded.update({d.id: digest.id for d in rest})
    for d in items:
        d.fold_into(folded[d.id])
        await ctx.deliveries.save(d)
    return made


async def _make(ctx: NotifyContext, key: str, batch: int, items: Sequence[Delivery]) -> Delivery:
    p = ctx.policies
    now = ctx.clock.now()
    first = items[0]
    period = key.split("|")[2]
    ordered = sorted(items, key=lambda d: d.created_at)
    event = IncomingEvent(
        id=digest_delivery_seed(key, batch),
        type=DIGEST,
        source=ctx.source,
        subject=key,
        time=now,
        trace_id=first.trace_id,
        data={
            "period": period,
            "count": len(ordered),
            "items": [
                {
                    "title": d.title,
                    "body": d.body,
                    "event_type": d.event_type,
                    "at": p.local_text(d.created_at),
                }
                for d in ordered
            ],
        },
        attrs={},
    )
    context = context_for(
        event,
        p,
        recipient={"id": first.recipient_id, "name": first.recipient_name, "unit": first.unit},
        rule={"id": DIGEST_RULE, "name": "汇总", "priority": Priority.NORMAL.label},
        channel=first.channel.label,
    )
    templates = await ctx.templates.for_event_type(DIGEST)
    rendered = render_first(
        ctx.renderer, candidates(templates, DIGEST, first.channel.value, "default"), context
    )
    if rendered.problems:
        await report_failures(ctx, rendered, DIGEST)
    # Daily digests are timed after quiet hours; an hourly one at night still waits for morning.
    recipient = await ctx.directory.get_recipient(first.recipient_id)
    quiet = recipient.quiet_hours if recipient and recipient.quiet_hours else p.quiet_hours
    sched = initial_schedule(
        now,
        recipient_key=first.recipient,
        channel=first.channel,
        priority=Priority.NORMAL,
        quiet=quiet,
        digest=None,
        tz=p.tz,
        daily_at=p.digest_daily_at,
    )
    return Delivery(
        id=delivery_id(event.id, first.recipient, first.channel),
        event_id=event.id,
        event_type=DIGEST,
        rule_id=DIGEST_RULE,
        recipient=first.recipient,
        recipient_id=first.recipient_id,
        recipient_name=first.recipient_name,
        channel=first.channel,
        address=first.address,
        priority=Priority.NORMAL,
        title=rendered.title,
        body=rendered.body,
        created_at=now,
        status=sched.status,
        next_attempt_at=sched.at if sched.status in OPEN_STATUSES else None,
        unit=first.unit,
        trace_id=first.trace_id,
        hold_reason=sched.reason,
        digest_key=key,
        digest_items=tuple(d.id for d in ordered),
        template_id=rendered.template_id,
        notes="; ".join(rendered.problems)[:500],
    )
