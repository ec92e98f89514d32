"""Routing: which rules an event matches, and which (recipient, channel, address) they reach."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from notify.domain.model import (
    ANY_UNIT,
    Channel,
    EscalationChain,
    Group,
    QuietHours,
    Recipient,
    RegistryUnit,
    Rule,
    Target,
    TargetKind,
    UnitLevel,
)

# An event's attributes, flattened: "alert.unit_id" and its unambiguous leaf "unit_id" → values.
Attrs = Mapping[str, tuple[str, ...]]


def matches(rule: Rule, event_type: str, attrs: Attrs) -> bool:
    """True when the rule is enabled, names this event type and every condition holds."""
    if not rule.enabled or rule.event_type != event_type:
        return False
    for cond in rule.conditions:
        hit = any(v in cond.values for v in attrs.get(cond.attr, ()))
        if hit == cond.negate:
            return False
    return True


def select_rules(rules: Iterable[Rule], event_type: str, attrs: Attrs) -> list[Rule]:
    """Matching rules, most urgent first (a recipient reached by two rules hears the first)."""
    hits = [r for r in rules if matches(r, event_type, attrs)]
    return sorted(hits, key=lambda r: (-r.priority.rank, r.id))


@dataclass(frozen=True, slots=True)
class Directory:
    """Everyone messages can go to, as of one moment."""

    recipients: Mapping[str, Recipient] = field(default_factory=dict)
    groups: Mapping[str, Group] = field(default_factory=dict)
    chains: Mapping[str, EscalationChain] = field(default_factory=dict)
    # complaints' unit registry as last published (its levels are already in `chains`).
    units: Mapping[str, RegistryUnit] = field(default_factory=dict)

    def chain(self, unit: str) -> EscalationChain | None:
        return self.chains.get(unit)

    def unit_level(self, unit: str, level: UnitLevel) -> tuple[str, ...]:
        """The people at `level` of `unit`'s chain; the `*` chain fills in a missing level."""
        for chain in (self.chains.get(unit), self.chains.get(ANY_UNIT)):
            if chain is not None and chain.level(level):
                return chain.level(level)
        return ()


@dataclass(frozen=True, slots=True)
class Addressee:
    """One (recipient, channel) a message goes to. `key` is `person:<id>` or `group:<id>`."""

    key: str
    recipient_id: str
    name: str
    unit: str
    channel: Channel
    address: str
    quiet_hours: QuietHours | None


class GapKind(StrEnum):
    """What a target that reaches nobody is."""

    UNIT_LEVEL = "unit_level"  # a unit without the role (handler|unit_head|bureau) addressed
    GROUP = "group"  # a missing group, or one whose members cannot be reached
    RECIPIENT = "recipient"  # a person not in the directory, inactive or without addresses


@dataclass(frozen=True, slots=True)
class Gap:
    """One target of a rule that reaches nobody on any of the rule's channels: that part of
    the notice goes nowhere. `scope` is the unit id, group id or person id."""

    kind: GapKind
    scope: str
    role: str
    reason: str

    def key(self, rule_id: str) -> str:
        """Stable per rule and target: "<rule id>/<scope>/<role or kind>"."""
        return f"{rule_id}/{self.scope}/{self.role or self.kind.value}"


@dataclass(frozen=True, slots=True)
class Resolution:
    """Whom a set of targets reaches, plus what could not be reached and why, and the targets
    that reach nobody at all (gaps)."""

    addressees: list[Addressee]
    unreachable: list[str]
    gaps: list[Gap] = field(default_factory=list)


def person_key(recipient_id: str) -> str:
    return f"person:{recipient_id}"


def group_key(group_id: str) -> str:
    return f"group:{group_id}"


def robot_ref(key: str, channel: Channel) -> str:
    """What a robot delivery keeps instead of the webhook URL (which carries the robot's
    key): the directory entry, `person:<id>/wecom` or `group:<id>/dingtalk`, resolved when
    the message is sent."""
    return f"{key}/{channel.value}"


def _units(attrs: Attrs, unit_attr: str) -> tuple[str, ...]:
    """The units an event names; none (e.g. a case not yet assigned) means the bureau-wide
    `*` chain, whose handlers are the people who assign cases."""
    units = tuple(dict.fromkeys(u for u in attrs.get(unit_attr, ()) if u))
    return units or (ANY_UNIT,)


