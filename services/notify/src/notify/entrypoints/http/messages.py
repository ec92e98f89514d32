"""REST: the caller's inbox, delivery records (by event id) and direct notifications."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query

from notify.domain.errors import NotFound
from notify.domain.model import Channel
from notify.entrypoints.http.deps import (
    ERRORS,
    INBOX_OWNERS,
    MALFORMED,
    MANAGERS,
    NOT_FOUND,
    READERS,
    SENDERS,
    delivery_out,
    inbox_out,
    notify_ctx,
)
from notify.entrypoints.http.schemas import (
    ChannelOut,
    DeliveryOut,
    DirectIn,
    DirectOut,
    InboxItemOut,
    ResendOut,
)
from notify.service_layer import dead_letters, inbox
from notify.service_layer.context import NotifyContext
from notify.service_layer.direct import send_direct
from notify.service_layer.ports import DeliveryQuery
from qingshan_core.auth import Principal, require_roles
from qingshan_core.problems import conflict

router = APIRouter(prefix="/v1", tags=["messages / 消息"], responses=ERRORS)
Ctx = Depends(notify_ctx)
RESEND_CONFLICT = conflict("不是死信 / not a dead letter")
Owner = Depends(require_roles(*INBOX_OWNERS))


@router.get("/inbox", response_model=list[InboxItemOut])
async def my_inbox(
    unacknowledged: bool = Query(default=False),
    limit: int = Query(default=100, ge=1, le=500),
    me: Principal = Owner,
    ctx: NotifyContext = Ctx,
) -> list[InboxItemOut]:
    """The caller's inbox, newest first (token subject = recipient login) / 我的站内信."""
    items = await inbox.inbox_of(ctx, me.subject, unacknowledged=unacknowledged, limit=limit)
    return [inbox_out(d, await inbox.escalation_of(ctx, d)) for d in items]


@router.post("/inbox/{delivery_id}/ack", response_model=InboxItemOut, responses=NOT_FOUND)
async def acknowledge(
    delivery_id: str, me: Principal = Owner, ctx: NotifyContext = Ctx
) -> InboxItemOut:
    """Acknowledge one of the caller's items; stops its escalation / 确认站内信."""
    d = await inbox.acknowledge(ctx, me.subject, delivery_id)
    return inbox_out(d, await inbox.escalation_of(ctx, d))


@router.get("/deliveries", response_model=list[DeliveryOut])
async def list_deliveries(
    event_id: str | None = Query(default=None, description="CloudEvents id of the cause"),
    recipient: str | None = Query(default=None, description="person:<id> or group:<id>"),
    channel: str | None = Query(default=None),
    status: str | None = Query(default=None),
    limit: int = Query(default=100, ge=1, le=500),
    _: Principal = Depends(require_roles(*READERS)),
    ctx: NotifyContext = Ctx,
) -> list[DeliveryOut]:
    """Deliveries with every attempt and receipt, newest first / 投递记录."""
    q = DeliveryQuery(
        event_id=event_id, recipient=recipient, channel=channel, status=status, limit=limit
    )
    return [delivery_out(d) for d in await ctx.deliveries.query(q)]


@router.get("/deliveries/{delivery_id}", response_model=DeliveryOut, responses=NOT_FOUND)
async def get_delivery(
    delivery_id: str,
    _: Principal = Depends(require_roles(*READERS)),
    ctx: NotifyContext = Ctx,
) -> DeliveryOut:
    """One delivery / 查看投递记录."""
    d = await ctx.deliveries.get(delivery_id)
    if d is None:
        raise NotFound(f"no such delivery / 投递记录不存在: {delivery_id}")
    return delivery_out(d)


@router.post(
    "/deliveries/{delivery_id}/resend",
    response_model=ResendOut,
    responses=NOT_FOUND | RESEND_CONFLICT,
)
async def resend_dead_letter(
    delivery_id: str,
    me: Principal = Depends(require_roles(*MANAGERS)),
    ctx: NotifyContext = Ctx,
) -> ResendOut:
    """Resend a dead letter once, as a new delivery (the same answer when asked again) /
    死信重发."""
    dead, new = await dead_letters.resend(ctx, delivery_id, f"{me.role.value}:{me.subject}")
    return ResendOut(dead_letter=delivery_out(dead), resend=delivery_out(new))


@router.get("/channels", response_model=list[ChannelOut])
async def channels(
    _: Principal = Depends(require_roles(*READERS)), ctx: NotifyContext = Ctx
) -> list[ChannelOut]:
    """Each channel: configured or not, its circuit breaker and rate limit / 渠道状态."""
    out = []
    for ch in Channel:
        breaker, _v = await ctx.resilience.breaker(ch.value)
        limit = ctx.policies.rate_limits.get(ch.value)
        out.append(
            ChannelOut(
                channel=ch,
                label=ch.label,
                configured=ch is Channel.INBOX or ch.value in ctx.senders,
                breaker=breaker.state.value,
                failures=breaker.failures,
                open_until=breaker.open_until,
                rate_limit_per_window=limit.limit if limit else None,
            )
        )
    return out


@router.post("/notifications", response_model=DirectOut, responses=MALFORMED)
async def send_notification(
    body: DirectIn,
    me: Principal = Depends(require_roles(*SENDERS)),
    ctx: NotifyContext = Ctx,
) -> DirectOut:
    """Send a message directly (supervisors and admins; integrations go through the rules);
    the same idempotency_key never sends twice / 直接发送通知."""
    event_id, deliveries, unreachable = await send_direct(
        ctx,
        idempotency_key=body.idempotency_key,
        recipient_ids=body.recipient_ids,
        group_ids=body.group_ids,
        channels=body.channels,
        title=body.title,
        body=body.body,
        priority=body.priority,
        by=me.subject,
    )
    return DirectOut(
        event_id=event_id, deliveries=[delivery_out(d) for d in deliveries], unreachable=unreachable
    )
