"""Turning an event into the title and body one recipient reads on one channel."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from notify.domain.catalog import EventType
from notify.domain.default_templates import GENERIC
from notify.domain.model import ANY_CHANNEL, Template
from notify.domain.routing import Attrs
from notify.service_layer.context import NotifyContext, Policies
from notify.service_layer.ports import IncomingEvent, Renderer, TemplateError

MAX_TITLE = 200
MAX_BODY = 4000


@dataclass(frozen=True, slots=True)
class Rendered:
    title: str
    body: str
    template_id: str
    problems: tuple[str, ...] = ()


def context_for(
    event: IncomingEvent,
    policies: Policies,
    *,
    recipient: Mapping[str, str] | None = None,
    rule: Mapping[str, str] | None = None,
    channel: str = "",
) -> dict[str, Any]:
    """What a template sees: event, data (the payload), attrs, recipient, rule, channel."""
    return {
        "event": {
            "id": event.id,
            "type": event.type,
            "label": event.type.rsplit(".", 1)[-1],
            "subject": event.subject,
            "source": event.source,
            "time": policies.local_text(event.time),
        },
        "data": event.data,
        "attrs": attr_pairs(event.attrs),
        "recipient": dict(recipient or {"id": "", "name": "", "unit": ""}),
        "rule": dict(rule or {"id": "", "name": "", "priority": ""}),
        "channel": channel,
    }


def attr_pairs(attrs: Attrs) -> list[tuple[str, str]]:
    return [(k, "、".join(v)) for k, v in sorted(attrs.items()) if "." not in k]


def sample_context(etype: EventType, policies: Policies, channel: str = "") -> dict[str, Any]:
    """The context a template is checked against when it is saved."""
    sample = IncomingEvent(
        id="00000000-0000-0000-0000-000000000000",
        type=etype.name,
        source="/qingshan/sample",
        subject="sample-subject",
        time=datetime(2025, 1, 1, 1, 0, tzinfo=UTC),
        trace_id="0" * 32,
        data=etype.sample,
        attrs=etype.sample_attrs,
    )
    return context_for(
        sample,
        policies,
        recipient={"id": "r-sample", "name": "张三", "unit": "示例单位"},
        rule={"id": "rule-sample", "name": "示例规则", "priority": "普通"},
        channel=channel,
    )


def candidates(
    templates: Sequence[Template], event_type: str, channel: str, variant: str
) -> list[Template]:
    """Most specific first: (channel, variant), (*, variant), (channel, default), (*, default),
    then the generic fallback."""
    by_id = {t.id: t for t in templates if t.event_type == event_type}
    order = [
        (channel, variant),
        (ANY_CHANNEL, variant),
        (channel, "default"),
        (ANY_CHANNEL, "default"),
    ]
    out: list[Template] = []
    for ch, var in dict.fromkeys(order):
        t = by_id.get(f"{event_type}:{ch}:{var}")
        if t is not None:
            out.append(t)
    return [*out, GENERIC]


def render_template(renderer: Renderer, template: Template, context: Mapping[str, Any]) -> Rendered:
    """Render one template; TemplateError passes up."""
    title = renderer.render(template.title, context).strip()
    body = renderer.render(template.body, context).strip()
    if not title:
        raise TemplateError("the title renders empty / 标题渲染结果为空")
    return Rendered(title[:MAX_TITLE], body[:MAX_BODY], template.id)


def render_first(
    renderer: Renderer, templates: Sequence[Template], context: Mapping[str, Any]
) -> Rendered:
    """The first template that renders; a broken stored template never stops a message."""
    problems: list[str] = []
    for t in templates:
        try:
            r = render_template(renderer, t, context)
        except TemplateError as exc:
            problems.append(f"{t.id}: {exc}")
            continue
        return Rendered(r.title, r.body, r.template_id, tuple(problems))
    # The generic template renders any event; reaching here means the renderer itself failed.
    return Rendered(str(context["event"]["type"]), "", "none", tuple(problems))


async def report_failures(ctx: NotifyContext, rendered: Rendered, event_type: str) -> None:
    """Raise an ops alert for every template that failed and was passed over (once per
    template and error); the message itself already went on with the next template. (With
    the store down this fails like the delivery's own write, and the event is retried.)"""
    for problem in rendered.problems:
        template_id = problem.split(": ", 1)[0]
        digest = hashlib.sha256(problem.encode()).hexdigest()[:12]
        await ctx.ops.raise_once(
            "template_failed",
            f"{template_id}/{digest}",
            f"通知模板渲染失败，已改用通用模板 / template failed, generic used: {template_id}",
            f"event_type={event_type} used={rendered.template_id} {problem}",
        )
