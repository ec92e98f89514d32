"""Domain events -> protobuf messages of qingshan.complaints.v1 (the published contract)."""

from __future__ import annotations

from typing import Any

from google.protobuf.message import Message

from complaints.domain import events as ev
from complaints.domain.complaint import Complaint
from complaints.domain.deadlines import Deadlines, StageDeadline
from complaints.domain.platform import OutboundStep
from complaints.domain.policy import TimeUnit
from qingshan.complaints.v1 import events_pb2 as pb
from qingshan_core.events import timestamp


def _stage(d: StageDeadline | None) -> pb.StageDeadline | None:
    if d is None:
        return None
    return pb.StageDeadline(stage=d.stage.value, start=timestamp(d.start), due=timestamp(d.due))


def deadlines_pb(d: Deadlines) -> pb.Deadlines:
    msg = pb.Deadlines(provisional=d.provisional)
    for name in ("assign", "accept", "reply", "close"):
        stage = _stage(getattr(d, name))
        if stage is not None:
            getattr(msg, name).CopyFrom(stage)
    if d.return_by is not None:
        msg.return_by.CopyFrom(timestamp(d.return_by))
    return msg


def _alert(e: ev.DeadlineAlert, c: Complaint) -> pb.DeadlineAlert:
    return pb.DeadlineAlert(
        complaint_id=e.complaint_id,
        occurred_at=timestamp(e.occurred_at),
        stage=e.stage.value,
        level=e.level.value,
        due_at=timestamp(e.due_at),
        unit_id=e.unit_id or "",
        category=c.category.value,
        channel=c.channel.value,
    )


# One flat case per domain event: the mapping reads as a table, splitting it would scatter it.
def to_proto(e: ev.Event, c: Complaint) -> Message:  # noqa: C901, PLR0911, PLR0912
    """The contract message for one domain event of complaint `c`."""
    base: dict[str, Any] = {"complaint_id": e.complaint_id, "occurred_at": timestamp(e.occurred_at)}
    match e:
        case ev.ComplaintReceived():
            return pb.ComplaintReceived(
                **base,
                channel=e.channel.value,
                external_id=e.external_id or "",
                category=e.category.value,
                urgency=e.urgency.value,
                anonymous=e.anonymous,
                policy_id=e.policy_id,
                policy_version=e.policy_version,
                deadlines=deadlines_pb(e.deadlines),
                town=c.location.town,
            )
        case ev.ComplaintAssigned():
            return pb.ComplaintAssigned(
                **base, unit_id=e.unit_id, deadlines=deadlines_pb(e.deadlines)
            )
        case ev.ComplaintAccepted():
            return pb.ComplaintAccepted(**base, unit_id=e.unit_id)
        case ev.ComplaintReturned():
            return pb.ComplaintReturned(**base, unit_id=e.unit_id, reason=e.reason)
        case ev.ExtensionRequested():
            return pb.ExtensionRequested(
                **base, unit_id=e.unit_id, amount=str(e.amount), reason=e.reason
            )
        case ev.ExtensionApproved():
            return pb.ExtensionApproved(
                **base,
                amount=str(e.amount),
                old_deadlines=deadlines_pb(e.old_deadlines),
                new_deadlines=deadlines_pb(e.new_deadlines),
                notify_complainant=e.notify_complainant,
            )
        case ev.ExtensionRejected():
            return pb.ExtensionRejected(**base, unit_id=e.unit_id or "", reason=e.reason)
        case ev.ComplaintReplied():
            return pb.ComplaintReplied(
                **base,
                unit_id=e.unit_id,
                has_reply_duty=e.on_time is not None,
                on_time=bool(e.on_time),
            )
        case ev.ComplaintClosed():
            sub = "" if e.substantiated is None else str(e.substantiated).lower()
            return pb.ComplaintClosed(**base, unit_id=e.unit_id or "", substantiated=sub)
        case ev.ComplaintFollowedUp():
            return pb.ComplaintFollowedUp(**base, satisfaction=e.satisfaction.value)
        case ev.ComplaintReopened():
            return pb.ComplaintReopened(
                **base,
                unit_id=e.unit_id,
                status=e.status.value,
                reason=e.reason,
                deadlines=deadlines_pb(e.deadlines),
            )
        case ev.ComplaintMerged():
            return pb.ComplaintMerged(**base, into_id=e.into_id, reason=e.reason)
        case ev.ComplaintUrged():
            return pb.ComplaintUrged(
                **base,
                unit_id=e.unit_id or "",
                level=e.level,
                urge_count=e.urge_count,
                supervise_count=e.supervise_count,
                platform=c.channel.value,
                order_number=c.external_id or "",
                note=e.note,
                category=c.category.value,
                channel=c.channel.value,
            )
        case ev.ComplaintSupervised():
            supervised = pb.ComplaintSupervised(
                **base,
                unit_id=e.unit_id,
                by=e.by,
                reason=e.reason,
                level=e.level,
                supervision_count=e.count,
                category=c.category.value,
                channel=c.channel.value,
            )
            if e.deadline is not None:
                supervised.deadline.CopyFrom(timestamp(e.deadline))
            return supervised
        case ev.ComplaintWithdrawn():
            return pb.ComplaintWithdrawn(**base, unit_id=e.unit_id or "", reason=e.reason)
        case ev.ComplaintRedispatched():
            return pb.ComplaintRedispatched(
                **base,
                from_unit_id=e.from_unit_id or "",
                unit_id=e.unit_id,
                reason=e.reason,
                deadlines=deadlines_pb(e.deadlines),
            )
        case ev.DeadlineWarning():
            return pb.DeadlineWarning(alert=_alert(e, c))
        case ev.DeadlineOverdue():
            return pb.DeadlineOverdue(alert=_alert(e, c))
        case ev.DeadlineEscalated():
            return pb.DeadlineEscalated(alert=_alert(e, c))
    raise TypeError(f"no contract message for {type(e).__name__}")


def step_pb(s: OutboundStep, c: Complaint) -> pb.PlatformStepQueued:
    """The contract message of one step that goes back to the platform."""
    ext = s.extension
    days = ext.amount if ext is not None and ext.unit is not TimeUnit.HOURS else 0
    return pb.PlatformStepQueued(
        complaint_id=s.complaint_id,
        occurred_at=timestamp(s.at),
        platform=s.platform.value,
        order_number=s.order_number,
        seq=s.seq,
        step=s.step.value,
        unit_id=s.unit_id or "",
        reason=s.reason,
        extension="" if ext is None else str(ext),
        extension_days=days,
        reply_text=s.reply_text,
        substantiated="" if s.substantiated is None else str(s.substantiated).lower(),
        deadline=timestamp(s.deadline),
        category=c.category.value,
    )
