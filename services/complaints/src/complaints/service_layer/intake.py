"""受理: take in a complaint exactly once, compute its deadlines, flag duplicates and hotspots."""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from complaints.adapters.documents import Doc
from complaints.adapters.event_mapping import ts
from complaints.domain.complaint import Complaint
from complaints.domain.duplicates import (
    DuplicateProbe,
    find_first_case,
    hotspot_reports,
    place_key,
)
from complaints.domain.errors import RuleViolation
from complaints.domain.model import Actor, Category, Channel, Complainant, Location, Urgency
from complaints.service_layer.context import Context, new_tracking_code
from complaints.service_layer.ops_alerts import note_stale_calendar
from qingshan.complaints.v1 import events_pb2 as pb


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

    def fingerprint(self) -> str:
        """What makes two requests "the same request" for an Idempotency-Key."""
        data = {k: v for k, v in asdict(self).items() if k != "idempotency_key"}
        raw = json.dumps(data, default=str, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(raw.encode()).hexdigest()


class IdempotencyConflict(Exception):
    """The Idempotency-Key was used before for a different request."""


@dataclass
class Submitted:
    """Intake answer: the stored case document and whether this call created it."""

    doc: Doc
    created: bool


def _normal_phone(phone: str) -> str:
    return re.sub(r"\D", "", phone)


async def _next_id(ctx: Context, day: datetime) -> str:
    """TS + date + daily sequence, e.g. TS2026112900042 (readable over the phone)."""
    key = f"complaint-{day:%Y%m%d}"
    for _ in range(5):
        try:
            doc = await ctx.counters.find_one_and_update(
                {"_id": key},
                {"$inc": {"seq": 1}},
                upsert=True,
                return_document=ReturnDocument.AFTER,
            )
        except DuplicateKeyError:
            continue  # two first-of-the-day upserts raced; the loser increments the winner's
        return f"{ctx.id_prefix}{day:%Y%m%d}{int(doc['seq']):05d}"
    raise RuntimeError("could not allocate a complaint id")


async def _existing(
    ctx: Context, idem_key: str | None, intake_key: str | None, fp: str
) -> Doc | None:
    if idem_key:
        doc = await ctx.repo.find_one({"idem_key": idem_key})
        if doc is not None:
            if doc.get("idem_fp") != fp:
                raise IdempotencyConflict(idem_key)
            return doc
    if intake_key:
        return await ctx.repo.find_one({"intake_key": intake_key})
    return None


async def submit(
    cmd: SubmitComplaint, actor: Actor, ctx: Context, trace_id: str | None = None
) -> Submitted:
    """Take in a case; the same (channel, external_id) or Idempotency-Key returns the first one."""
    fp = cmd.fingerprint()
    idem_key = f"{actor.id}:{cmd.idempotency_key}" if cmd.idempotency_key else None
    intake_key = f"{cmd.channel.value}:{cmd.external_id}" if cmd.external_id else None
    if (found := await _existing(ctx, idem_key, intake_key, fp)) is not None:
        return Submitted(found, created=False)

    now = ctx.clock()
    received_at = (cmd.received_at or now).replace(microsecond=0)
    phone = _normal_phone(cmd.phone) if cmd.phone else None
    complainant = Complainant(
        anonymous=cmd.anonymous,
        name=cmd.name or None,
        phone=phone,
        phone_hash=ctx.keyring.blind_index(phone, "phone") if phone else None,
    )
    calendar = ctx.calendar
    policy = ctx.policies.table.select(cmd.channel, cmd.category, cmd.urgency)
    location = Location(cmd.address, cmd.town, cmd.lat, cmd.lon)
    case = Complaint.receive(
        id=await _next_id(ctx, now),
        tracking_code=new_tracking_code(),
        actor=actor,
        channel=cmd.channel,
        category=cmd.category,
        urgency=cmd.urgency,
        description=cmd.description,
        location=location,
        complainant=complainant,
        received_at=received_at,
        policy=policy,
        calendar=calendar,
        external_id=cmd.external_id,
        now=now,
    )
    pkey = place_key(cmd.town, cmd.address, ctx.intake.address_prefixes)
    duplicates, extra = await _duplicates_and_hotspot(ctx, case, pkey, now)
    fields: dict[str, Any] = {
        "place_key": pkey,
        "possible_duplicates": duplicates,
        "created_by": {"id": actor.id, "role": actor.role.value},
    }
    if intake_key:
        fields["intake_key"] = intake_key
    if idem_key:
        fields.update(idem_key=idem_key, idem_fp=fp)
    try:
        await ctx.repo.add(case, fields=fields, extra_events=extra, trace_id=trace_id)
    except DuplicateKeyError:
        # A concurrent identical submission won the insert: answer with its case.
        if (found := await _existing(ctx, idem_key, intake_key, fp)) is not None:
            return Submitted(found, created=False)
        raise
    await note_stale_calendar(ctx, now)
    stored = await ctx.repo.find_one({"_id": case.id})
    assert stored is not None
    return Submitted(stored, created=True)


def _probe_from_doc(doc: Doc) -> DuplicateProbe:
    loc = doc["location"]
    return DuplicateProbe(
        complaint_id=doc["_id"],
        category=Category(doc["category"]),
        town=loc.get("town") or "",
        address=loc["address"],
        phone_hash=doc["complainant"].get("phone_hash"),
        received_at=doc["received_at"],
        open=bool(doc.get("is_open")),
        lat=loc.get("lat"),
        lon=loc.get("lon"),
    )


async def _duplicates_and_hotspot(
    ctx: Context, case: Complaint, pkey: str, now: datetime
) -> tuple[list[str], list[Any]]:
    rules = ctx.intake
    since = case.received_at - max(rules.duplicate_window, rules.hotspot_window)
    where: list[Doc] = [{"place_key": pkey}]
    if case.location.lat is not None and case.location.lon is not None:
        # Candidates within about 300 m (a box; the domain measures the exact distance).
        dlat, dlon = 0.003, 0.003 / max(0.2, math.cos(math.radians(case.location.lat)))
        where.append(
            {
                "location.lat": {
                    "$gte": case.location.lat - dlat,
                    "$lte": case.location.lat + dlat,
                },
                "location.lon": {
                    "$gte": case.location.lon - dlon,
                    "$lte": case.location.lon + dlon,
                },
            }
        )
    docs = await ctx.repo.stream(
        {"$or": where, "received_at": {"$gte": since, "$lte": case.received_at}},
        {
            "_id": 1,
            "category": 1,
            "location": 1,
            "complainant.phone_hash": 1,
            "received_at": 1,
            "is_open": 1,
        },
    )
    probes = [_probe_from_doc(d) for d in docs]
    probe = case.duplicate_probe()
    prefixes = rules.address_prefixes
    extra: list[Any] = []
    first = find_first_case(probe, probes, rules.duplicate_window, prefixes)
    duplicates = [first.complaint_id] if first else []
    if duplicates:
        extra.append(
            pb.PossibleDuplicateFlagged(
                complaint_id=case.id, occurred_at=ts(now), candidate_ids=duplicates
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
                occurred_at=ts(now),
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
