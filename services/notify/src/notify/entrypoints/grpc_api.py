"""gRPC NotifyService: direct notifications and delivery records for other services."""

from __future__ import annotations

from datetime import datetime

import grpc
from google.protobuf.timestamp_pb2 import Timestamp

from notify.domain.delivery import Delivery
from notify.service_layer.context import NotifyContext
from notify.service_layer.direct import send_direct
from notify.service_layer.ports import DeliveryQuery
from qingshan.notify.v1 import notify_service_pb2 as pb
from qingshan.notify.v1 import notify_service_pb2_grpc as pb_grpc
from qingshan_core.errors import Forbidden
from qingshan_core.events import timestamp
from qingshan_core.grpc_server import caller
from qingshan_core.roles import Role

SERVICE_NAME = pb.DESCRIPTOR.services_by_name["NotifyService"].full_name
READERS = {Role.ADMIN, Role.SUPERVISOR, Role.INTEGRATION}
SENDERS = {Role.ADMIN, Role.SUPERVISOR}  # integrations reach people through the rules only
ALLOWED = tuple(READERS)  # who may call the service at all (the core's interceptor checks it)


def _ts(at: datetime | None) -> Timestamp | None:
    """An instant not every delivery has yet: unset when absent."""
    return None if at is None else timestamp(at)


def delivery_pb(d: Delivery) -> pb.Delivery:
    return pb.Delivery(
        id=d.id,
        event_id=d.event_id,
        event_type=d.event_type,
        recipient=d.recipient,
        channel=d.channel.value,
        status=d.status.value,
        priority=d.priority.value,
        title=d.title,
        attempt_count=d.attempt_count,
        attempts=[
            pb.Attempt(
                number=a.number,
                at=_ts(a.at),
                outcome=a.outcome,
                detail=a.detail,
                status_code=a.status_code,
                duration_ms=a.duration_ms,
            )
            for a in d.history
        ],
        created_at=_ts(d.created_at),
        next_attempt_at=_ts(d.next_attempt_at),
        sent_at=_ts(d.sent_at),
        last_error=d.last_error,
        level=d.level,
        acknowledged_at=_ts(d.acknowledged_at),
        rule_id=d.rule_id,
    )


class NotifyServicer(pb_grpc.NotifyServiceServicer):
    def __init__(self, ctx: NotifyContext) -> None:
        self.ctx = ctx

    async def SendDirect(
        self, request: pb.SendDirectRequest, context: grpc.aio.ServicerContext
    ) -> pb.SendDirectResponse:
        """Send a message directly, once per idempotency key (supervisors and admins)."""
        me = caller()
        if me.role not in SENDERS:  # integrations reach people through the rules only
            raise Forbidden(
                "仅督办人员和管理员可直接发送消息",
                f"role {me.role.value} may not send direct messages",
            )
        event_id, deliveries, _ = await send_direct(
            self.ctx,
            idempotency_key=request.idempotency_key,
            recipient_ids=list(request.recipient_ids),
            group_ids=list(request.group_ids),
            channels=list(request.channels),
            title=request.title,
            body=request.body,
            priority=request.priority,
            by=me.subject,
        )
        return pb.SendDirectResponse(
            event_id=event_id, deliveries=[delivery_pb(d) for d in deliveries]
        )

    async def ListDeliveries(
        self, request: pb.ListDeliveriesRequest, context: grpc.aio.ServicerContext
    ) -> pb.ListDeliveriesResponse:
        """Delivery records with their attempts, newest first."""
        q = DeliveryQuery(
            event_id=request.event_id or None,
            recipient=request.recipient or None,
            status=request.status or None,
            limit=request.limit or 100,
        )
        found = await self.ctx.deliveries.query(q)
        return pb.ListDeliveriesResponse(deliveries=[delivery_pb(d) for d in found])
