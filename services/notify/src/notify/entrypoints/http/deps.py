"""Shared pieces of the routers: the context, role sets, documented errors, output conversion."""

from __future__ import annotations

from fastapi import Request

from notify.domain.delivery import Delivery
from notify.entrypoints.http.schemas import (
    AttemptOut,
    DeliveryOut,
    EscalationStepOut,
    InboxItemOut,
)
from notify.service_layer.context import NotifyContext
from notify.service_layer.inbox import EscalationStep
from qingshan_core.auth import Role
from qingshan_core.problems import ERRORS as ERRORS
from qingshan_core.problems import MALFORMED as MALFORMED
from qingshan_core.problems import NOT_FOUND as NOT_FOUND
from qingshan_core.problems import Problem, conflict

# The configuration (directory with its phones and robot URLs, groups, quiet hours, escalation
# chains, rules, templates): administrators only, reads included.
MANAGERS = (Role.ADMIN,)
READERS = (Role.ADMIN, Role.SUPERVISOR, Role.INTEGRATION)
# Direct messages: people only; integrations reach people through the rules, by their events.
SENDERS = (Role.ADMIN, Role.SUPERVISOR)
# A person's own inbox: staff, each bound to the token's subject (a public or service account
# has no inbox, whatever its subject says).
INBOX_OWNERS = (Role.OPERATOR, Role.UNIT_HANDLER, Role.SUPERVISOR, Role.ADMIN)


# Every error is a qingshan_core.errors subclass, rendered as problem details by
# qingshan_core.problems (installed by the app factory); the routers document that one body.
ErrorOut = Problem
CONFLICT = conflict("已存在 / already exists")


def notify_ctx(request: Request) -> NotifyContext:
    """FastAPI dependency: the service's use-case context (built in the lifespan)."""
    ctx: NotifyContext = request.app.state.notify
    return ctx


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
        resent_at=d.resent_at,
        resent_by=d.resent_by,
        resent_as=d.resent_as,
        digest_id=d.digest_id,
        digest_items=list(d.digest_items),
        ack_state=d.ack_state.value,
        ack_deadline=d.ack_deadline,
        acknowledged_at=d.acknowledged_at,
    )


def inbox_out(d: Delivery, chain: list[EscalationStep] | None = None) -> InboxItemOut:
    return InboxItemOut(
        id=d.id,
        event_id=d.event_id,
        event_type=d.event_type,
        subject=d.subject,
        unit=d.unit,
        level=d.level,
        title=d.title,
        body=d.body,
        priority=d.priority,
        created_at=d.created_at,
        sent_at=d.sent_at,
        ack_required=d.ack_within_minutes is not None,
        ack_deadline=d.ack_deadline,
        acknowledged_at=d.acknowledged_at,
        escalation=[
            EscalationStepOut(
                level=s.level, label=s.label, people=list(s.people), reached=s.reached
            )
            for s in chain or []
        ],
    )
