"""/v1/complaints: intake, lookup, lifecycle actions, history, the audited identity reveal."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response

from complaints.domain.errors import NotFound
from complaints.domain.model import Action, Category, Channel, Role, Status
from complaints.entrypoints.http.errors import CONFLICT, ERRORS, MALFORMED, NOT_FOUND
from complaints.entrypoints.http.responses import (
    ComplaintOut,
    ComplaintPage,
    HistoryOut,
    IdentityOut,
)
from complaints.entrypoints.http.schemas import ActionBody, ComplaintCreate
from complaints.entrypoints.http.units import registered_unit
from complaints.entrypoints.http.views import (
    actor_of,
    complaint_view,
    history_view,
    receipt_view,
    with_clocks,
)
from complaints.service_layer.actions import ActionRequest, perform
from complaints.service_layer.cases import stored_case, visible_case
from complaints.service_layer.context import Context
from complaints.service_layer.intake import SubmitComplaint, submit
from complaints.service_layer.listing import Filters, Queue, Sort, caller_phone, list_cases
from complaints.service_layer.queries import reveal_complainant
from qingshan_core.auth import STAFF, Principal, require_roles
from qingshan_core.auth import Role as R
from qingshan_core.ratelimit import TOO_MANY, per_client

router = APIRouter(
    prefix="/v1/complaints",
    tags=["complaints 信访投诉"],
    responses=ERRORS,
    dependencies=[Depends(registered_unit)],
)
QUEUES_DOC = "工作队列 / work queue: " + " | ".join(q.value for q in Queue)
ACTIONS = [a.value for a in Action if a not in (Action.RECEIVE, Action.RAISE_ALERT)]


def ctx_of(request: Request) -> Context:
    ctx: Context = request.app.state.ctx
    return ctx


@router.post(
    "",
    status_code=201,
    summary="受理 / submit a complaint",
    responses={
        200: {
            "description": "已受理过 / the case this order number or key created",
            "model": ComplaintOut,
        }
    }
    | CONFLICT
    | MALFORMED
    | TOO_MANY,
    response_model=ComplaintOut,
    response_model_exclude_unset=True,
)
async def create(
    body: ComplaintCreate,
    request: Request,
    response: Response,
    idempotency_key: str | None = Header(default=None, max_length=128),
    p: Principal = Depends(
        per_client(require_roles(R.OPERATOR, R.INTEGRATION, R.PUBLIC, R.SUPERVISOR, R.ADMIN))
    ),
) -> ComplaintOut:
    """Take in a complaint; a repeated order number or Idempotency-Key returns the first case
    (only to a caller who may read it: a public caller's order numbers are its own). A public
    caller's `received_at` is the moment of intake, whatever it sends. Rate limited per
    address and per client."""
    cmd = SubmitComplaint(
        channel=body.channel,
        category=body.category,
        urgency=body.urgency,
        description=body.description,
        address=body.location.address,
        town=body.location.town,
        lat=body.location.lat,
        lon=body.location.lon,
        anonymous=body.complainant.anonymous,
        name=(body.complainant.name or "").strip() or None,
        phone=body.complainant.phone,
        external_id=body.external_id,
        received_at=body.received_at,
        idempotency_key=idempotency_key,
    )
    result = await submit(cmd, actor_of(p), ctx_of(request), request.state.trace_id)
    if not result.created:
        response.status_code = 200
    if p.role is R.PUBLIC:  # a reporter gets what they need to follow the case, no more
        view = receipt_view(result.case)
    else:
        view = complaint_view(result.case, p, detail=False)
    view.created = result.created
    return view


@router.get(
    "",
    summary="案件列表 / list complaints",
    response_model=ComplaintPage,
    response_model_exclude_unset=True,
)
async def list_complaints(
    request: Request,
    status: Status | None = None,
    unit_id: str | None = Query(default=None, max_length=64),
    channel: Channel | None = None,
    category: Category | None = None,
    queue: Queue | None = Query(default=None, description=QUEUES_DOC),
    number: str | None = Query(default=None, max_length=64, description="案件编号或平台工单号"),
    phone: str | None = Query(default=None, max_length=30, description="来电号码 (blind index)"),
    q: str | None = Query(default=None, max_length=100, description="描述或地址中的文字"),
    sort: Sort = Sort.NEWEST,
    limit: int = Query(default=50, ge=1, le=200),
    offset: int = Query(default=0, ge=0, le=1_000_000),
    p: Principal = Depends(require_roles(*STAFF)),
) -> ComplaintPage:
    """Newest first unless sorted otherwise; a unit handler sees its own unit's cases only and
    may not search by the caller's phone."""
    actor = actor_of(p)
    digits = caller_phone(phone, actor)
    filters = Filters(
        queue=queue,
        status=status,
        unit_id=unit_id,
        channel=channel,
        category=category,
        number=(number or "").strip() or None,
        phone=digits,
        text=(q or "").strip() or None,
    )
    page, total = await list_cases(
        ctx_of(request), filters, actor, sort, offset=offset, limit=limit
    )
    return ComplaintPage(total=total, items=[complaint_view(c, p, detail=False) for c in page])


@router.get(
    "/{complaint_id}",
    summary="案件详情 / one complaint",
    responses=NOT_FOUND,
    response_model=ComplaintOut,
    response_model_exclude_unset=True,
)
async def get_one(
    request: Request,
    complaint_id: str = Path(max_length=64),
    p: Principal = Depends(require_roles(*STAFF)),
) -> ComplaintOut:
    """The case, masked for the caller, with the actions the caller may take now."""
    ctx = ctx_of(request)
    case = await visible_case(ctx, complaint_id, actor_of(p))
    return with_clocks(complaint_view(case, p), case, ctx)


@router.get(
    "/{complaint_id}/history", summary="办理记录 / append-only history", responses=NOT_FOUND
)
async def history(
    request: Request,
    complaint_id: str = Path(max_length=64),
    p: Principal = Depends(require_roles(*STAFF)),
) -> list[HistoryOut]:
    """Who did what and when, oldest first."""
    case = await visible_case(ctx_of(request), complaint_id, actor_of(p))
    return history_view(case.complaint)


@router.get(
    "/{complaint_id}/complainant",
    summary="查看举报人身份（留痕） / reveal identity",
    responses=NOT_FOUND,
)
async def complainant(
    request: Request,
    complaint_id: str = Path(max_length=64),
    purpose: str = Query(min_length=2, max_length=200, description="查阅事由 / why"),
    p: Principal = Depends(require_roles(R.SUPERVISOR, R.ADMIN)),
) -> IdentityOut:
    """Decrypt the reporter's name and phone; every read is audited with its purpose."""
    ctx = ctx_of(request)
    person = await reveal_complainant(
        ctx, complaint_id, actor_of(p), purpose, request.state.trace_id
    )
    return IdentityOut(anonymous=person.anonymous, name=person.name, phone=person.phone)


@router.post(
    "/{complaint_id}/{action}",
    summary="办理 / lifecycle action",
    responses=NOT_FOUND | CONFLICT | MALFORMED,
    response_model=ComplaintOut,
    response_model_exclude_unset=True,
)
async def act(
    request: Request,
    body: ActionBody | None = None,
    complaint_id: str = Path(max_length=64),
    action: str = Path(description=" | ".join(ACTIONS)),
    p: Principal = Depends(require_roles(*STAFF)),
) -> ComplaintOut:
    """assign, accept, return, extend, approve-extension, reject-extension, reply, close,
    follow-up, reopen, merge, bureau-supervise (督办 by the bureau: `reason` required,
    `deadline` optional) — each only by its roles and from its states (else 403/409)."""
    if action not in ACTIONS:
        raise NotFound(f"action {action}")
    body = body or ActionBody()
    req = ActionRequest(**body.model_dump())
    ctx = ctx_of(request)
    loaded = await perform(
        ctx, complaint_id, Action(action), actor_of(p), req, request.state.trace_id
    )
    case = await stored_case(ctx, loaded.complaint.id)
    return with_clocks(complaint_view(case, p), case, ctx)


__all__ = ["Role", "router"]
