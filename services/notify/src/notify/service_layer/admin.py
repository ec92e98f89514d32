"""Use cases that change configuration: every check happens here, when something is saved,
so a bad address, rule or template is refused (422) instead of failing when an event comes.
The checks read the store itself, not the configuration cached for planning (which may lag
behind a change made a moment ago through another replica)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from notify.domain.addresses import check_email, check_phone, check_webhook, normalise_phone
from notify.domain.errors import NotFound, Problem, ValidationFailed
from notify.domain.model import (
    ANY_CHANNEL,
    Channel,
    EscalationChain,
    Group,
    Recipient,
    Robot,
    Rule,
    Template,
)
from notify.domain.rules import check_rule
from notify.domain.unit_registry import registry_chain_problems
from notify.service_layer.context import NotifyContext, Policies
from notify.service_layer.ports import TemplateError
from notify.service_layer.rendering import Rendered, candidates, render_template, sample_context


def _robot(robot: Robot | None, field: str, p: Policies) -> list[Problem]:
    if robot is None:
        return []
    return check_webhook(
        robot.url,
        f"{field}.url",
        require_https=p.webhook_require_https,
        allowed_hosts=p.webhook_allowed_hosts,
        refuse_private=p.webhook_refuse_private,
    )


def _raise(problems: list[Problem]) -> None:
    if problems:
        raise ValidationFailed(problems)


async def save_recipient(ctx: NotifyContext, r: Recipient, *, create: bool) -> Recipient:
    """Create (409 if it exists) or replace (404 if missing) a recipient; addresses checked."""
    problems: list[Problem] = []
    if r.email:
        problems += check_email(r.email)
    if r.phone:
        problems += check_phone(r.phone)
    problems += _robot(r.wecom, "wecom", ctx.policies)
    problems += _robot(r.dingtalk, "dingtalk", ctx.policies)
    owner = await ctx.directory.recipient_for_login(r.login)
    if owner is not None and owner.id != r.id:
        problems.append(Problem("subject", f"login used by {owner.id} / 登录名已被其他接收人使用"))
    _raise(problems)
    if r.phone:
        r = replace(r, phone=normalise_phone(r.phone))
    await ctx.directory.save_recipient(r, create)
    return r


async def save_group(ctx: NotifyContext, g: Group, *, create: bool) -> Group:
    """Create or replace a group; members must exist, robot URLs must be well formed."""
    problems = _robot(g.wecom, "wecom", ctx.policies) + _robot(g.dingtalk, "dingtalk", ctx.policies)
    directory = await ctx.directory.stored()
    for i, m in enumerate(g.members):
        if m not in directory.recipients:
            problems.append(Problem(f"members.{i}", f"unknown recipient / 接收人不存在: {m!r}"))
    _raise(problems)
    await ctx.directory.save_group(g, create)
    return g


async def save_chain(ctx: NotifyContext, chain: EscalationChain) -> EscalationChain:
    """Create or replace a unit's escalation chain; every person must exist."""
    directory = await ctx.directory.stored()
    problems = registry_chain_problems(chain, directory.units) + [
        Problem(f"{level}.{i}", f"unknown recipient / 接收人不存在: {rid!r}")
        for level, ids in (
            ("handlers", chain.handlers),
            ("unit_heads", chain.unit_heads),
            ("bureau", chain.bureau),
        )
        for i, rid in enumerate(ids)
        if rid not in directory.recipients
    ]
    _raise(problems)
    await ctx.directory.save_chain(chain)
    return chain


async def save_rule(ctx: NotifyContext, rule: Rule, *, create: bool) -> Rule:
    """Create or replace a rule after checking its event type, channels, targets, conditions
    and that a template renders for every channel it uses."""
    directory = await ctx.directory.stored()
    problems = check_rule(rule, ctx.catalog, directory.recipients.keys(), directory.groups.keys())
    etype = ctx.catalog.get(rule.event_type)
    if not problems and etype is not None:
        templates = await ctx.templates.list(rule.event_type)
        for ch in rule.channels:
            chosen = candidates(templates, rule.event_type, ch.value, rule.template_variant)[0]
            try:
                render_template(ctx.renderer, chosen, sample_context(etype, ctx.policies, ch.label))
            except TemplateError as exc:
                problems.append(
                    Problem(
                        "channels", f"template {chosen.id} does not render / 模板无法渲染: {exc}"
                    )
                )
    _raise(problems)
    await ctx.rules.save(rule, create)
    return rule


def _template_problems(ctx: NotifyContext, t: Template) -> tuple[list[Problem], Rendered | None]:
    etype = ctx.catalog.get(t.event_type)
    problems: list[Problem] = []
    if etype is None:
        problems.append(
            Problem("event_type", f"unknown event type / 未知事件类型: {t.event_type!r}")
        )
    channels = {c.value for c in Channel} | {ANY_CHANNEL}
    if t.channel not in channels:
        problems.append(Problem("channel", f"unknown channel / 未知渠道: {t.channel!r}"))
    if not t.variant or ":" in t.variant:
        problems.append(Problem("variant", "variant must be non-empty, without ':' / 变体名称无效"))
    if problems or etype is None:
        return problems, None
    label = Channel(t.channel).label if t.channel != ANY_CHANNEL else ""
    try:
        return [], render_template(ctx.renderer, t, sample_context(etype, ctx.policies, label))
    except TemplateError as exc:
        return [Problem("body", f"template does not render / 模板无法渲染: {exc}")], None


async def save_template(ctx: NotifyContext, t: Template, *, create: bool) -> Template:
    """Create or replace a template; it must render with the event type's sample data."""
    problems, _ = _template_problems(ctx, t)
    _raise(problems)
    await ctx.templates.save(t, create)
    return t


async def preview(
    ctx: NotifyContext, t: Template, data: Mapping[str, Any] | None = None
) -> Rendered:
    """Render a template with the sample data of its event type (fields in `data` override)."""
    problems, rendered = _template_problems(ctx, t)
    if data and not problems:
        etype = ctx.catalog.get(t.event_type)
        assert etype is not None
        merged = replace(etype, sample={**etype.sample, **data})
        try:
            label = Channel(t.channel).label if t.channel != ANY_CHANNEL else ""
            rendered = render_template(ctx.renderer, t, sample_context(merged, ctx.policies, label))
        except TemplateError as exc:
            problems = [Problem("data", f"template does not render / 模板无法渲染: {exc}")]
    _raise(problems)
    assert rendered is not None
    return rendered


async def preview_stored(
    ctx: NotifyContext, template_id: str, data: Mapping[str, Any] | None = None
) -> Rendered:
    t = await ctx.templates.get(template_id)
    if t is None:
        raise NotFound(f"no such template / 模板不存在: {template_id}")
    return await preview(ctx, t, data)
