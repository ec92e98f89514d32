"""/v1/platforms/{platform}/orders/{order_number}: the API the city 12345 platform (and the
12369 platform) calls on the work orders it sent, as its service account (role integration)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Path, Request

from complaints.adapters.platform_mapping import PlatformConfig
from complaints.domain.model import Channel
from complaints.domain.platform import Step
from complaints.entrypoints.http.complaints import ctx_of
from complaints.entrypoints.http.errors import CONFLICT, ERRORS, MALFORMED, NOT_FOUND
from complaints.entrypoints.http.platform_schemas import (
    ExtensionDecisionIn,
    FollowUpIn,
    PlatformCode,
    PlatformOrderOut,
    RedispatchIn,
    StepOut,
    UrgeIn,
    WithdrawIn,
)
from complaints.entrypoints.http.views import actor_of, in_local_time
from complaints.service_layer.cases import stored_case
from complaints.service_layer.platform_inbound import Kind, PlatformRequest, find_order, handle
from complaints.service_layer.ports import Case
from qingshan_core.auth import Principal, require_roles
from qingshan_core.auth import Role as R
from qingshan_core.ratelimit import TOO_MANY, per_client

router = APIRouter(
    prefix="/v1/platforms/{platform}/orders/{order_number}",
    tags=["platforms 12345/12369 平台对接"],
    responses=ERRORS | NOT_FOUND | TOO_MANY,
)
PLATFORM = per_client(require_roles(R.INTEGRATION))
ORDER = Path(min_length=1, max_length=64, description="工单号 / the platform's order number")
ANSWERS: dict[int | str, dict[str, Any]] = CONFLICT | MALFORMED


def _config(request: Request, platform: PlatformCode) -> PlatformConfig:
    configs: dict[str, PlatformConfig] = ctx_of(request).platforms
    return configs.get(platform.value) or PlatformConfig()


def order_view(case: Case, platform: PlatformCode, duplicate: bool = False) -> PlatformOrderOut:
    c = case.complaint
    due = (c.deadlines.reply or c.deadlines.close).due
    urges, supervisions = c.urge_count, c.supervise_count
    level = "supervise" if supervisions else "urge" if urges else None
    return PlatformOrderOut(
        platform=platform,
        order_number=c.external_id or "",
        complaint_id=c.id,
        status=c.status.value,
        status_label=c.status.label,
        unit_id=c.unit_id,
        escalation_level=level,
        urge_count=urges,
        supervise_count=supervisions,
        satisfaction=c.satisfaction.value if c.satisfaction else None,
        reopen_count=c.reopen_count,
        pending_extension=c.pending_extension is not None,
        deadline=in_local_time(due),
        duplicate=duplicate,
    )


async def _apply(
    request: Request,
    p: Principal,
    platform: PlatformCode,
    order_number: str,
    kind: Kind,
    request_id: str,
    **values: Any,
) -> PlatformOrderOut:
    ctx = ctx_of(request)
    req = PlatformRequest(Channel(platform.value), order_number, request_id, kind, **values)
    done = await handle(ctx, _config(request, platform), req, actor_of(p), request.state.trace_id)
    case = await stored_case(ctx, done.loaded.complaint.id)
    return order_view(case, platform, done.duplicate)


@router.get("", summary="工单状态 / the order as qingshan holds it")
async def get_order(
    request: Request,
    platform: PlatformCode,
    order_number: str = ORDER,
    p: Principal = Depends(PLATFORM),
) -> PlatformOrderOut:
    """Status, unit, escalation, and every district step with what became of it."""
    ctx = ctx_of(request)
    complaint_id = await find_order(ctx, Channel(platform.value), order_number)
    view = order_view(await stored_case(ctx, complaint_id), platform)
    rows = await ctx.platform_queue.of_case(complaint_id) if ctx.platform_queue else []
    view.steps = [
        StepOut(
            seq=int(r["seq"]),
            step=r["step"],
            step_label=Step(r["step"]).label,
            outcome=r["outcome"],
            status=r.get("status"),
            attempts=int(r.get("attempts") or 0),
            answer=r.get("answer") if r["outcome"] == "refused" else None,
        )
        for r in rows
    ]
    return view


@router.post("/urge", summary="催办 / urge", responses=ANSWERS)
async def urge(
    request: Request,
    body: UrgeIn,
    platform: PlatformCode,
    order_number: str = ORDER,
    p: Principal = Depends(PLATFORM),
) -> PlatformOrderOut:
    """Raise the case's escalation level to 催办 and tell the unit head; counted per case.
    While the district still owes the answer (else 409)."""
    return await _apply(
        request, p, platform, order_number, Kind.URGE, body.request_id, note=body.note
    )


@router.post("/supervise", summary="督办 / supervise", responses=ANSWERS)
async def supervise(
    request: Request,
    body: UrgeIn,
    platform: PlatformCode,
    order_number: str = ORDER,
    p: Principal = Depends(PLATFORM),
) -> PlatformOrderOut:
    """Raise the case's escalation level to 督办 and tell the unit head; counted per case."""
    return await _apply(
        request, p, platform, order_number, Kind.SUPERVISE, body.request_id, note=body.note
    )


@router.post("/extension-decision", summary="延期审核 / extension decision", responses=ANSWERS)
async def extension_decision(
    request: Request,
    body: ExtensionDecisionIn,
    platform: PlatformCode,
    order_number: str = ORDER,
    p: Principal = Depends(PLATFORM),
) -> PlatformOrderOut:
    """Approve (the deadlines move) or refuse the pending 延期 request; 409 without one."""
    return await _apply(
        request,
        p,
        platform,
        order_number,
        Kind.EXTENSION_DECISION,
        body.request_id,
        approved=body.approved,
        note=body.reason,
    )


@router.post("/follow-up", summary="回访结果 / follow-up result", responses=ANSWERS)
async def follow_up(
    request: Request,
    body: FollowUpIn,
    platform: PlatformCode,
    order_number: str = ORDER,
    p: Principal = Depends(PLATFORM),
) -> PlatformOrderOut:
    """满意 / 基本满意 end the case; 不满意 sends it back to its unit for rework (the platform's
    `dissatisfied` setting). Only after 办结 (else 409)."""
    return await _apply(
        request,
        p,
        platform,
        order_number,
        Kind.FOLLOW_UP,
        body.request_id,
        satisfaction=body.satisfaction,
        note=body.note,
    )


@router.post("/withdraw", summary="撤单 / withdraw", responses=ANSWERS)
async def withdraw(
    request: Request,
    body: WithdrawIn,
    platform: PlatformCode,
    order_number: str = ORDER,
    p: Principal = Depends(PLATFORM),
) -> PlatformOrderOut:
    """The order is withdrawn: the case ends (no further alerts; out of the rates)."""
    return await _apply(
        request, p, platform, order_number, Kind.WITHDRAW, body.request_id, note=body.reason
    )


@router.post("/redispatch", summary="改派 / re-dispatch", responses=ANSWERS)
async def redispatch(
    request: Request,
    body: RedispatchIn,
    platform: PlatformCode,
    order_number: str = ORDER,
    p: Principal = Depends(PLATFORM),
) -> PlatformOrderOut:
    """Another unit takes the case and must sign for it; before anyone replied (else 409)."""
    return await _apply(
        request,
        p,
        platform,
        order_number,
        Kind.REDISPATCH,
        body.request_id,
        unit_id=body.unit_id,
        note=body.reason,
    )