def _expand(
    targets: Sequence[Target], directory: Directory, attrs: Attrs, unit_attr: str
) -> tuple[list[str], list[Group], list[str]]:
    """The people and groups the targets name, and what could not be found."""
    persons: list[str] = []
    groups: list[Group] = []
    unreachable: list[str] = []
    for t in targets:
        if t.kind is TargetKind.RECIPIENT:
            persons.append(t.ref)
        elif t.kind is TargetKind.GROUP:
            g = directory.groups.get(t.ref)
            if g is None:
                unreachable.append(f"group {t.ref} does not exist / 分组不存在")
            else:
                groups.append(g)
        else:
            for unit in _units(attrs, unit_attr):
                ids = directory.unit_level(unit, UnitLevel(t.ref))
                if not ids:
                    unreachable.append(f"no {t.ref} for unit {unit} / 单位{unit}未配置{t.ref}")
                persons.extend(ids)
    return persons, groups, unreachable


def resolve(
    targets: Sequence[Target],
    channels: Sequence[Channel],
    directory: Directory,
    attrs: Attrs,
    unit_attr: str = "unit_id",
) -> Resolution:
    """Expand targets into addressees. Robot channels go to a group's own robot when it has
    one (one message per chat), else to members' personal robots; other channels go to every
    person (members of groups included). Duplicates and inactive people are dropped."""
    persons, groups, unreachable = _expand(targets, directory, attrs, unit_attr)
    out: dict[tuple[str, Channel], Addressee] = {}
    for channel in channels:
        robot_members: list[str] = []
        for g in groups:
            robot = g.robot(channel)
            if channel.is_robot and robot is not None:
                out.setdefault(
                    (group_key(g.id), channel),
                    Addressee(
                        group_key(g.id),
                        g.id,
                        g.name,
                        "",
                        channel,
                        robot_ref(group_key(g.id), channel),
                        g.quiet_hours,
                    ),
                )
            else:
                robot_members.extend(g.members)
        for rid in dict.fromkeys([*persons, *robot_members]):
            r = directory.recipients.get(rid)
            if r is None:
                unreachable.append(f"recipient {rid} does not exist / 接收人不存在")
                continue
            if not r.active:
                continue
            address = r.address(channel)
            if not address:
                unreachable.append(f"{rid} has no {channel.value} address / 无{channel.label}地址")
                continue
            if channel.is_robot:
                address = robot_ref(person_key(r.id), channel)
            out.setdefault(
                (person_key(r.id), channel),
                Addressee(person_key(r.id), r.id, r.name, r.unit, channel, address, r.quiet_hours),
            )
    return Resolution(
        list(out.values()),
        list(dict.fromkeys(unreachable)),
        find_gaps(targets, channels, directory, attrs, unit_attr),
    )


def _reachable(directory: Directory, rid: str, channels: Sequence[Channel]) -> str:
    """ "" when the person can be reached on one of `channels`, else why not."""
    r = directory.recipients.get(rid)
    if r is None:
        return f"recipient {rid} does not exist / 接收人{rid}不存在"
    if not r.active:
        return f"recipient {rid} is inactive / 接收人{rid}已停用"
    if not any(r.address(ch) for ch in channels):
        labels = "、".join(ch.label for ch in channels)
        return f"{rid} has no address on {', '.join(channels)} / 接收人{rid}无{labels}地址"
    return ""


def find_gaps(
    targets: Sequence[Target],
    channels: Sequence[Channel],
    directory: Directory,
    attrs: Attrs,
    unit_attr: str = "unit_id",
) -> list[Gap]:
    """The targets that reach nobody on any of `channels` (a notice nobody can receive)."""
    gaps: list[Gap] = []

    def nobody(ids: Sequence[str]) -> str:
        """ "" when one of `ids` can be reached, else the first reason."""
        reasons = [_reachable(directory, rid, channels) for rid in ids]
        return "" if "" in reasons else reasons[0]

    for t in targets:
        if t.kind is TargetKind.RECIPIENT:
            why = nobody([t.ref])
            if why:
                gaps.append(Gap(GapKind.RECIPIENT, t.ref, "", why))
        elif t.kind is TargetKind.GROUP:
            g = directory.groups.get(t.ref)
            if g is None:
                gaps.append(
                    Gap(GapKind.GROUP, t.ref, "", f"group {t.ref} does not exist / 分组不存在")
                )
            elif not any(ch.is_robot and g.robot(ch) for ch in channels):
                why = (
                    nobody(g.members) if g.members else f"group {g.id} has no members / 分组无成员"
                )
                if why:
                    gaps.append(Gap(GapKind.GROUP, g.id, "", why))
        else:
            for unit in _units(attrs, unit_attr):
                ids = directory.unit_level(unit, UnitLevel(t.ref))
                why = (
                    nobody(ids) if ids else f"no {t.ref} for unit {unit} / 单位{unit}未配置{t.ref}"
                )
                if why:
                    gaps.append(Gap(GapKind.UNIT_LEVEL, unit, t.ref, why))
    return list(dict.fromkeys(gaps))
