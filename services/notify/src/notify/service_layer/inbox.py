"""Use cases of a person's own inbox: read it, acknowledge an item."""

from __future__ import annotations

from notify.domain.delivery import Delivery
from notify.domain.errors import NotFound
from notify.domain.model import AckState, Channel, Status
from notify.service_layer.context import NotifyContext
from notify.service_layer.ports import DeliveryQuery


async def inbox_of(
    ctx: NotifyContext, login: str, *, unacknowledged: bool = False, limit: int = 100
) -> list[Delivery]:
    """The caller's delivered inbox items, newest first (none when no recipient is theirs)."""
    me = await ctx.directory.recipient_for_login(login)
    if me is None:
        return []
    q = DeliveryQuery(
        recipient_id=me.id,
        channel=Channel.INBOX.value,
        status=Status.SENT.value,
        unacknowledged=unacknowledged,
        limit=limit,
    )
    return await ctx.deliveries.query(q)


async def acknowledge(ctx: NotifyContext, login: str, delivery_id: str) -> Delivery:
    """Acknowledge one of the caller's items; the rest of its notice stops waiting too."""
    me = await ctx.directory.recipient_for_login(login)
    for _ in range(3):
        d = await ctx.deliveries.get(delivery_id)
        if (
            d is None
            or me is None
            or d.recipient_id != me.id
            or d.channel is not Channel.INBOX
            or d.status is not Status.SENT
        ):
            raise NotFound(f"no such inbox item / 站内信不存在: {delivery_id}")
        if not d.acknowledge(ctx.clock.now(), login):
            return d
        if await ctx.deliveries.save(d):
            break
    else:
        raise NotFound(f"inbox item kept changing / 站内信状态冲突: {delivery_id}")
    for other in await ctx.deliveries.by_notice(d.notice):
        if other.id != d.id and other.ack_state is AckState.AWAITING:
            other.cover()
            await ctx.deliveries.save(other)
    return d
