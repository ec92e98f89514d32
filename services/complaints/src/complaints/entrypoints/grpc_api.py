"""gRPC ComplaintService for integrations: submit, get, list (bearer token in metadata)."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from pydantic import ValidationError

from complaints.adapters.event_mapping import deadlines_pb
from complaints.domain.model import Category, Channel, Urgency, normal_phone
from complaints.entrypoints.http.schemas import ComplainantIn, LocationIn
from complaints.entrypoints.http.views import actor_of, complainant_view
from complaints.service_layer.cases import stored_case
from complaints.service_layer.context import Context
from complaints.service_layer.intake import SubmitComplaint, submit
from complaints.service_layer.listing import find_cases
from complaints.service_layer.ports import Case
from qingshan.complaints.v1 import complaints_service_pb2 as pb
from qingshan.complaints.v1 import complaints_service_pb2_grpc as pb_grpc
from qingshan_core.auth import Principal
from qingshan_core.auth import Role as R
from qingshan_core.errors import RuleViolation
from qingshan_core.events import timestamp
from qingshan_core.grpc_server import caller
from qingshan_core.runtime import Runtime
from qingshan_core.validation_text import validation_problem

ALLOWED = (R.INTEGRATION, R.OPERATOR, R.SUPERVISOR, R.ADMIN)
SERVICE = pb.DESCRIPTOR.services_by_name["ComplaintService"].full_name


def to_pb(case: Case, p: Principal) -> pb.Complaint:
    """A stored case as the gRPC message, masked like the REST view."""
    c, loc = case.complaint, case.complaint.location
    who = complainant_view(case, actor_of(p).role)
    return pb.Complaint(
        id=c.id,
        tracking_code=c.tracking_code,
        status=c.status.value,
        channel=c.channel.value,
        external_id=c.external_id or "",
        category=c.category.value,
        urgency=c.urgency.value,
        description=c.description,
        location=pb.Location(
            address=loc.address,
            town=loc.town or "",
            has_coordinates=loc.lat is not None,
            lat=loc.lat or 0.0,
            lon=loc.lon or 0.0,
        ),
        complainant=pb.Complainant(
            anonymous=who.anonymous, name=who.name or "", phone=who.phone or ""
        ),
        unit_id=c.unit_id or "",
        deadlines=deadlines_pb(c.deadlines),
        received_at=timestamp(c.received_at),
    )


class ComplaintServicer(pb_grpc.ComplaintServiceServicer):
    """Integrations (the city 12345 platform, other departments) use the same intake."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    async def SubmitComplaint(self, request: Any, context: Any) -> pb.SubmitComplaintResponse:
        """Same rules as POST /v1/complaints; bad input -> INVALID_ARGUMENT naming the field."""
        p = caller()
        try:
            loc = LocationIn(
                address=request.location.address,
                town=request.location.town,
                lat=request.location.lat if request.location.has_coordinates else None,
                lon=request.location.lon if request.location.has_coordinates else None,
            )
            who = ComplainantIn(
                anonymous=request.complainant.anonymous,
                name=request.complainant.name or None,
                phone=normal_phone(request.complainant.phone) or None,
            )
            cmd = SubmitComplaint(
                channel=Channel(request.channel),
                category=Category(request.category),
                urgency=Urgency(request.urgency or "normal"),
                description=request.description,
                address=loc.address,
                town=loc.town,
                lat=loc.lat,
                lon=loc.lon,
                anonymous=who.anonymous,
                name=who.name,
                phone=who.phone,
                external_id=request.external_id or None,
                received_at=request.received_at.ToDatetime(tzinfo=UTC)
                if request.HasField("received_at")
                else None,
                idempotency_key=request.idempotency_key or None,
            )
            result = await submit(cmd, actor_of(p), self.ctx)
        except ValidationError as exc:  # our own errors reach the core's error interceptor
            raise validation_problem(exc.errors()) from exc
        except ValueError as exc:  # an unknown channel, category or urgency
            text = str(exc)[:500]
            raise RuleViolation(f"请求参数有误：{text}", text, code="invalid_request") from exc
        return pb.SubmitComplaintResponse(complaint=to_pb(result.case, p), created=result.created)

    async def GetComplaint(self, request: Any, context: Any) -> pb.GetComplaintResponse:
        """One case by id."""
        p = caller()
        case = await stored_case(self.ctx, request.id)
        return pb.GetComplaintResponse(complaint=to_pb(case, p))

    async def ListComplaints(self, request: Any, context: Any) -> pb.ListComplaintsResponse:
        """Newest first, filtered by status, unit and channel."""
        p = caller()
        fields = {"status": request.status, "unit_id": request.unit_id, "channel": request.channel}
        limit = min(max(request.limit or 50, 1), 200)
        cases, total = await find_cases(
            self.ctx, fields, offset=max(request.offset, 0), limit=limit
        )
        return pb.ListComplaintsResponse(complaints=[to_pb(c, p) for c in cases], total=total)


def register(runtime: Runtime, ctx: Context) -> None:
    """Serve ComplaintService on the runtime's gRPC server."""
    servicer = ComplaintServicer(ctx)
    runtime.serve_grpc(
        lambda server: pb_grpc.add_ComplaintServiceServicer_to_server(servicer, server),
        SERVICE,
        ALLOWED,
    )


__all__ = ["register"]
