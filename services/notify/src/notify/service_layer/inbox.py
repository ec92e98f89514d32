"""Use cases of a person's own inbox: read it (with the escalation chain of a notice that
awaits acknowledgement), acknowledge an item."""

from __future__ import annotations

from dataclasses import dataclass

from notify.domain.delivery import Delivery
from notify.domain.errors import NotFound
from notify.domain.labels import UNIT_LEVEL_LABELS
from notify.domain.model import ANY_UNIT, AckState, Channel, Rule, Status, TargetKind, UnitLevel
from notify.domain.routing import Directory
from notify.service_layer.context import NotifyContext
from notify.service_layer.ports import DeliveryQuery


@dataclass(frozen=True, slots=True)
class EscalationStep:
    """One step of a notice's chain: level 0 is whom the rule addresses, then each escalation
    step; `reached` when notify has sent this notice at that level already."""

    level: int
    label: str  # e.g. "承办人员、分组 值班组"
    people: tuple[str, ...]  # the names the step reaches with the directory as it is now
    reached: bool


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


def _step(rule: Rule, level: int, units: tuple[str, ...], directory: Directory) -> EscalationStep:
    targets = rule.targets if level == 0 else rule.escalation[level - 1]
    labels: list[str] = []
    ids: list[str] = []
    for t in targets:
        if t.kind is TargetKind.UNIT:
            labels.append(UNIT_LEVEL_LABELS.get(t.ref, t.ref))
            for unit in units or (ANY_UNIT,):
                ids.extend(directory.unit_level(unit, UnitLevel(t.ref)))
        elif t.kind is TargetKind.GROUP:
            g = directory.groups.get(t.ref)
            labels.append(f"分组 {g.name if g else t.ref}")
            ids.extend(g.members if g else ())
        else:
            labels.append("指定人员")
            ids.append(t.ref)
    people = tuple(
        dict.fromkeys(directory.recipients[i].name if i in directory.recipients else i for i in ids)
    )
    return EscalationStep(level, "、".join(labels), people, reached=False)


async def escalation_of(ctx: NotifyContext, d: Delivery) -> list[EscalationStep]:
    """The chain of a notice that needs acknowledgement (none otherwise): every step of its
    rule, whom each reaches in the unit's chain, and which steps were taken already."""
    if d.ack_within_minutes is None:
        return []
    rule = await ctx.rules.get(d.rule_id)
    if rule is None:
        return []
    directory = await ctx.directory.stored()
    same_event = await ctx.deliveries.query(DeliveryQuery(event_id=d.event_id, limit=500))
    taken = {o.level for o in same_event if o.rule_id == d.rule_id} | {d.level}
    units = tuple(u for u in d.unit.split("、") if u)
    steps = [_step(rule, level, units, directory) for level in range(len(rule.escalation) + 1)]
    return [EscalationStep(s.level, s.label, s.people, s.level in taken) for s in steps]
