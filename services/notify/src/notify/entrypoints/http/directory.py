"""REST: recipients, groups and per-unit escalation chains (admin and supervisor)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response, status

from notify.domain.errors import NotFound
from notify.entrypoints.http.deps import (
    CONFLICT,
    ERRORS,
    MALFORMED,
    MANAGERS,
    NOT_FOUND,
    notify_ctx,
)
from notify.entrypoints.http.schemas_directory import (
    ChainBody,
    ChainOut,
    GroupIn,
    GroupOut,
    RecipientIn,
    RecipientOut,
    keep_stored,
)
from notify.service_layer import admin
from notify.service_layer.context import NotifyContext
from qingshan_core.auth import Principal, require_roles

router = APIRouter(prefix="/v1", tags=["directory / 通讯录"], responses=ERRORS)
Manager = Depends(require_roles(*MANAGERS))
Ctx = Depends(notify_ctx)


@router.get("/recipients", response_model=list[RecipientOut])
async def list_recipients(_: Principal = Manager, ctx: NotifyContext = Ctx) -> list[RecipientOut]:
    """Every recipient / 全部接收人."""
    return [RecipientOut.of(r) for r in await ctx.directory.list_recipients()]


@router.post(
    "/recipients",
    response_model=RecipientOut,
    status_code=status.HTTP_201_CREATED,
    responses=CONFLICT | MALFORMED,
)
async def create_recipient(
    body: RecipientIn, _: Principal = Manager, ctx: NotifyContext = Ctx
) -> RecipientOut:
    """Create a recipient; malformed addresses → 422 / 新建接收人."""
    return RecipientOut.of(await admin.save_recipient(ctx, body.domain(), create=True))


@router.get("/recipients/{recipient_id}", response_model=RecipientOut, responses=NOT_FOUND)
async def get_recipient(
    recipient_id: str, _: Principal = Manager, ctx: NotifyContext = Ctx
) -> RecipientOut:
    """One recipient / 查看接收人."""
    r = await ctx.directory.get_recipient(recipient_id)
    if r is None:
        raise NotFound(f"no such recipient / 接收人不存在: {recipient_id}")
    return RecipientOut.of(r)


@router.put(
    "/recipients/{recipient_id}",
    response_model=RecipientOut,
    responses=NOT_FOUND | CONFLICT | MALFORMED,
)
async def replace_recipient(
    recipient_id: str, body: RecipientIn, _: Principal = Manager, ctx: NotifyContext = Ctx
) -> RecipientOut:
    """Replace a recipient (the id in the path wins; a robot URL sent back masked as read
    keeps the stored one) / 修改接收人."""
    now = await ctx.directory.get_recipient(recipient_id)
    robots = {
        "wecom": keep_stored(body.wecom, now.wecom if now else None),
        "dingtalk": keep_stored(body.dingtalk, now.dingtalk if now else None),
    }
    r = body.model_copy(update={"id": recipient_id, **robots}).domain()
    return RecipientOut.of(await admin.save_recipient(ctx, r, create=False))


@router.delete(
    "/recipients/{recipient_id}", status_code=status.HTTP_204_NO_CONTENT, responses=NOT_FOUND
)
async def delete_recipient(
    recipient_id: str, _: Principal = Manager, ctx: NotifyContext = Ctx
) -> Response:
    """Delete a recipient / 删除接收人."""
    if not await ctx.directory.delete_recipient(recipient_id):
        raise NotFound(f"no such recipient / 接收人不存在: {recipient_id}")
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/groups", response_model=list[GroupOut])
async def list_groups(_: Principal = Manager, ctx: NotifyContext = Ctx) -> list[GroupOut]:
    """Every group / 全部分组."""
    return [GroupOut.of(g) for g in await ctx.directory.list_groups()]


@router.post(
    "/groups",
    response_model=GroupOut,
    status_code=status.HTTP_201_CREATED,
    responses=CONFLICT | MALFORMED,
)
async def create_group(body: GroupIn, _: Principal = Manager, ctx: NotifyContext = Ctx) -> GroupOut:
    """Create a group; unknown members or malformed robot URLs → 422 / 新建分组."""
    return GroupOut.of(await admin.save_group(ctx, body.domain(), create=True))


@router.get("/groups/{group_id}", response_model=GroupOut, responses=NOT_FOUND)
async def get_group(group_id: str, _: Principal = Manager, ctx: NotifyContext = Ctx) -> GroupOut:
    """One group / 查看分组."""
    g = await ctx.directory.get_group(group_id)
    if g is None:
        raise NotFound(f"no such group / 分组不存在: {group_id}")
    return GroupOut.of(g)


@router.put(
    "/groups/{group_id}", response_model=GroupOut, responses=NOT_FOUND | CONFLICT | MALFORMED
)
async def replace_group(
    group_id: str, body: GroupIn, _: Principal = Manager, ctx: NotifyContext = Ctx
) -> GroupOut:
    """Replace a group (members and robots; a robot URL sent back masked as read keeps the
    stored one) / 修改分组."""
    now = await ctx.directory.get_group(group_id)
    robots = {
        "wecom": keep_stored(body.wecom, now.wecom if now else None),
        "dingtalk": keep_stored(body.dingtalk, now.dingtalk if now else None),
    }
    g = body.model_copy(update={"id": group_id, **robots}).domain()
    return GroupOut.of(await admin.save_group(ctx, g, create=False))


@router.delete("/groups/{group_id}", status_code=status.HTTP_204_NO_CONTENT, responses=NOT_FOUND)
async def delete_group(group_id: str, _: Principal = Manager, ctx: NotifyContext = Ctx) -> Response:
    """Delete a group / 删除分组."""
    if not await ctx.directory.delete_group(group_id):
        raise NotFound(f"no such group / 分组不存在: {group_id}")
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/escalation-chains", response_model=list[ChainOut])
async def list_chains(_: Principal = Manager, ctx: NotifyContext = Ctx) -> list[ChainOut]:
    """Every unit's escalation chain (`*` is the fallback) as planning uses it: the handlers
    and head of a unit of complaints' registry come from the registry (`source: registry`) /
    督办升级链（名录单位的承办人员与负责人来自承办单位名录）."""
    d = await ctx.directory.stored()
    return [
        ChainOut.of(c, "registry" if c.unit in d.units else "admin")
        for key, c in sorted(d.chains.items())
        if key == c.unit  # not the same chain again under the unit's name
    ]


@router.put("/escalation-chains/{unit}", response_model=ChainOut, responses=MALFORMED)
async def put_chain(
    unit: str, body: ChainBody, _: Principal = Manager, ctx: NotifyContext = Ctx
) -> ChainOut:
    """Set a unit's chain: handlers → unit heads → bureau / 设置单位升级链."""
    return ChainOut.of(await admin.save_chain(ctx, body.domain(unit)))


@router.delete(
    "/escalation-chains/{unit}", status_code=status.HTTP_204_NO_CONTENT, responses=NOT_FOUND
)
async def delete_chain(unit: str, _: Principal = Manager, ctx: NotifyContext = Ctx) -> Response:
    """Delete a unit's chain / 删除单位升级链."""
    if not await ctx.directory.delete_chain(unit):
        raise NotFound(f"no such chain / 升级链不存在: {unit}")
    return Response(status_code=status.HTTP_204_NO_CONTENT)
