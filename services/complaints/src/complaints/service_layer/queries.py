"""Read-side use cases: 问题清单, the public tracking view, and the audited identity reveal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from complaints.adapters.audit import AuditFilter, AuditKind
from complaints.adapters.documents import from_doc, local
from complaints.domain.complaint import Complaint
from complaints.domain.errors import NotFound
from complaints.domain.model import Action, Actor, Complainant, Status
from complaints.domain.policy import Stage
from complaints.domain.transitions import may
from complaints.service_layer.context import Context
from complaints.service_layer.ops_alerts import raise_once
from complaints.service_layer.ports import Doc
from qingshan.complaints.v1 import events_pb2 as pb
from qingshan_core.errors import Gone
from qingshan_core.events import timestamp
from qingshan_core.workdays import SHANGHAI

STAGE_OPEN_WHILE = {
    Stage.ASSIGN: {"received", "returned"},
    Stage.ACCEPT: {"assigned"},
    Stage.REPLY: {"assigned", "accepted"},
    Stage.CLOSE: {"received", "returned", "assigned", "accepted", "replied"},
}


@dataclass(frozen=True)
class IssueLine:
    """One line of the 问题清单: an open case with a deadline past or near."""

    complaint_id: str
    unit_id: str | None
    status: str
    stage: str
    due: datetime
    overdue: bool
    bureau_supervisions: int = 0  # 督办 by the bureau so far (已督办 when > 0)
    supervisable: bool = False  # the caller may issue 督办 on it now


async def issue_list(
    ctx: Context,
    unit_id: str | None,
    within: timedelta,
    now: datetime | None = None,
    actor: Actor | None = None,
) -> list[IssueLine]:
    """Open cases whose open-stage deadline has passed or falls within `within`; each line
    says whether `actor` may issue 督办 on the case now."""
    now = now or ctx.clock()
    query: Doc = {"is_open": True}
    if unit_id:
        query["unit_id"] = unit_id
    docs = await ctx.repo.stream(
        query, {"_id": 1, "unit_id": 1, "status": 1, "deadlines": 1, "bureau_supervise_count": 1}
    )
    lines = []
    for d in docs:
        supervisable = actor is not None and may(
            actor, Action.BUREAU_SUPERVISE, Status(d["status"]), d.get("unit_id")
        )
        for stage in Stage:
            dl = d["deadlines"].get(stage.value)
            if not dl or d["status"] not in STAGE_OPEN_WHILE[stage]:
                continue
            due = local(dl["due"])
            assert due is not None
            if due <= now + within:
                lines.append(
                    IssueLine(
                        d["_id"],
                        d.get("unit_id"),
                        d["status"],
                        stage.value,
                        due,
                        due < now,
                        int(d.get("bureau_supervise_count") or 0),
                        supervisable,
                    )
                )
    return sorted(lines, key=lambda line: line.due)


class IdentityErased(Gone):
    """The reporter's identity was erased (on request or after its retention period): 410."""

    code = "identity_erased"

    def __init__(self, complaint_id: str) -> None:
        super().__init__(
            f"案件 {complaint_id} 的举报人身份已依法删除",
            f"the reporter's identity of {complaint_id} was erased",
        )


async def reveal_complainant(
    ctx: Context, complaint_id: str, actor: Actor, purpose: str, trace_id: str | None
) -> Complainant:
    """Decrypt the reporter's identity for a permitted role, writing the audit record first;
    an unusual number of reveals by one person in a day raises RevealsUnusual once."""
    doc = await ctx.repo.find_one({"_id": complaint_id})
    if doc is None:
        raise NotFound(complaint_id)
    if doc.get("identity_erased_at"):
        raise IdentityErased(complaint_id)
    now = ctx.clock()
    await ctx.audit.record(
        AuditKind.REVEAL,
        complaint_id=complaint_id,
        actor_id=actor.id,
        role=actor.role.value,
        purpose=purpose,
        at=now,
        trace_id=trace_id,
    )
    await note_unusual_reveals(ctx, actor, now)
    return from_doc(doc, ctx.keyring).complainant


async def note_unusual_reveals(ctx: Context, actor: Actor, now: datetime) -> bool:
    """More reveals by `actor` today (local day) than the threshold: RevealsUnusual, once."""
    day_start = now.astimezone(SHANGHAI).replace(hour=0, minute=0, second=0, microsecond=0)
    done = await ctx.audit.count(AuditFilter(actor.id, kind=AuditKind.REVEAL, since=day_start))
    limit = ctx.retention.reveal_daily_threshold
    if done <= limit:
        return False
    key = f"reveals/{actor.id}/{day_start:%Y-%m-%d}"
    msg = pb.RevealsUnusual(
        subject=key,
        occurred_at=timestamp(now),
        actor_id=actor.id,
        role=actor.role.value,
        day=f"{day_start:%Y-%m-%d}",
        count=done,
        threshold=limit,
    )
    return await raise_once(ctx, key, msg, now)


def public_view(doc: Doc, joined: Doc | None = None) -> dict[str, Any]:
    """What a reporter sees by tracking code: status, public timeline and the reply only. A
    merged case shows the reply of the case it joined (``joined``): its reporter is owed it."""
    c: Complaint = from_doc(doc)
    timeline = [
        {"at": h.at, "status": h.to_status.value, "label": h.to_status.label}
        for h in c.history
        if h.from_status != h.to_status
    ]
    answered = {"replied", "closed", "followed_up"}
    source = joined if joined is not None and c.status is Status.MERGED else doc
    return {
        "tracking_code": c.tracking_code,
        "status": c.status.value,
        "status_label": c.status.label,
        "category": c.category.value,
        "category_label": c.category.label,
        "received_at": c.received_at,
        "timeline": timeline,
        "reply": source.get("reply_text") if source.get("status") in answered else None,
    }


async def joined_case(ctx: Context, doc: Doc) -> Doc | None:
    """The case a merged case joined, following later merges of that case (None otherwise)."""
    seen = {doc["_id"]}
    target = doc
    while target.get("status") == Status.MERGED.value and target.get("merged_into"):
        nxt = await ctx.repo.find_one({"_id": target["merged_into"]})
        if nxt is None or nxt["_id"] in seen:
            return None
        seen.add(nxt["_id"])
        target = nxt
    return None if target is doc else target


async def track(ctx: Context, tracking_code: str) -> dict[str, Any]:
    """The public view of the case with this code (NotFound when there is none)."""
    doc = await ctx.repo.by_tracking_code(tracking_code)
    if doc is None:
        raise NotFound(tracking_code)
    return public_view(doc, await joined_case(ctx, doc))
