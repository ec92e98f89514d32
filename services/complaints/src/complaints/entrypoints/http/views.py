"""Responses rendered from the read model (a case, its history, a note), masked for the
caller's role; every time in Beijing time (+08:00), as the bureau reads it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from complaints.domain.clocks import STAGE_LABELS, clocks
from complaints.domain.complaint import Complaint
from complaints.domain.deadlines import Deadlines
from complaints.domain.model import Actor, Role
from complaints.entrypoints.http.responses import (
    ClockOut,
    ComplainantOut,
    ComplaintOut,
    DeadlinesOut,
    DurationOut,
    ExtensionOut,
    HistoryOut,
    LocationOut,
    NoteOut,
    PolicyRef,
)
from complaints.service_layer.context import Context
from complaints.service_layer.notes import Note
from complaints.service_layer.ports import Case
from qingshan_core.auth import Principal
from qingshan_core.workdays import SHANGHAI


def in_local_time(value: Any) -> Any:
    """Every datetime in a response in Beijing time (+08:00), as the bureau reads it."""
    if isinstance(value, datetime):
        return value.astimezone(SHANGHAI)
    if isinstance(value, dict):
        return {k: in_local_time(v) for k, v in value.items()}
    if isinstance(value, list):
        return [in_local_time(v) for v in value]
    return value


def actor_of(p: Principal) -> Actor:
    """The domain actor for an authenticated caller."""
    return Actor(id=p.subject, role=Role(p.role.value), unit_id=p.unit)


def _deadlines(d: Deadlines) -> DeadlinesOut:
    due = {
        f"{s.stage.value}_by": s.due.astimezone(SHANGHAI)
        for s in (d.assign, d.accept, d.reply, d.close)
        if s is not None
    }
    if d.return_by:
        due["return_by"] = d.return_by.astimezone(SHANGHAI)
    return DeadlinesOut(**due, provisional=d.provisional)


def complainant_view(case: Case, role: Role) -> ComplainantOut:
    """Handling units never see who reported; everyone else sees masks only."""
    anonymous = case.complaint.complainant.anonymous
    if role is Role.UNIT_HANDLER or anonymous:
        return ComplainantOut(anonymous=anonymous)
    return ComplainantOut(anonymous=False, name=case.masked_name, phone=case.masked_phone)


def receipt_view(case: Case) -> ComplaintOut:
    """What a reporter gets back from intake: enough to follow the case, no more."""
    c = case.complaint
    return ComplaintOut(
        id=c.id,
        tracking_code=c.tracking_code,
        status=c.status.value,
        status_label=c.status.label,
        received_at=c.received_at.astimezone(SHANGHAI),
        deadlines=_deadlines(c.deadlines),
    )


def _extension(c: Complaint) -> ExtensionOut | None:
    e = c.pending_extension
    if e is None:
        return None
    return ExtensionOut(
        amount=DurationOut(amount=e.amount.amount, unit=e.amount.unit.value),
        reason=e.reason,
        requested_at=e.requested_at.astimezone(SHANGHAI),
        requested_by=e.requested_by,
    )


def complaint_view(case: Case, principal: Principal, *, detail: bool = True) -> ComplaintOut:
    """The case as the caller may see it."""
    c, loc = case.complaint, case.complaint.location
    view = receipt_view(case)
    view.channel, view.channel_label = c.channel.value, c.channel.label
    view.external_id = c.external_id
    view.category, view.category_label = c.category.value, c.category.label
    view.urgency, view.urgency_label = c.urgency.value, c.urgency.label
    view.description = c.description
    view.location = LocationOut(address=loc.address, town=loc.town, lat=loc.lat, lon=loc.lon)
    view.complainant = complainant_view(case, Role(principal.role.value))
    view.unit_id = c.unit_id
    view.policy = PolicyRef(id=c.policy.id, version=c.policy.version)
    view.possible_duplicates = list(case.possible_duplicates)
    view.merged_into = c.merged_into
    view.reply = c.reply_text
    view.satisfaction = c.satisfaction.value if c.satisfaction else None
    view.bureau_supervisions = c.bureau_supervise_count
    if detail:
        view.allowed_actions = [a.value for a in c.allowed_actions(actor_of(principal))]
        view.pending_extension = _extension(c)
    return view


def with_clocks(view: ComplaintOut, case: Case, ctx: Context) -> ComplaintOut:
    """The case view with every deadline clock (green / yellow / red by the warning rule)."""
    view.clocks = [
        ClockOut(
            stage=k.stage.value,
            label=STAGE_LABELS[k.stage],
            start=k.start.astimezone(SHANGHAI),
            due=k.due.astimezone(SHANGHAI),
            warn_at=k.warn_at.astimezone(SHANGHAI) if k.warn_at else None,
            light=k.light.value,
            light_label=k.light.label,
        )
        for k in clocks(case.complaint, ctx.clock(), ctx.calendar, ctx.warning_rule)
    ]
    view.flags = list(case.flags)
    return view


def history_view(c: Complaint) -> list[HistoryOut]:
    return [
        HistoryOut(
            at=h.at.astimezone(SHANGHAI),
            actor_id=h.actor_id,
            role=h.role.value,
            action=h.action.value,
            from_status=h.from_status.value if h.from_status else None,
            to_status=h.to_status.value,
            details=in_local_time(dict(h.details)),
        )
        for h in c.history
    ]


def note_view(n: Note) -> NoteOut:
    return NoteOut(
        id=n.id,
        at=n.at.astimezone(SHANGHAI),
        author_id=n.author_id,
        author_role=n.author_role,
        author_unit=n.author_unit,
        text=n.text,
    )
