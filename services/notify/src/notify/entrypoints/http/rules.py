"""REST: routing rules, templates (with preview) and the event types rules may name."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Response, status

from notify.domain.errors import NotFound, invalid
from notify.entrypoints.http.deps import (
    CONFLICT,
    ERRORS,
    MALFORMED,
    MANAGERS,
    NOT_FOUND,
    notify_ctx,
)
from notify.entrypoints.http.schemas import (
    EventTypeOut,
    PreviewIn,
    PreviewOut,
    RuleIn,
    TemplateIn,
    TemplateOut,
)
from notify.service_layer import admin
from notify.service_layer.context import NotifyContext
from qingshan_core.auth import Principal, require_roles

router = APIRouter(prefix="/v1", tags=["rules and templates / 规则与模板"], responses=ERRORS)
Manager = Depends(require_roles(*MANAGERS))
Ctx = Depends(notify_ctx)


@router.get("/event-types", response_model=list[EventTypeOut])
async def event_types(_: Principal = Manager, ctx: NotifyContext = Ctx) -> list[EventTypeOut]:
    """Event types rules may name, with their attributes and sample data / 可配置的事件类型."""
    return [
        EventTypeOut(
            name=t.name, service=t.service, attributes=list(t.attributes), sample=dict(t.sample)
        )
        for t in ctx.catalog.routable()
    ]


@router.get("/rules", response_model=list[RuleIn])
async def list_rules(
    event_type: str | None = Query(default=None),
    _: Principal = Manager,
    ctx: NotifyContext = Ctx,
) -> list[RuleIn]:
    """Routing rules, optionally for one event type / 路由规则."""
    return [RuleIn.of(r) for r in await ctx.rules.list(event_type)]


@router.post(
    "/rules",
    response_model=RuleIn,
    status_code=status.HTTP_201_CREATED,
    responses=CONFLICT | MALFORMED,
)
async def create_rule(body: RuleIn, _: Principal = Manager, ctx: NotifyContext = Ctx) -> RuleIn:
    """Create a rule; a bad type, channel, target or template → 422 / 新建规则."""
    return RuleIn.of(await admin.save_rule(ctx, body.domain(), create=True))


@router.get("/rules/{rule_id}", response_model=RuleIn, responses=NOT_FOUND)
async def get_rule(rule_id: str, _: Principal = Manager, ctx: NotifyContext = Ctx) -> RuleIn:
    """One rule / 查看规则."""
    r = await ctx.rules.get(rule_id)
    if r is None:
        raise NotFound(f"no such rule / 规则不存在: {rule_id}")
    return RuleIn.of(r)


@router.put("/rules/{rule_id}", response_model=RuleIn, responses=NOT_FOUND | CONFLICT | MALFORMED)
async def replace_rule(
    rule_id: str, body: RuleIn, _: Principal = Manager, ctx: NotifyContext = Ctx
) -> RuleIn:
    """Replace a rule (checked like a new one) / 修改规则."""
    rule = body.model_copy(update={"id": rule_id}).domain()
    return RuleIn.of(await admin.save_rule(ctx, rule, create=False))


@router.delete("/rules/{rule_id}", status_code=status.HTTP_204_NO_CONTENT, responses=NOT_FOUND)
async def delete_rule(rule_id: str, _: Principal = Manager, ctx: NotifyContext = Ctx) -> Response:
    """Delete a rule / 删除规则."""
    if not await ctx.rules.delete(rule_id):
        raise NotFound(f"no such rule / 规则不存在: {rule_id}")
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/templates", response_model=list[TemplateOut])
async def list_templates(
    event_type: str | None = Query(default=None),
    _: Principal = Manager,
    ctx: NotifyContext = Ctx,
) -> list[TemplateOut]:
    """Templates, optionally for one event type / 消息模板."""
    return [TemplateOut.of(t) for t in await ctx.templates.list(event_type)]


@router.post(
    "/templates",
    response_model=TemplateOut,
    status_code=status.HTTP_201_CREATED,
    responses=CONFLICT | MALFORMED,
)
async def create_template(
    body: TemplateIn, _: Principal = Manager, ctx: NotifyContext = Ctx
) -> TemplateOut:
    """Create a template that renders with sample data, else 422 / 新建模板."""
    return TemplateOut.of(await admin.save_template(ctx, body.domain(), create=True))


@router.post("/templates/preview", response_model=PreviewOut, responses=NOT_FOUND | MALFORMED)
async def preview_template(
    body: PreviewIn, _: Principal = Manager, ctx: NotifyContext = Ctx
) -> PreviewOut:
    """Render a stored (template_id) or unsaved template with sample data / 模板预览."""
    if body.template is not None:
        r = await admin.preview(ctx, body.template.domain(), body.data)
    elif body.template_id:
        r = await admin.preview_stored(ctx, body.template_id, body.data)
    else:
        raise invalid("template_id", "give template_id or template / 请提供模板")
    return PreviewOut(template_id=r.template_id, title=r.title, body=r.body)


@router.get("/templates/{template_id}", response_model=TemplateOut, responses=NOT_FOUND)
async def get_template(
    template_id: str, _: Principal = Manager, ctx: NotifyContext = Ctx
) -> TemplateOut:
    """One template / 查看模板."""
    t = await ctx.templates.get(template_id)
    if t is None:
        raise NotFound(f"no such template / 模板不存在: {template_id}")
    return TemplateOut.of(t)


@router.put(
    "/templates/{template_id}",
    response_model=TemplateOut,
    responses=NOT_FOUND | CONFLICT | MALFORMED,
)
async def replace_template(
    template_id: str, body: TemplateIn, _: Principal = Manager, ctx: NotifyContext = Ctx
) -> TemplateOut:
    """Replace a template's text (its id must match event_type:channel:variant) / 修改模板."""
    t = body.domain()
    if t.id != template_id:
        raise invalid(
            "template_id", f"{template_id} does not match the body ({t.id}) / 模板编号不符"
        )
    return TemplateOut.of(await admin.save_template(ctx, t, create=False))


@router.delete(
    "/templates/{template_id}", status_code=status.HTTP_204_NO_CONTENT, responses=NOT_FOUND
)
async def delete_template(
    template_id: str, _: Principal = Manager, ctx: NotifyContext = Ctx
) -> Response:
    """Delete a template (messages fall back to the generic text) / 删除模板."""
    if not await ctx.templates.delete(template_id):
        raise NotFound(f"no such template / 模板不存在: {template_id}")
    return Response(status_code=status.HTTP_204_NO_CONTENT)
