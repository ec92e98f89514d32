"""Open311 GeoReport v2 (JSON) mapped onto the same intake, so civic-reporting apps can submit.

The app's `api_key` is a qingshan bearer token (role public or integration); it may also come
as an Authorization header. Identity never appears in a response. A public caller reads only
the requests it made: those its token's subject posted, and of those posted with a
`device_id`, only with the same `device_id` (an app key shared by many phones shows each phone
its own). Staff and integrations read every request. Every route is rate limited per address,
and per client once the caller is known (qingshan_core.ratelimit).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError, field_serializer

from complaints.domain.errors import DomainError
from complaints.domain.model import Category, Channel, Urgency
from complaints.entrypoints.http.complaints import ctx_of
from complaints.entrypoints.http.errors import ERRORS
from complaints.entrypoints.http.schemas import ComplainantIn, LocationIn
from complaints.entrypoints.http.views import actor_of
from complaints.service_layer.intake import SubmitComplaint, submit
from complaints.service_layer.open311 import CLOSED, RequestFilter, one_request, requests
from complaints.service_layer.ports import Case
from qingshan_core.auth import AuthError, Principal, bearer_token
from qingshan_core.auth import Role as R
from qingshan_core.problems import PROBLEM_REF
from qingshan_core.ratelimit import PER_ADDRESS, TOO_MANY, count_client

router = APIRouter(
    prefix="/open311/v2",
    tags=["Open311 GeoReport v2"],
    dependencies=[PER_ADDRESS],
    responses=TOO_MANY,
)
SPAN = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2101, 1, 1, tzinfo=UTC))


class Open311Error(BaseModel):
    """GeoReport v2 errors come as a list of these."""

    code: int
    description: str


class ServiceOut(BaseModel):
    service_code: str
    service_name: str
    description: str
    metadata: bool
    type: str
    keywords: str
    group: str


class ServiceDefinition(BaseModel):
    service_code: str
    attributes: list[dict[str, Any]]


class Receipt(BaseModel):
    service_request_id: str
    service_notice: str


class RequestOut(BaseModel):
    """A service request as GeoReport v2 shows it (times in UTC, as stored)."""

    service_request_id: str
    status: str
    status_notes: str
    service_name: str
    service_code: str
    description: str
    agency_responsible: str | None
    requested_datetime: datetime
    updated_datetime: datetime
    expected_datetime: datetime | None
    address: str
    lat: float | None
    long: float | None

    @field_serializer("requested_datetime", "updated_datetime", "expected_datetime")
    def _utc(self, at: datetime | None) -> str | None:
        return None if at is None else at.astimezone(UTC).isoformat()


AUTH = {401: ERRORS[401], 403: ERRORS[403]}
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": list[Open311Error], "description": "unknown id or service_code"}
}
REFUSED: dict[int | str, dict[str, Any]] = {
    # GeoReport errors; a body that cannot be parsed at all gets the platform's problem details.
    400: {
        "model": list[Open311Error],
        "description": "refused request",
        "content": {"application/problem+json": {"schema": PROBLEM_REF}},
    }
}


def _error(status: int, description: str) -> JSONResponse:
    return JSONResponse(status_code=status, content=[{"code": status, "description": description}])


async def _principal(request: Request, api_key: str | None) -> Principal:
    token = api_key or bearer_token(request.headers.get("authorization"))
    if not token:
        raise HTTPException(401, "api_key required / 缺少 api_key")
    try:
        p: Principal = await request.app.state.token_verifier.verify(token)
    except AuthError as exc:
        raise HTTPException(401, exc.reason) from exc
    if p.role not in (R.PUBLIC, R.INTEGRATION, R.OPERATOR, R.SUPERVISOR, R.ADMIN):
        raise HTTPException(403, "role not allowed / 无权访问")
    await count_client(request, p)
    return p


@router.get("/services.json", summary="services list")
async def services() -> list[ServiceOut]:
    """One Open311 service per complaint category."""
    return [
        ServiceOut(
            service_code=c.value,
            service_name=c.label,
            description=f"{c.label}污染投诉 / {c.value.replace('_', ' ')} complaint",
            metadata=False,
            type="realtime",
            keywords=f"{c.value},{c.label},环境投诉",
            group="生态环境 / environment",
        )
        for c in Category
    ]


@router.get(
    "/services/{service_code}.json",
    summary="service definition",
    responses=NOT_FOUND,
    response_model=ServiceDefinition,
)
async def definition(service_code: str) -> Any:
    """No extra attributes: every category takes the standard fields."""
    if service_code not in {c.value for c in Category}:
        return _error(404, f"unknown service_code {service_code}")
    return ServiceDefinition(service_code=service_code, attributes=[])


@router.post(
    "/requests.json",
    summary="post service request",
    responses=REFUSED | AUTH,
    response_model=list[Receipt],
)
async def post_request(
    request: Request,
    service_code: Annotated[str, Form()],
    api_key: Annotated[str | None, Form()] = None,
    lat: Annotated[float | None, Form()] = None,
    long: Annotated[float | None, Form()] = None,
    address_string: Annotated[str | None, Form(max_length=200)] = None,
    description: Annotated[str | None, Form(max_length=4000)] = None,
    first_name: Annotated[str | None, Form(max_length=25)] = None,
    last_name: Annotated[str | None, Form(max_length=25)] = None,
    phone: Annotated[str | None, Form(max_length=30)] = None,
    device_id: Annotated[str | None, Form(max_length=64)] = None,
) -> Any:
    """Create a case (channel app); answers [{service_request_id, service_notice}]."""
    p = await _principal(request, api_key)
    if service_code not in {c.value for c in Category}:
        return _error(400, f"service_code: unknown / 未知的服务类别 {service_code}")
    if not description or not description.strip():
        return _error(400, "description: required / 请填写问题描述")
    name = "".join(x for x in (last_name, first_name) if x) or None
    try:
        loc = LocationIn(
            address=address_string or (f"{lat},{long}" if lat is not None else ""),
            lat=lat,
            lon=long,
        )
        person = ComplainantIn(anonymous=not (name or phone), name=name, phone=phone)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(x) for x in first["loc"]) or "address_string"
        return _error(400, f"{field}: {first['msg']}")
    cmd = SubmitComplaint(
        channel=Channel.APP,
        category=Category(service_code),
        urgency=Urgency.NORMAL,
        description=description,
        address=loc.address,
        lat=loc.lat,
        lon=loc.lon,
        anonymous=person.anonymous,
        name=person.name,
        phone=person.phone,
        idempotency_key=_idem(device_id, description),
        device_id=device_id,
    )
    try:
        result = await submit(cmd, actor_of(p), ctx_of(request), request.state.trace_id)
    except DomainError as exc:
        return _error(400, str(exc))
    c = result.case.complaint
    return [Receipt(service_request_id=c.id, service_notice=f"查询码 {c.tracking_code}")]


def _idem(device_id: str | None, description: str) -> str | None:
    """A retried POST from the same device with the same text is the same report."""
    if not device_id:
        return None
    digest = hashlib.sha256(description.encode()).hexdigest()[:16]
    return f"open311:{device_id}:{digest}"


def _request_view(case: Case) -> RequestOut:
    c, loc = case.complaint, case.complaint.location
    return RequestOut(
        service_request_id=c.id,
        status="closed" if c.status.value in CLOSED else "open",
        status_notes=c.status.label,
        service_name=c.category.label,
        service_code=c.category.value,
        description=c.description,
        agency_responsible=c.unit_id,
        requested_datetime=c.received_at,
        updated_datetime=c.history[-1].at if c.history else c.received_at,
        expected_datetime=c.deadlines.close.due,
        address=loc.address,
        lat=loc.lat,
        long=loc.lon,
    )


@router.get(
    "/requests.json",
    summary="get service requests",
    responses=AUTH | REFUSED,
    response_model=list[RequestOut],
)
async def get_requests(
    request: Request,
    api_key: str | None = None,
    service_request_id: str | None = Query(default=None, max_length=1000),
    service_code: str | None = None,
    start_date: datetime | None = None,
    end_date: datetime | None = None,
    status: str | None = Query(default=None, pattern="^(open|closed)$"),
    device_id: str | None = Query(default=None, max_length=64),
) -> Any:
    """Requests by id list, or by filters (newest first, at most 200); a public caller gets
    only its own (and, for requests posted with a device_id, only with that device_id)."""
    p = await _principal(request, api_key)
    for name, value in (("start_date", start_date), ("end_date", end_date)):
        # A naive value is UTC, as the store reads it; far dates cannot be stored or compared.
        if value and not SPAN[0] <= value.replace(tzinfo=value.tzinfo or UTC) <= SPAN[1]:
            return _error(400, f"{name}: must lie in 2000–2100 / 日期超出范围")
    ids = None
    if service_request_id:
        ids = tuple(i.strip() for i in service_request_id.split(",") if i.strip())
    f = RequestFilter(
        ids=ids,
        service_code=service_code,
        start=start_date,
        end=end_date,
        closed=None if status is None else status == "closed",
        device_id=device_id,
    )
    return [_request_view(c) for c in await requests(ctx_of(request), f, actor_of(p))]


@router.get(
    "/requests/{service_request_id}.json",
    summary="get service request",
    responses=AUTH | NOT_FOUND,
    response_model=list[RequestOut],
)
async def get_request(
    request: Request,
    service_request_id: str,
    api_key: str | None = None,
    device_id: str | None = Query(default=None, max_length=64),
) -> Any:
    """One request, as a one-element list (the GeoReport convention); to a public caller
    only one of its own (else 404, as for an unknown id)."""
    p = await _principal(request, api_key)
    case = await one_request(ctx_of(request), service_request_id, actor_of(p), device_id)
    if case is None:
        return _error(404, f"service_request_id {service_request_id} not found")
    return [_request_view(case)]
