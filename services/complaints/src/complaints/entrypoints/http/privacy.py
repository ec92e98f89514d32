"""Reporters' personal data: erasure on request, the reveal audit, the retention periods."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from complaints.adapters.audit import AuditFilter, AuditKind
from complaints.entrypoints.http.complaints import ctx_of
from complaints.entrypoints.http.errors import ERRORS, NOT_FOUND
from complaints.entrypoints.http.responses import Erased, RetentionOut, RevealPage, RevealRecord
from complaints.entrypoints.http.views import actor_of
from complaints.service_layer.erasure import erase_on_request
from qingshan_core.auth import Principal, require_roles
from qingshan_core.auth import Role as R

router = APIRouter(tags=["privacy 个人信息保护"], responses=ERRORS)
ADMIN = require_roles(R.ADMIN)


class EraseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(
        min_length=2, max_length=500, description="删除依据，如本人申请的编号 / why (required)"
    )


@router.post(
    "/v1/complaints/{complaint_id}/erase",
    summary="删除举报人个人信息 / erase the reporter's identity",
    responses=NOT_FOUND,
)
async def erase(
    body: EraseIn,
    request: Request,
    complaint_id: str = Path(max_length=64),
    p: Principal = Depends(ADMIN),
) -> Erased:
    """Removes the reporter's name, phone, blind index and contact from the case (and, through
    `ComplaintErased`, from notify's deliveries and inbox); audited with the reason. The case
    and its statistics stay. Answers what was removed (nothing when erased before)."""
    ctx = ctx_of(request)
    reason = body.reason.strip()
    removed = await erase_on_request(ctx, complaint_id, actor_of(p), reason, request.state.trace_id)
    return Erased(complaint_id=complaint_id, removed=removed, erased=True)


@router.get("/v1/admin/reveals", summary="个人信息查阅记录 / the reveal audit")
async def reveals(
    request: Request,
    actor_id: str | None = Query(default=None, max_length=128, description="查阅人"),
    complaint_id: str | None = Query(default=None, max_length=64),
    kind: AuditKind | None = Query(default=None, description="reveal | erase"),
    since: AwareDatetime | None = Query(default=None, description="起 (含) / from"),
    until: AwareDatetime | None = Query(default=None, description="止 (不含) / until"),
    limit: int = Query(default=50, ge=1, le=500),
    offset: int = Query(default=0, ge=0, le=1_000_000),
    p: Principal = Depends(ADMIN),
) -> RevealPage:
    """Who revealed or erased which case's reporter data, when and why; newest first."""
    f = AuditFilter(actor_id, complaint_id, kind, since, until)
    docs, total = await ctx_of(request).audit.page(f, skip=offset, limit=limit)
    keys = ("kind", "complaint_id", "actor_id", "role", "purpose", "at", "trace_id")
    items = [RevealRecord.model_validate({k: d.get(k) for k in keys}) for d in docs]
    return RevealPage(total=total, items=items)


@router.get("/v1/admin/retention", summary="保存期限 / retention periods in force")
async def retention(request: Request, p: Principal = Depends(ADMIN)) -> RetentionOut:
    """Days after a case ended (see docs/retention.md for the legal basis of each)."""
    r = ctx_of(request).retention
    return RetentionOut(
        identity_days=r.identity.days,
        content_days=r.content.days,
        reveal_audit_days=r.reveal_audit.days,
        reveal_daily_threshold=r.reveal_daily_threshold,
    )
