"""Use case: send what is due. Each delivery is claimed (a versioned write with a lease), held
back by the channel's rate limit or open breaker without counting an attempt, sent, and its
outcome recorded; a final failure carries notify.delivery.failed in the same write and then
goes to the dead-letter topic."""

from __future__ import annotations

import asyncio
import hashlib
import time
from dataclasses import replace
from datetime import timedelta

from notify.domain.delivery import Delivery
from notify.domain.errors import InvalidTransition
from notify.domain.model import Channel, Robot, Status
from notify.domain.resilience import BreakerState, CircuitBreaker
from notify.service_layer.context import NotifyContext
from notify.service_layer.ports import SendResult


async def dispatch_due(ctx: NotifyContext) -> int:
    """Handle one batch of due deliveries, a few at a time (one slow robot must not hold up
    the others); returns the batch size, so a caller can tell when to fetch the next one."""
    due = await ctx.deliveries.due(ctx.clock.now(), ctx.policies.batch)
    gate = asyncio.Semaphore(ctx.policies.concurrency)

    async def one(d: Delivery) -> bool:
        async with gate:
            return await dispatch_one(ctx, d)

    await asyncio.gather(*(one(d) for d in due))
    return len(due)


async def _breaker(ctx: NotifyContext, channel: str) -> tuple[CircuitBreaker, int]:
    b, version = await ctx.resilience.breaker(channel)
    p = ctx.policies
    return (
        replace(b, threshold=p.breaker_threshold, cooldown_seconds=p.breaker_cooldown_seconds),
        version,
    )


async def _record_breaker(ctx: NotifyContext, channel: str, ok: bool | None) -> None:
    """Apply one outcome to the stored breaker (re-read once when another sender raced us)."""
    if ok is None:
        return
    for _ in range(3):
        b, version = await _breaker(ctx, channel)
        new = b.on_success() if ok else b.on_failure(ctx.clock.now())
        if new == b or await ctx.resilience.save_breaker(new, version):
            return


def rate_key(d: Delivery) -> str:
    """Robots are limited per robot (the vendors count per webhook), other channels as a whole."""
    if d.channel.is_robot:
        return f"{d.channel.value}:{hashlib.sha256(d.address.encode()).hexdigest()[:16]}"
    return d.channel.value


async def robot_for(ctx: NotifyContext, d: Delivery) -> Robot | None:
    """The robot a delivery posts to, read from the directory now: the delivery keeps only a
    reference (its recipient and channel), never the webhook URL or the signing secret."""
    if d.recipient.startswith("group:"):
        g = await ctx.directory.get_group(d.recipient_id)
        return g.robot(d.channel) if g else None
    r = await ctx.directory.get_recipient(d.recipient_id)
    if r is None:
        return None
    return r.wecom if d.channel is Channel.WECOM else r.dingtalk


async def _send(ctx: NotifyContext, d: Delivery) -> SendResult:
    sender = ctx.senders.get(d.channel.value)
    if sender is None:
        return SendResult(
            False, f"channel {d.channel.value} is not configured / 渠道未配置", permanent=True
        )
    target, secret, hide = d, "", d.address
    if d.channel.is_robot:
        robot = await robot_for(ctx, d)
        if robot is None:
            gone = "the robot is no longer in the directory / 机器人已从通讯录中删除"
            return SendResult(False, gone, permanent=True)
        # The URL lives in this copy only, for this send; the stored delivery never holds it.
        target, secret, hide = replace(d, address=robot.url), robot.secret, robot.url
    started = time.perf_counter()
    try:
        result = await sender.send(target, secret)
    except Exception as exc:  # a sender bug or an unexpected network error: retry later
        ms = int((time.perf_counter() - started) * 1000)
        result = SendResult(False, f"{type(exc).__name__}: {exc}"[:500], duration_ms=ms)
    # Error texts end up in events and dead letters: no address or robot key may ride along.
    if hide and hide in result.detail:
        result = replace(result, detail=result.detail.replace(hide, "<address>"))
    return result


async def dispatch_one(ctx: NotifyContext, d: Delivery) -> bool:
    """Claim, (maybe) send and record one delivery; True when it was sent."""
    p = ctx.policies
    now = ctx.clock.now()
    try:
        d.claim(now, p.lease)
    except InvalidTransition:
        return False
    if not await ctx.deliveries.save(d):
        return False  # another dispatcher claimed it first
    if d.channel is Channel.INBOX:
        d.succeeded(now, "stored in the inbox / 已存入站内信")
        await ctx.deliveries.save(d)
        return True
    breaker, version = await _breaker(ctx, d.channel.value)
    if not breaker.allows(now):
        until = breaker.open_until or now + p.lease
        d.defer(now, until, f"circuit open until {until.isoformat()} / 渠道熔断中")
        await ctx.deliveries.save(d)
        return False
    if breaker.state is BreakerState.OPEN:  # cooldown over: this one is the probe
        await ctx.resilience.save_breaker(breaker.before_send(now), version)
    limit = p.rate_limits.get(d.channel.value)
    if limit is not None:
        window, end = limit.window(now)
        if not limit.allows(await ctx.resilience.count_in_window(rate_key(d), window)):
            d.defer(now, end, f"rate limit {limit.limit}/{limit.per_seconds}s / 超出发送频率限制")
            await ctx.deliveries.save(d)
            return False
    result = await _send(ctx, d)
    done = ctx.clock.now()
    if result.ok:
        d.succeeded(done, result.detail, result.status_code, result.duration_ms)
    else:
        d.failed(
            done,
            result.detail,
            permanent=result.permanent,
            policy=p.retry,
            rand=ctx.rand(),
            status_code=result.status_code,
            ms=result.duration_ms,
        )
    if not await ctx.deliveries.save(d):
        # Our lease ran out mid-send and another dispatcher took over: its record stands.
        return result.ok
    # Permanent errors are the address's fault, not the channel's: they leave the breaker alone.
    await _record_breaker(
        ctx, d.channel.value, True if result.ok else (None if result.permanent else False)
    )
    if d.status is Status.FAILED:
        await dead_letter(ctx, d)
    return result.ok


async def dead_letter(ctx: NotifyContext, d: Delivery) -> bool:
    """Publish a failed delivery to the dead-letter topic and remember that it was; a broker
    outage leaves it for `redeliver_dead_letters`."""
    event = await ctx.events.get(d.event_id)
    if event is None and d.failed_at and ctx.clock.now() - d.failed_at < timedelta(minutes=5):
        return False  # still being stored by the consumer: the periodic retry picks it up
    try:
        await ctx.dead_letters.publish(d, event, d.last_error)
    except Exception:
        return False
    d.dead_lettered = True
    return await ctx.deliveries.save(d)


async def redeliver_dead_letters(ctx: NotifyContext) -> int:
    """Dead-letter failed deliveries whose earlier attempt to do so did not get through."""
    n = 0
    for d in await ctx.deliveries.undead_lettered(ctx.policies.batch):
        if await dead_letter(ctx, d):
            n += 1
    return n
