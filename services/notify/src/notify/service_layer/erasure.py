"""Personal data that notify copied or rendered goes when its source erases it, or when a
delivery outlives its retention (docs/retention.md): the title and body of deliveries and inbox
items about the case (and of the digests that quoted them) are replaced, and the stored events
about the case are dropped. Who was told what kind of thing, when, on which channel stays."""

from __future__ import annotations

from datetime import datetime, timedelta

from notify.domain.delivery import Delivery
from notify.service_layer.context import NotifyContext
from qingshan_core.logging import get_logger

log = get_logger(__name__)

ERASURE_EVENT = "qingshan.complaints.v1.ComplaintErased"
BATCH = 200


async def _erase(ctx: NotifyContext, d: Delivery, now: datetime) -> bool:
    """Erase one delivery's text, re-reading it when a send or an acknowledgement wrote
    meanwhile (its version moved)."""
    current: Delivery | None = d
    for _ in range(5):
        if current is None or not current.erase(now):
            return False
        if await ctx.deliveries.save(current):
            return True
        current = await ctx.deliveries.get(d.id)
    raise RuntimeError(f"delivery {d.id} kept changing")  # the consumer retries the event


async def erase_subject(ctx: NotifyContext, subject: str) -> int:
    """Everything notify holds that was rendered from events about `subject`; returns how
    many deliveries were erased now (an event seen again erases nothing more)."""
    now = ctx.clock.now()
    event_ids = await ctx.events.forget_subject(subject)
    erased = 0
    for d in await ctx.deliveries.about(subject, event_ids):
        erased += await _erase(ctx, d, now)
    log.info("notify.erased", subject=subject, deliveries=erased)
    return erased


async def erase_expired(ctx: NotifyContext, keep: timedelta) -> int:
    """The daily job: deliveries older than `keep` lose their text."""
    now = ctx.clock.now()
    erased = 0
    while True:
        batch = await ctx.deliveries.unerased_before(now - keep, BATCH)
        done = [await _erase(ctx, d, now) for d in batch]
        erased += sum(done)
        if len(batch) < BATCH or not any(done):
            return erased
