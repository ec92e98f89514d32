"""The work queues and searches of the case list: what each queue holds, its live count, and
the filters (order number, case number, caller phone through the blind index, text)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pymongo import ASCENDING, DESCENDING

from complaints.domain.clocks import Flag
from complaints.domain.errors import Forbidden, RuleViolation
from complaints.domain.model import Action, Actor, Category, Channel, Role, Status, normal_phone
from complaints.service_layer.context import Context
from complaints.service_layer.ports import Case, Doc
from qingshan_core import errors as core


class Queue(StrEnum):
    """The work queues (all of open cases)."""

    UNASSIGNED = "unassigned"  # 待交办
    DUE_SOON = "due_soon"  # 即将超期
    OVERDUE = "overdue"  # 已超期
    ESCALATED = "escalated"  # 已督办
    RETURNED = "returned"  # 被退回
    MINE = "mine"  # taken in by me; for a unit: its cases still to handle
    EXTENSION = "extension"  # 延期待审批
    OPEN = "open"  # every open case

    @property
    def label(self) -> str:
        return QUEUE_LABELS[self]


QUEUE_LABELS = {
    Queue.UNASSIGNED: "待交办",
    Queue.DUE_SOON: "即将超期",
    Queue.OVERDUE: "已超期",
    Queue.ESCALATED: "已督办",
    Queue.RETURNED: "被退回",
    Queue.MINE: "我的",
    Queue.EXTENSION: "延期待审批",
    Queue.OPEN: "全部在办",
}


class Sort(StrEnum):
    """List orders."""

    NEWEST = "newest"
    OLDEST = "oldest"
    PRESSING = "pressing"  # the next alert (warning, deadline, 督办) first


SORTS: dict[Sort, list[tuple[str, int]]] = {
    Sort.NEWEST: [("received_at", DESCENDING), ("_id", DESCENDING)],
    Sort.OLDEST: [("received_at", ASCENDING), ("_id", ASCENDING)],
    Sort.PRESSING: [("next_alert_at", ASCENDING), ("received_at", ASCENDING)],
}
# Roles that may look a case up by the caller's phone (never the unit that handles it).
PHONE_SEARCHERS = frozenset({Role.OPERATOR, Role.SUPERVISOR, Role.ADMIN, Role.INTEGRATION})


@dataclass(frozen=True)
class Filters:
    """What the caller asked the list for."""

    queue: Queue | None = None
    status: Status | None = None
    unit_id: str | None = None
    channel: Channel | None = None
    category: Category | None = None
    number: str | None = None  # case number or platform order number, exact
    phone: str | None = None  # normalised digits
    text: str | None = None


def caller_phone(raw: str | None, actor: Actor) -> str | None:
    """The digits of a phone to search by; units may not search by the caller's phone (403),
    a phone without digits is a 422."""
    if raw is None or not raw.strip():
        return None
    if actor.role not in PHONE_SEARCHERS:
        raise core.Forbidden("承办单位不能按来电号码查询", "units may not search by phone")
    digits = normal_phone(raw)
    if not digits.isdigit():
        raise RuleViolation("phone_invalid", "the phone number has no digits")
    return digits


def _mine(actor: Actor) -> Doc:
    if actor.role is Role.UNIT_HANDLER:
        return {"status": {"$in": [Status.ASSIGNED.value, Status.ACCEPTED.value]}}
    return {"created_by.id": actor.id}


def queue_query(queue: Queue, actor: Actor) -> Doc:
    """The cases a queue holds for this caller (before the caller's unit scope)."""
    match queue:
        case Queue.UNASSIGNED:
            return {"status": Status.RECEIVED.value}
        case Queue.RETURNED:
            return {"status": Status.RETURNED.value}
        case Queue.DUE_SOON | Queue.OVERDUE | Queue.ESCALATED:
            return {"is_open": True, "flags": Flag(queue.value).value}
        case Queue.EXTENSION:
            return {"is_open": True, "pending_extension": {"$ne": None}}
        case Queue.MINE:
            return {"is_open": True, **_mine(actor)}
        case Queue.OPEN:
            return {"is_open": True}


def list_query(ctx: Context, f: Filters, actor: Actor) -> Doc:
    """The store query for a list request; a unit handler sees only its own unit's cases."""
    parts: list[Doc] = []
    if f.queue:
        parts.append(queue_query(f.queue, actor))
    plain = {"status": f.status, "channel": f.channel, "category": f.category}
    parts += [{k: v.value} for k, v in plain.items() if v is not None]
    if actor.role is Role.UNIT_HANDLER:
        parts.append({"unit_id": actor.unit_id})
    elif f.unit_id:
        parts.append({"unit_id": f.unit_id})
    if f.number:
        parts.append({"$or": [{"_id": f.number.upper()}, {"external_id": f.number}]})
    if f.phone:
        if actor.role not in PHONE_SEARCHERS:  # the entrypoint refuses it first, with a 403
            raise Forbidden(actor.role, Action.RECEIVE, "may not search by the caller's phone")
        parts.append({"complainant.phone_hash": ctx.keyring.blind_index(f.phone, "phone")})
    if f.text:
        pattern = re.escape(f.text.strip())
        parts.append(
            {
                "$or": [
                    {"description": {"$regex": pattern, "$options": "i"}},
                    {"location.address": {"$regex": pattern, "$options": "i"}},
                ]
            }
        )
    if not parts:
        return {}
    return parts[0] if len(parts) == 1 else {"$and": parts}


async def list_cases(
    ctx: Context, f: Filters, actor: Actor, sort: Sort, *, offset: int, limit: int
) -> tuple[list[Case], int]:
    """One page of the caller's list, and how many cases the filters match."""
    query = list_query(ctx, f, actor)
    return await ctx.repo.cases(query, skip=offset, limit=limit, sort=SORTS[sort])


async def find_cases(
    ctx: Context, fields: Mapping[str, str], *, offset: int, limit: int
) -> tuple[list[Case], int]:
    """Cases whose stored fields equal the given ones (empty: any), newest first."""
    query: Doc = {k: v for k, v in fields.items() if v}
    return await ctx.repo.cases(query, skip=offset, limit=limit)


async def queue_counts(ctx: Context, actor: Actor) -> dict[str, int]:
    """Every queue's count for this caller, from one read of the open cases' queue fields."""
    query: Doc = {"is_open": True}
    if actor.role is Role.UNIT_HANDLER:
        query["unit_id"] = actor.unit_id
    fields = {"status": 1, "flags": 1, "pending_extension": 1, "created_by": 1, "_id": 0}
    docs = await ctx.repo.stream(query, fields)
    counts: Counter[str] = Counter()
    for d in docs:
        counts[Queue.OPEN] += 1
        for q in _queues_of(d, actor):
            counts[q] += 1
    return {q.value: counts[q] for q in Queue}


_FLAG_QUEUES = frozenset(f.value for f in Flag)


def _queues_of(d: dict[str, Any], actor: Actor) -> list[Queue]:
    """The queues one open case is in (the same rules as queue_query, in memory)."""
    status = d["status"]
    out = [Queue(f) for f in d.get("flags") or () if f in _FLAG_QUEUES]
    if status == Status.RECEIVED.value:
        out.append(Queue.UNASSIGNED)
    if status == Status.RETURNED.value:
        out.append(Queue.RETURNED)
    if d.get("pending_extension"):
        out.append(Queue.EXTENSION)
    if actor.role is Role.UNIT_HANDLER:
        if status in (Status.ASSIGNED.value, Status.ACCEPTED.value):
            out.append(Queue.MINE)
    elif (d.get("created_by") or {}).get("id") == actor.id:
        out.append(Queue.MINE)
    return out
