"""Shared pieces of the routers: the context, role sets, error mapping, output conversion."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from notify.domain.delivery import Delivery
from notify.domain.errors import Conflict, NotFound, ValidationFailed
from notify.entrypoints.http.schemas import AttemptOut, DeliveryOut, InboxItemOut
from notify.service_layer.context import NotifyContext
from qingshan_core.auth import Role

# The configuration (directory with its phones and robot URLs, groups, quiet hours, escalation
# chains, rules, templates): administrators only, reads included.
MANAGERS = (Role.ADMIN,)
READERS = (Role.ADMIN, Role.SUPERVISOR, Role.INTEGRATION)
# Direct messages: people only; integrations reach people through the rules, by their events.
SENDERS = (Role.ADMIN, Role.SUPERVISOR)
# A person's own inbox: staff, each bound to the token's subject (a public or service account
# has no inbox, whatever its subject says).
INBOX_OWNERS = (Role.OPERATOR, Role.UNIT_HANDLER, Role.SUPERVISOR, Role.ADMIN)


class ErrorOut(BaseModel):
    """Every error answer: `detail` says what went wrong (for refused input, each field and
    why), `message` a sentence for the user where there is one."""

    detail: str | list[dict[str, Any]]
    message: str | None = None


def _doc(description: str) -> dict[str, Any]:
    return {"model": ErrorOut, "description": description}


# What any signed-in operation may answer besides its success.
ERRORS: dict[int | str, dict[str, Any]] = {
    401: _doc("missing, invalid or expired token / 缺少或无效的令牌"),
    403: _doc("the caller's role may not do this / 无权执行"),
    422: _doc("refused fields, each with its reason / 请求参数有误"),
}
MALFORMED: dict[int | str, dict[str, Any]] = {400: _doc("unparseable body / 请求体无法解析")}
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: _doc("no such record / 不存在")}
CONFLICT: dict[int | str, dict[str, Any]] = {409: _doc("already exists / 已存在")}


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
