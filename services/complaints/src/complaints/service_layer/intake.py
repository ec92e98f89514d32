"""受理: take in a complaint exactly once, compute its deadlines, flag duplicates and hotspots."""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from complaints.adapters.documents import case_from
from complaints.adapters.keys import idem_key, intake_key, track_key
from complaints.domain.complaint import Complaint
from complaints.domain.duplicates import (
    duplicate_candidates,
    find_first_case,
    hotspot_reports,
    place_key,
)
from complaints.domain.errors import RuleViolation
from complaints.domain.model import (
    Actor,
    Category,
    Channel,
    Complainant,
    Location,
    Role,
    Urgency,
)
from complaints.domain.transitions import check_intake
from complaints.service_layer.context import Context, new_tracking_code
from complaints.service_layer.ops_alerts import note_stale_calendar
from complaints.service_layer.ports import Case, Doc
from qingshan.complaints.v1 import events_pb2 as pb
from qingshan_core.errors import AlreadyExists, Conflict
from qingshan_core.events import timestamp


@dataclass(frozen=True)
class SubmitComplaint:
    """An intake request, already validated for shape by the entrypoint."""

    channel: Channel
    category: Category
    urgency: Urgency
    description: str
    address: str
    town: str = ""
    lat: float | None = None
    lon: float | None = None
    anonymous: bool = False
    name: str | None = None
    phone: str | None = None
    external_id: str | None = None
    received_at: datetime | None = None
    idempotency_key: str | None = None
    device_id: str | None = None  # the reporting app's device (Open311), kept as a blind index

    def fingerprint(self) -> str:
        """What makes two requests "the same request" for an Idempotency-Key."""
        data = {k: v for k, v in asdict(self).items() if k not in ("idempotency_key", "device_id")}
        raw = json.dumps(data, default=str, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(raw.encode()).hexdigest()


STALE_CLAIM = timedelta(seconds=30)


class IdempotencyConflict(AlreadyExists):
    """The Idempotency-Key was used before for a different request (409)."""

    code = "idempotency_key_reused"

    def __init__(self, key: str) -> None:
        super().__init__("Idempotency-Key 已用于不同的请求", "key reused for a different request")
        self.key = key


@dataclass
class Submitted:
    """Intake answer: the stored case document and whether this call created it."""

    doc: Doc
    created: bool

    @property
    def case(self) -> Case:
        return case_from(self.doc)


def _normal_phone(phone: str) -> str:
    return re.sub(r"\D", "", phone)


async def _next_id(ctx: Context, day: datetime) -> str:
    """TS + date + daily sequence, e.g. TS2026112900042 (readable over the phone). Concurrent
    intakes share one increment of the day's counter (gapless, in the order they asked)."""
    seq = await ctx.counters.next(f"complaint-{day:%Y%m%d}")
    return f"{ctx.id_prefix}{day:%Y%m%d}{seq:05d}"


class IntakeInProgress(Conflict):
    """The same order is being taken in by another request right now; retry shortly (409).

    The order number is claimed by an intake that has not stored its case (still running, or
    died; a dead one's claim is freed after a while)."""

    code = "intake_in_progress"

    def __init__(self, key: str) -> None:
        super().__init__(
            "该工单正在受理中，请稍后重试", "this order is being taken in, retry", retry_after=2
        )
        self.key = key


async def _resolve(ctx: Context, claim: Doc, fp: str, idem: bool) -> Doc:
    """The case an existing key points at (waiting briefly for an in-flight intake)."""
    if idem and claim.get("fp") != fp:
        raise IdempotencyConflict(claim["_id"])
    for _ in range(30):
        doc = await ctx.repo.find_one({"_id": claim["complaint_id"]})
        if doc is not None:
            return doc
        await asyncio.sleep(0.1)
    age = datetime.now(UTC) - claim["at"]
    if age > STALE_CLAIM:
        # The request that claimed the key died before storing its case: free the key.
        await ctx.keys.release(claim["_id"], claim["complaint_id"])
    raise IntakeInProgress(claim["_id"])


async def submit(
    cmd: SubmitComplaint, actor: Actor, ctx: Context, trace_id: str | None = None
) -> Submitted:
    """Take in a case; the same (channel, external_id) or Idempotency-Key returns the first one.

    Who may submit on the channel is checked before any existing case is looked up, so a
    refused caller learns nothing about other cases. A public caller cannot state when its
    report was received (it is now), and its order numbers are its own: the same number from
    another caller is another report, never the other caller's case."""
    check_intake(actor, cmd.channel)
    if actor.role is Role.PUBLIC:
        cmd = replace(cmd, received_at=None)
    fp = cmd.fingerprint()
    keys: list[tuple[str, bool]] = []
    if cmd.idempotency_key:
        keys.append((idem_key(actor.id, cmd.idempotency_key), True))
    if cmd.external_id:
        owner = actor.id if actor.role is Role.PUBLIC else None
        keys.append((intake_key(cmd.channel.value, cmd.external_id, owner), False))
    existing = await asyncio.gather(*(ctx.keys.get(key) for key, _ in keys))
    for (_, idem), claim in zip(keys, existing, strict=True):
        if claim is not None:
            return Submitted(await _resolve(ctx, claim, fp, idem), created=False)

    now = ctx.clock()
    case = await _build(cmd, actor, ctx, now)
    # Claim every key at once (concurrent intakes' claims go to the store in one command).
    held = await asyncio.gather(
        *(ctx.keys.claim(key, case.id, fp if idem else None) for key, idem in keys),
        ctx.keys.claim(track_key(case.tracking_code), case.id),
    )
    claimed = [key for (key, _), h in zip(keys, held, strict=False) if h is None]
    for (_, idem), h in zip(keys, held, strict=False):
        if h is not None:  # a concurrent identical request got there first
            mine = claimed + ([track_key(case.tracking_code)] if held[-1] is None else [])
            for key in mine:
                await ctx.keys.release(key, case.id)
            return Submitted(await _resolve(ctx, h, fp, idem), created=False)
    if held[-1] is not None:
        case.tracking_code = new_tracking_code()  # 60 random bits: practically never
        while await ctx.keys.claim(track_key(case.tracking_code), case.id) is not None:
            case.tracking_code = new_tracking_code()

    pkey = place_key(cmd.town, cmd.address, ctx.intake.address_prefixes)
    duplicates, extra = await _duplicates_and_hotspot(ctx, case, pkey, now)
    fields: dict[str, Any] = {
        "place_key": pkey,
        "possible_duplicates": duplicates,
        "created_by": {"id": actor.id, "role": actor.role.value},
        "intake_keys": claimed,
    }
    if cmd.device_id:
        fields["device"] = ctx.keyring.blind_index(cmd.device_id, "device")
    doc = await ctx.repo.add(case, fields=fields, extra_events=extra, trace_id=trace_id)
    await ctx.places.add(pkey, case)
    await note_stale_calendar(ctx, now)
    return Submitted(doc, created=True)


async def _build(cmd: SubmitComplaint, actor: Actor, ctx: Context, now: datetime) -> Complaint:
    received_at = (cmd.received_at or now).replace(microsecond=0)
    phone = _normal_phone(cmd.phone) if cmd.phone else None
    complainant = Complainant(
        anonymous=cmd.anonymous,
        name=cmd.name or None,
        phone=phone,
        phone_hash=ctx.keyring.blind_index(phone, "phone") if phone else None,
    )
    return Complaint.receive(
        id=await _next_id(ctx, now),
        tracking_code=new_tracking_code(),
        actor=actor,
        channel=cmd.channel,
        category=cmd.category,
        urgency=cmd.urgency,
        description=cmd.description,
        location=Location(cmd.address, cmd.town, cmd.lat, cmd.lon),
        complainant=complainant,
        received_at=received_at,
        policy=ctx.policies.table.select(cmd.channel, cmd.category, cmd.urgency),
        calendar=ctx.calendar,
        external_id=cmd.external_id,
        now=now,
    )


async def _duplicates_and_hotspot(
    ctx: Context, case: Complaint, pkey: str, now: datetime
) -> tuple[list[str], list[Any]]:
    rules = ctx.intake
    since = case.received_at - max(rules.duplicate_window, rules.hotspot_window)
    probes = await ctx.places.recent(pkey, case.location, since, case.id)
    probe = case.duplicate_probe()
    prefixes = rules.address_prefixes
    extra: list[Any] = []
    candidates = duplicate_candidates(probe, probes, rules.duplicate_window, prefixes)
    still_open = await ctx.places.open_among([c.complaint_id for c in candidates])
    first = find_first_case(
        probe,
        [replace(c, open=c.complaint_id in still_open) for c in candidates],
        rules.duplicate_window,
        prefixes,
    )
    duplicates = [first.complaint_id] if first else []
    if duplicates:
        extra.append(
            pb.PossibleDuplicateFlagged(
                complaint_id=case.id, occurred_at=timestamp(now), candidate_ids=duplicates
            )
        )
    reports = hotspot_reports(
        probe, probes, rules.hotspot_window, rules.hotspot_threshold, prefixes
    )
    # Raised when the count reaches the threshold, not again for every later report.
    if reports is not None and len(reports) == rules.hotspot_threshold:
        extra.append(
            pb.HotspotDetected(
                complaint_id=case.id,
                occurred_at=timestamp(now),
                place_key=pkey,
                category=case.category.value,
                count=len(reports),
                window_hours=int(rules.hotspot_window.total_seconds() // 3600),
                complaint_ids=[r.complaint_id for r in reports],
                town=case.location.town,
            )
        )
    return duplicates, extra


__all__ = ["IdempotencyConflict", "RuleViolation", "SubmitComplaint", "Submitted", "submit"]
