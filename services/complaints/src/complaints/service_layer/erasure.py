"""Erasure (个人信息保护法 第四十七条) and retention (第十九条) of a case's personal data.

Two parts of a case can go, each for good, each with a `ComplaintErased` event in the same
document write (notify removes what it rendered from them):

- identity: the reporter's name and phone ciphertexts and masks, the phone's blind index, the
  reporting device's blind index and a public reporter's login; the place index entries (they
  carry the phone's blind index) and the intake keys that name the reporter or its device;
- content: the free text — description, address, coordinates, reply, the normalised place key.

What the rates and the statistics read (channel, category, town, unit, every date, deadline and
status, the history) stays, so 交办率 and 按时回复率 do not change.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from complaints.adapters.audit import AuditKind
from complaints.adapters.documents import local
from complaints.adapters.places import geohash
from complaints.domain.errors import NotFound
from complaints.domain.model import Actor
from complaints.service_layer.context import Context
from complaints.service_layer.ports import Doc
from qingshan.complaints.v1 import events_pb2 as pb
from qingshan_core.events import Envelope, timestamp
from qingshan_core.logging import get_logger
from qingshan_core.outbox import VERSION, ConcurrencyConflict

log = get_logger(__name__)

IDENTITY, CONTENT = "identity", "content"
ERASED_TEXT = "（已依法删除）"  # what stands where free text was (the address must not be empty)
RETENTION_ACTOR = "retention"


def _identity_update(doc: Doc, now: datetime) -> tuple[Doc, list[str]]:
    person = doc.get("complainant") or {}
    removed = [k for k in ("name", "phone", "phone_hash") if person.get(k)]
    update: Doc = {
        "complainant": {
            "anonymous": bool(person.get("anonymous")),
            "name": None,
            "phone": None,
            "phone_hash": None,
            "masked_name": None,
            "masked_phone": None,
        },
        "identity_erased_at": now,
    }
    creator = doc.get("created_by") or {}
    if doc.get("device") or (creator.get("role") == "public" and creator.get("id") != "erased"):
        removed.append("contact")
        update["device"] = None
        if creator.get("role") == "public":
            update["created_by"] = {"id": "erased", "role": "public"}
    return update, removed


def _content_update(doc: Doc, now: datetime) -> tuple[Doc, list[str]]:
    loc = doc.get("location") or {}
    removed = ["description", "address"]
    if loc.get("lat") is not None:
        removed.append("coordinates")
    if doc.get("reply_text"):
        removed.append("reply")
    update: Doc = {
        "description": ERASED_TEXT,
        "location": {
            "address": ERASED_TEXT,
            "town": loc.get("town") or "",
            "lat": None,
            "lon": None,
        },
        "reply_text": None,
        "place_key": None,
        "content_erased_at": now,
    }
    return update, removed


def _todo(doc: Doc, parts: Iterable[str]) -> set[str]:
    done = {IDENTITY: "identity_erased_at", CONTENT: "content_erased_at"}
    return {p for p in parts if not doc.get(done[p])}


async def _forget_indexes(ctx: Context, doc: Doc) -> list[str]:
    """Place index entries and the intake keys that name the reporter or its device."""
    removed = []
    ids = [f"p:{doc['place_key']}"] if doc.get("place_key") else []
    loc = doc.get("location") or {}
    if loc.get("lat") is not None and loc.get("lon") is not None:
        ids.append(f"g:{geohash(loc['lat'], loc['lon'])}")
    if await ctx.places.forget(ids, doc["_id"]):
        removed.append("place_index")
    for key in doc.get("intake_keys") or ():
        if key.startswith("idem:") or ":by:" in key:
            await ctx.keys.release(key, doc["_id"])
            removed.append("intake_key")
    return sorted(set(removed))


async def scrub(
    ctx: Context,
    complaint_id: str,
    parts: Iterable[str],
    *,
    basis: str,
    by: str,
    trace_id: str | None = None,
) -> list[str]:
    """Remove these parts of the case (those not removed before); returns what went."""
    wanted = tuple(parts)
    for _ in range(5):
        doc = await ctx.repo.find_one({"_id": complaint_id})
        if doc is None:
            raise NotFound(complaint_id)
        todo = _todo(doc, wanted)
        if not todo:
            return []
        now = ctx.clock()
        removed = await _forget_indexes(ctx, doc)
        update: Doc = {}
        for part, build in ((IDENTITY, _identity_update), (CONTENT, _content_update)):
            if part in todo:
                fields, what = build(doc, now)
                update |= fields
                removed += what
        event = pb.ComplaintErased(
            complaint_id=complaint_id,
            occurred_at=timestamp(now),
            basis=basis,
            removed=sorted(set(removed)),
            erased_by=by,
        )
        env = Envelope.wrap(
            event, source=ctx.repo.outbox.source, subject=complaint_id, trace_id=trace_id
        )
        try:
            await ctx.repo.outbox.update(complaint_id, int(doc[VERSION]), update, [env])
        except ConcurrencyConflict:
            continue  # the case moved on meanwhile: read it again
        log.info("complaint.erased", complaint_id=complaint_id, basis=basis, removed=event.removed)
        return list(event.removed)
    raise ConcurrencyConflict(f"complaints/{complaint_id} kept changing")


async def erase_on_request(
    ctx: Context, complaint_id: str, actor: Actor, reason: str, trace_id: str | None
) -> list[str]:
    """An administrator erases the reporter's identity (audited first, with the reason)."""
    if await ctx.repo.find_one({"_id": complaint_id}) is None:
        raise NotFound(complaint_id)
    await ctx.audit.record(
        AuditKind.ERASE,
        complaint_id=complaint_id,
        actor_id=actor.id,
        role=actor.role.value,
        purpose=reason,
        at=ctx.clock(),
        trace_id=trace_id,
    )
    return await scrub(
        ctx, complaint_id, [IDENTITY], basis="request", by=actor.id, trace_id=trace_id
    )


def _ended(doc: Doc) -> datetime | None:
    moments = [local(doc.get(k)) for k in ("closed_at", "merged_at")]
    return max((m for m in moments if m is not None), default=None)


async def anonymise_expired(ctx: Context, now: datetime | None = None) -> dict[str, int]:
    """The daily job: ended cases past their identity or content retention lose that part."""
    now = now or ctx.clock()
    keep = ctx.retention
    query: Doc = {"is_open": False, "content_erased_at": None}
    fields = {"_id": 1, "closed_at": 1, "merged_at": 1, "identity_erased_at": 1}
    counts = {IDENTITY: 0, CONTENT: 0}
    for doc in await ctx.repo.stream(query, fields):
        ended = _ended(doc)
        if ended is None:
            continue
        parts = [IDENTITY] if ended <= now - keep.identity else []
        if ended <= now - keep.content:
            parts.append(CONTENT)
        parts = sorted(_todo(doc, parts))
        if not parts:
            continue
        basis = "retention_content" if CONTENT in parts else "retention_identity"
        try:
            await scrub(ctx, doc["_id"], parts, basis=basis, by=RETENTION_ACTOR)
        except Exception as exc:  # one case failing must not stop the others; next round again
            log.warning("retention.case_failed", complaint_id=doc["_id"], error=repr(exc))
            continue
        for p in parts:
            counts[p] += 1
    return counts
