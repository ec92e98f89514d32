"""Shared pieces of the routers: the context, role sets, error mapping, output conversion."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from notify.domain.delivery import Delivery
from notify.domain.errors import Conflict, NotFound, ValidationFailed
from notify.entrypoints.http.schemas import AttemptOut, DeliveryOut, InboxItemOut
from notify.service_layer.context import NotifyContext
from qingshan_core.auth import Role

MANAGERS = (Role.ADMIN, Role.SUPERVISOR)
READERS = (Role.ADMIN, Role.SUPERVISOR, Role.INTEGRATION)
SENDERS = (Role.ADMIN, Role.SUPERVISOR, Role.INTEGRATION)


def notify_ctx(request: Request) -> NotifyContext:
    """FastAPI dependency: the service's use-case context (built in the lifespan)."""
    ctx: NotifyContext = request.app.state.notify
    return ctx


async def _validation(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ValidationFailed)
    names = ", ".join(dict.fromkeys(p.field for p in exc.problems))
    return JSONResponse(
        status_code=422,
        content={
            "detail": [{"field": p.field, "msg": p.message} for p in exc.problems],
            "message": f"invalid: {names} / 校验未通过：{names}",
        },
    )


async def _not_found(_: Request, exc: Exception) -> JSONResponse:
    return JSONResponse(status_code=404, content={"detail": str(exc)})


async def _conflict(_: Request, exc: Exception) -> JSONResponse:
    return JSONResponse(status_code=409, content={"detail": str(exc)})


def add_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ValidationFailed, _validation)
    app.add_exception_handler(NotFound, _not_found)
    app.add_exception_handler(Conflict, _conflict)


def delivery_out(d: Delivery) -> DeliveryOut:
    return DeliveryOut(
        id=d.id,
        event_id=d.event_id,
        event_type=d.event_type,
        rule_id=d.rule_id,
        level=d.level,
        recipient=d.recipient,
        recipient_name=d.recipient_name,
        channel=d.channel,
        priority=d.priority,
        status=d.status.value,
        title=d.title,
        body=d.body,
        created_at=d.created_at,
        next_attempt_at=d.next_attempt_at,
        hold_reason=d.hold_reason,
        template_id=d.template_id,
        notes=d.notes,
        attempt_count=d.attempt_count,
        attempts=[
            AttemptOut(
                number=a.number,
                at=a.at,
                outcome=a.outcome,
                detail=a.detail,
                status_code=a.status_code,
                duration_ms=a.duration_ms,
            )
            for a in d.history
        ],
        sent_at=d.sent_at,
        failed_at=d.failed_at,
        last_error=d.last_error,
        dead_lettered=d.dead_lettered,
        digest_id=d.digest_id,
        digest_items=list(d.digest_items),
        ack_state=d.ack_state.value,
        ack_deadline=d.ack_deadline,
        acknowledged_at=d.acknowledged_at,
    )


def inbox_out(d: Delivery) -> InboxItemOut:
    return InboxItemOut(
        id=d.id,
        event_id=d.event_id,
        event_type=d.event_type,
        title=d.title,
        body=d.body,
        priority=d.priority,
        created_at=d.created_at,
        sent_at=d.sent_at,
        ack_required=d.ack_within_minutes is not None,
        ack_deadline=d.ack_deadline,
        acknowledged_at=d.acknowledged_at,
    )
