"""Use case: a direct notification (REST or gRPC), effectively once per idempotency key."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from notify.domain.catalog import DIRECT
from notify.domain.delivery import Delivery
from notify.domain.errors import Problem, ValidationFailed
from notify.domain.model import Channel, Priority, Rule, Target, TargetKind
from notify.domain.routing import Directory, resolve
from notify.service_layer.context import NotifyContext
from notify.service_layer.planning import create_deliveries
from notify.service_layer.ports import DeliveryQuery, IncomingEvent, Outcome


def _options(
    channels: Sequence[str], priority: str, title: str
) -> tuple[list[Channel], Priority, list[Problem]]:
    """The channels and priority asked for, and what is wrong with them or the title."""
    problems: list[Problem] = []
    chans: list[Channel] = []
    for i, c in enumerate(channels):
        try:
            chans.append(Channel(c))
        except ValueError:
            problems.append(Problem(f"channels.{i}", f"unknown channel / 未知渠道: {c!r}"))
    if not chans:
        problems.append(Problem("channels", "at least one channel is needed / 至少需要一个渠道"))
    try:
        prio = Priority(priority or "normal")
    except ValueError:
        problems.append(Problem("priority", f"unknown priority / 未知优先级: {priority!r}"))
        prio = Priority.NORMAL
    if not title.strip():
        problems.append(Problem("title", "title is empty / 标题为空"))
    return chans, prio, problems


def _unknown_addressees(
    directory: Directory, recipient_ids: Sequence[str], group_ids: Sequence[str]
) -> list[Problem]:
    """The recipients and groups the directory does not know (or none named at all)."""
    problems = [
        Problem(f"recipient_ids.{i}", f"unknown recipient / 接收人不存在: {r!r}")
        for i, r in enumerate(recipient_ids)
        if r not in directory.recipients
    ]
    problems += [
        Problem(f"group_ids.{i}", f"unknown group / 分组不存在: {g!r}")
        for i, g in enumerate(group_ids)
        if g not in directory.groups
    ]
    if not recipient_ids and not group_ids:
        problems.append(Problem("recipient_ids", "nobody to send to / 未指定接收人"))
    return problems


async def send_direct(
    ctx: NotifyContext,
    *,
    idempotency_key: str,
    recipient_ids: Sequence[str],
    group_ids: Sequence[str],
    channels: Sequence[str],
    title: str,
    body: str,
    priority: str,
    by: str,
) -> tuple[str, list[Delivery], list[str]]:
    """Plan a message to people and groups; returns (event id, deliveries, unreachable)."""
    chans, prio, problems = _options(channels, priority, title)
    directory = await ctx.directory.snapshot()
    if any(r not in directory.recipients for r in recipient_ids) or any(
        g not in directory.groups for g in group_ids
    ):
        # Perhaps created a moment ago through another replica: the cached directory may lag.
        directory = await ctx.directory.stored()
    problems += _unknown_addressees(directory, recipient_ids, group_ids)
    if problems:
        raise ValidationFailed(problems)
    key = idempotency_key or str(uuid.uuid4())
    targets = tuple(
        [Target(TargetKind.RECIPIENT, r) for r in recipient_ids]
        + [Target(TargetKind.GROUP, g) for g in group_ids]
    )
    rule = Rule(
        "direct", f"direct message by {by} / 直接发送", DIRECT, tuple(chans), targets, priority=prio
    )
    event = IncomingEvent(
        id=f"direct:{key}",
        type=DIRECT,
        source=ctx.source,
        subject=key,
        time=ctx.clock.now(),
        trace_id=uuid.uuid4().hex,
        data={"title": title, "body": body},
        attrs={},
    )
    await ctx.events.put(event)
    res = resolve(targets, chans, directory, {}, rule.unit_attr)
    outcome = Outcome()
    templates = await ctx.templates.for_event_type(DIRECT)
    await create_deliveries(ctx, event, rule, res.addressees, 0, templates, outcome, set())
    deliveries = await ctx.deliveries.query(DeliveryQuery(event_id=event.id, limit=500))
    return event.id, deliveries, res.unreachable
