"""Use case: notices nobody can receive. When a rule's target reaches nobody (a unit without
the role addressed, an empty group, a person missing from the directory), the notice is not
dropped silently: each one is counted (/metrics), stored per rule and target with since when
and how many, and the first of each Beijing day publishes RecipientUnreachable (an ops event,
through the outbox). The admin listing says which of them are still open now."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from notify.domain.model import Rule, Target, TargetKind
from notify.domain.routing import Directory, Gap, GapKind, find_gaps
from notify.service_layer.context import NotifyContext
from notify.service_layer.ports import GapRecord, IncomingEvent


async def record_gaps(
    ctx: NotifyContext, rule: Rule, gaps: Sequence[Gap], event: IncomingEvent
) -> list[str]:
    """Count and store each gap of one notice; returns their keys."""
    now = ctx.clock.now()
    day = now.astimezone(ZoneInfo(ctx.policies.tz)).date().isoformat()
    keys = []
    for gap in gaps:
        keys.append(gap.key(rule.id))
        await ctx.gaps.record(gap, rule, event, now, day)
    return keys


def _target(r: GapRecord) -> tuple[Target, dict[str, tuple[str, ...]]]:
    if r.kind == GapKind.UNIT_LEVEL.value:
        return Target(TargetKind.UNIT, r.role), {"unit": (r.scope,)}
    if r.kind == GapKind.GROUP.value:
        return Target(TargetKind.GROUP, r.scope), {}
    return Target(TargetKind.RECIPIENT, r.scope), {}


@dataclass(frozen=True, slots=True)
class GapView:
    record: GapRecord
    open: bool  # the target still reaches nobody with the directory as it is now
    scope_name: str  # the unit's or group's name, where there is one


async def list_gaps(ctx: NotifyContext, include_closed: bool = False) -> list[GapView]:
    """Every recorded gap, most recent first, each checked against today's directory."""
    directory: Directory = await ctx.directory.stored()
    out = []
    for r in sorted(await ctx.gaps.list(), key=lambda g: g.last_seen, reverse=True):
        rule = await ctx.rules.get(r.rule_id)
        still = False
        if rule is not None and rule.enabled:
            target, attrs = _target(r)
            found = find_gaps([target], rule.channels, directory, attrs, "unit")
            still = any(g.key(rule.id) == r.key for g in found)
        if still or include_closed:
            unit = directory.units.get(r.scope)
            group = directory.groups.get(r.scope)
            name = unit.name if unit else (group.name if group else "")
            out.append(GapView(r, still, name))
    return out
