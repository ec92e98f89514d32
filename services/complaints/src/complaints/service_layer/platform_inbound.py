"""What the platform decides comes in: 催办 and 督办, the city's extension decision, 回访
results, 撤单 and 改派 — on the work order it sent, named by its order number.

Each request carries the platform's request id. The ids a case has seen are stored in the case
document in the same guarded write as the change they made, so a repeated request changes
nothing and answers as the first did; a state that does not allow the request is refused
(InvalidTransition: 409 with the current state).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from complaints.adapters.keys import intake_key
from complaints.adapters.platform_mapping import PlatformConfig
from complaints.domain.complaint import Complaint
from complaints.domain.errors import NotFound, RuleViolation
from complaints.domain.model import Actor, Channel, Satisfaction
from complaints.domain.platform import UrgeLevel
from complaints.service_layer.cases import load
from complaints.service_layer.context import Context
from complaints.service_layer.ops_alerts import note_stale_calendar
from complaints.service_layer.ports import Loaded
from complaints.service_layer.units import assignable_unit
from qingshan_core.errors import Conflict
from qingshan_core.outbox import ConcurrencyConflict

ATTEMPTS = 3
KEEP_REQUEST_IDS = 200  # per case; a platform repeats a request within minutes, not months


class Kind(StrEnum):
    """What the platform asks."""

    URGE = "urge"  # 催办
    SUPERVISE = "supervise"  # 督办
    EXTENSION_DECISION = "extension-decision"  # 延期审核
    FOLLOW_UP = "follow-up"  # 回访
    WITHDRAW = "withdraw"  # 撤单
    REDISPATCH = "redispatch"  # 改派


class RequestIdReused(Conflict):
    """The request id was used before for another kind of request on this order (409, with
    the kind it was used for as ``current``)."""

    code = "request_id_reused"

    def __init__(self, request_id: str, kind: str) -> None:
        super().__init__(
            "请求号已用于该工单的另一类请求",
            "request id reused for another request",
            current={"request_id": request_id, "kind": kind},
        )
        self.request_id = request_id


@dataclass(frozen=True)
class PlatformRequest:
    """One request from a platform, already validated for shape by the entrypoint."""

    platform: Channel
    order_number: str
    request_id: str
    kind: Kind
    note: str = ""
    approved: bool | None = None
    satisfaction: str | None = None
    unit_id: str | None = None


@dataclass
class Handled:
    loaded: Loaded
    duplicate: bool


async def find_order(ctx: Context, platform: Channel, order_number: str) -> str:
    """The case id of a platform's order number (NotFound when it never came in)."""
    key = await ctx.keys.get(intake_key(platform.value, order_number))
    if key is None:
        raise NotFound(f"{platform.value} order {order_number}")
    return str(key["complaint_id"])


async def handle(
    ctx: Context,
    cfg: PlatformConfig,
    req: PlatformRequest,
    actor: Actor,
    trace_id: str | None = None,
) -> Handled:
    """Apply one platform request once; domain errors pass up (403/409/422 at the edge)."""
    complaint_id = await find_order(ctx, req.platform, req.order_number)
    for attempt in range(ATTEMPTS):
        loaded = await load(ctx, complaint_id)
        seen: list[dict[str, Any]] = list(loaded.doc.get("platform_requests") or ())
        earlier = next((r for r in seen if r["id"] == req.request_id), None)
        if earlier is not None:
            if earlier["kind"] != req.kind.value:
                raise RequestIdReused(req.request_id, earlier["kind"])
            return Handled(loaded, duplicate=True)
        now = ctx.clock()
        _command(ctx, cfg, req, actor, now)(loaded.complaint)
        if req.kind is Kind.REDISPATCH:
            # 改派 hands the case to a unit like 交办 does: 422 naming the unit when the
            # registry does not hold it (or holds it retired), before anything is written.
            await assignable_unit(ctx, loaded.complaint.unit_id)
        seen.append({"id": req.request_id, "kind": req.kind.value, "at": now})
        try:
            await ctx.repo.save(
                loaded, fields={"platform_requests": seen[-KEEP_REQUEST_IDS:]}, trace_id=trace_id
            )
        except ConcurrencyConflict:
            if attempt == ATTEMPTS - 1:
                raise
            continue
        await note_stale_calendar(ctx, now)
        return Handled(loaded, duplicate=False)
    raise AssertionError("unreachable")


def _satisfaction(cfg: PlatformConfig, value: str | None) -> Satisfaction:
    if not value:
        raise RuleViolation("satisfaction_required", "satisfaction is required")
    found = cfg.satisfaction_of(value)
    if found is None:
        words = "、".join(cfg.satisfaction)
        raise RuleViolation("satisfaction_invalid", f"satisfaction must be one of {words}")
    return found


def _command(
    ctx: Context, cfg: PlatformConfig, req: PlatformRequest, actor: Actor, now: Any
) -> Callable[[Complaint], None]:
    cal = ctx.calendar

    def follow_up(c: Complaint) -> None:
        satisfaction = _satisfaction(cfg, req.satisfaction)
        c.follow_up(actor, satisfaction, now)
        if satisfaction is Satisfaction.DISSATISFIED and cfg.dissatisfied == "reopen":
            reason = "回访不满意" + (f"：{req.note.strip()}" if req.note.strip() else "")
            c.reopen(actor, reason, now, cal)  # the same unit reworks it

    def decide(c: Complaint) -> None:
        if req.approved is None:
            raise RuleViolation("approved_required", "approved is required")
        if req.approved:
            c.approve_extension(actor, now, cal)
        else:
            c.reject_extension(actor, req.note or "市级平台不同意延期", now)

    table: dict[Kind, Callable[[Complaint], None]] = {
        Kind.URGE: lambda c: c.urge(actor, UrgeLevel.URGE, req.note, now),
        Kind.SUPERVISE: lambda c: c.urge(actor, UrgeLevel.SUPERVISE, req.note, now),
        Kind.EXTENSION_DECISION: decide,
        Kind.FOLLOW_UP: follow_up,
        Kind.WITHDRAW: lambda c: c.withdraw(actor, req.note, now),
        Kind.REDISPATCH: lambda c: c.redispatch(actor, req.unit_id or "", req.note, now, cal),
    }
    return table[req.kind]
