"""Use case: an administrator resends a dead letter (a delivery that finally failed and went to
the dead-letter topic). The resend is a new delivery with an id derived from the dead letter's,
inserted if absent and sent by the dispatcher like every other; the dead letter records who
resent it and when, with notify.delivery.resent in the same write (the outbox). Asking again
answers with the same resend: once per dead letter."""

from __future__ import annotations

from notify.domain.delivery import Delivery
from notify.domain.errors import NotFound
from notify.domain.model import Status
from notify.service_layer.context import NotifyContext
from qingshan_core.errors import ConcurrentUpdate, InvalidTransition


async def _address(ctx: NotifyContext, d: Delivery) -> str | None:
    """The person's address on the channel as the directory has it now (an administrator
    usually resends after correcting it); robots are looked up when sent, never stored."""
    if d.channel.is_robot or not d.recipient.startswith("person:"):
        return None
    r = await ctx.directory.get_recipient(d.recipient_id)
    return (r.address(d.channel) or None) if r else None


async def resend(ctx: NotifyContext, delivery_id: str, by: str) -> tuple[Delivery, Delivery]:
    """The dead letter (marked resent) and its resend, which is due now."""
    for _ in range(3):
        d = await ctx.deliveries.get(delivery_id)
        if d is None:
            raise NotFound(f"no such delivery / 投递记录不存在: {delivery_id}")
        if d.resent_at is not None:  # resent before: the same answer
            again = await ctx.deliveries.get(d.resent_as)
            if again is not None:
                return d, again
        elif d.status is not Status.FAILED or not d.dead_lettered:
            raise InvalidTransition(
                "只有已进入死信的投递可以重发",
                "only a dead-lettered delivery can be resent",
                current={"status": d.status.value, "dead_lettered": d.dead_lettered},
            )
        address = await _address(ctx, d)
        if d.resent_at is not None:  # marked, but its resend was lost: make it again
            d.resent_at = None
        new = d.resend(ctx.clock.now(), by, address)
        await ctx.deliveries.add(new)  # insert-if-absent: a retry finds the first one
        if await ctx.deliveries.save(d):
            ctx.wake([new])
            return d, (await ctx.deliveries.get(new.id)) or new
    raise ConcurrentUpdate("投递记录正被修改，请重试", "the delivery kept changing, retry")
