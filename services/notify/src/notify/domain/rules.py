"""What makes a rule acceptable, checked when it is saved (a bad rule never meets an event)."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from notify.domain.catalog import PSEUDO_TYPES, EventCatalog
from notify.domain.errors import Problem
from notify.domain.model import Channel, Rule, Target, TargetKind, UnitLevel


def _check_targets(
    targets: Sequence[Target],
    field: str,
    rule: Rule,
    attributes: Collection[str],
    recipients: Collection[str],
    groups: Collection[str],
) -> list[Problem]:
    problems: list[Problem] = []
    if not targets:
        problems.append(Problem(field, "at least one target is needed / 至少需要一个接收对象"))
    for i, t in enumerate(targets):
        where = f"{field}.{i}.ref"
        if t.kind is TargetKind.RECIPIENT and t.ref not in recipients:
            problems.append(Problem(where, f"unknown recipient / 接收人不存在: {t.ref!r}"))
        elif t.kind is TargetKind.GROUP and t.ref not in groups:
            problems.append(Problem(where, f"unknown group / 分组不存在: {t.ref!r}"))
        elif t.kind is TargetKind.UNIT:
            if t.ref not in {u.value for u in UnitLevel}:
                levels = ", ".join(u.value for u in UnitLevel)
                problems.append(
                    Problem(where, f"unknown unit level / 未知层级: {t.ref!r} ({levels})")
                )
            if rule.unit_attr not in attributes:
                problems.append(
                    Problem(
                        "unit_attr",
                        f"{rule.event_type} has no attribute {rule.unit_attr!r} "
                        f"/ 该事件没有单位属性 {rule.unit_attr}",
                    )
                )
    return problems


def _check_conditions(rule: Rule, attributes: Collection[str] | None) -> list[Problem]:
    """Conditions on attributes the event type has (None: the type is unknown), with values."""
    problems: list[Problem] = []
    for i, cond in enumerate(rule.conditions):
        if attributes is not None and cond.attr not in attributes:
            problems.append(
                Problem(
                    f"conditions.{i}.attr",
                    f"{rule.event_type} has no attribute {cond.attr!r} / 事件没有该属性",
                )
            )
        if not cond.values:
            problems.append(Problem(f"conditions.{i}.values", "no values / 条件值为空"))
    return problems


def _check_acknowledgement(rule: Rule) -> list[Problem]:
    """A positive acknowledgement time, through the inbox; escalation only with one."""
    problems: list[Problem] = []
    if rule.ack_within_minutes is not None:
        if rule.ack_within_minutes <= 0:
            problems.append(Problem("ack_within_minutes", "must be positive / 必须大于0"))
        if Channel.INBOX not in rule.channels:
            problems.append(
                Problem(
                    "ack_within_minutes",
                    "acknowledgement needs the inbox channel / 需确认的消息必须包含站内信渠道",
                )
            )
    if rule.escalation and rule.ack_within_minutes is None:
        problems.append(
            Problem("escalation", "escalation needs ack_within_minutes / 升级需先设置确认时限")
        )
    return problems


def check_rule(
    rule: Rule,
    catalog: EventCatalog,
    recipients: Collection[str],
    groups: Collection[str],
) -> list[Problem]:
    """Every problem with the rule (empty when it may be saved)."""
    problems: list[Problem] = []
    etype = catalog.get(rule.event_type)
    if etype is None or rule.event_type in PSEUDO_TYPES:
        problems.append(
            Problem("event_type", f"unknown event type / 未知事件类型: {rule.event_type!r}")
        )
        attributes: Collection[str] = ()
    else:
        attributes = etype.attributes
    if not rule.channels:
        problems.append(Problem("channels", "at least one channel is needed / 至少需要一个渠道"))
    if len(set(rule.channels)) != len(rule.channels):
        problems.append(Problem("channels", "a channel is listed twice / 渠道重复"))
    problems += _check_targets(rule.targets, "targets", rule, attributes, recipients, groups)
    problems += _check_conditions(rule, attributes if etype is not None else None)
    if rule.critical and rule.digest is not None:
        problems.append(
            Problem("digest", "critical messages are never digested / 紧急消息不能汇总发送")
        )
    problems += _check_acknowledgement(rule)
    for i, step in enumerate(rule.escalation):
        problems += _check_targets(step, f"escalation.{i}", rule, attributes, recipients, groups)
    return problems
