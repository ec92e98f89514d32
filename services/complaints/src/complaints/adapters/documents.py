"""Complaint aggregate <-> Mongo document.

The complainant's name and phone are stored only as AES-GCM ciphertexts (with key id) plus a
blind index of the phone for duplicate matching; masks are precomputed so listing never needs
to decrypt. Datetimes come back from the store in UTC with millisecond precision: they are
turned back into Asia/Shanghai local time, which alert keys and history depend on.
"""

from __future__ import annotations

from datetime import datetime

from complaints.domain.complaint import Complaint, ExtensionRequest, HistoryEntry
from complaints.domain.deadlines import Deadlines, StageDeadline
from complaints.domain.model import (
    Action,
    Category,
    Channel,
    Complainant,
    Location,
    Role,
    Satisfaction,
    Status,
    Urgency,
)
from complaints.domain.policy import POLICY_LIMITS, DeadlinePolicy, Duration, Stage, TimeUnit
from complaints.domain.state import ReworkRound
from complaints.service_layer.ports import Case, Doc
from qingshan_core.pii import Keyring, mask_name, mask_phone
from qingshan_core.workdays import SHANGHAI


def local(moment: datetime | None) -> datetime | None:
    return moment.astimezone(SHANGHAI) if moment is not None else None


def _local(moment: datetime) -> datetime:
    return moment.astimezone(SHANGHAI)


def duration_doc(d: Duration) -> Doc:
    return {"amount": d.amount, "unit": d.unit.value}


def duration_from(doc: Doc) -> Duration:
    return Duration(int(doc["amount"]), TimeUnit(doc["unit"]))


def policy_doc(p: DeadlinePolicy) -> Doc:
    return {
        "id": p.id,
        "version": p.version,
        **{k: duration_doc(getattr(p, k)) for k in POLICY_LIMITS},
    }


def policy_from(doc: Doc) -> DeadlinePolicy:
    limits = {k: duration_from(doc[k]) for k in POLICY_LIMITS}
    return DeadlinePolicy(doc["id"], int(doc["version"]), **limits)


def _stage_doc(d: StageDeadline | None) -> Doc | None:
    return None if d is None else {"stage": d.stage.value, "start": d.start, "due": d.due}


def _stage_from(doc: Doc | None) -> StageDeadline | None:
    if doc is None:
        return None
    return StageDeadline(Stage(doc["stage"]), _local(doc["start"]), _local(doc["due"]))


def deadlines_doc(d: Deadlines) -> Doc:
    return {
        "assign": _stage_doc(d.assign),
        "accept": _stage_doc(d.accept),
        "reply": _stage_doc(d.reply),
        "close": _stage_doc(d.close),
        "return_by": d.return_by,
        "provisional": d.provisional,
    }


def deadlines_from(doc: Doc) -> Deadlines:
    assign, close = _stage_from(doc["assign"]), _stage_from(doc["close"])
    assert assign is not None and close is not None
    return Deadlines(
        assign=assign,
        reply=_stage_from(doc.get("reply")),
        close=close,
        accept=_stage_from(doc.get("accept")),
        return_by=local(doc.get("return_by")),
        provisional=bool(doc.get("provisional")),
    )


def complainant_doc(c: Complainant, keyring: Keyring) -> Doc:
    """Only ciphertexts, a blind index and masks: no plaintext identity is ever stored."""
    return {
        "anonymous": c.anonymous,
        "name": keyring.encrypt(c.name, "complainant.name") if c.name else None,
        "phone": keyring.encrypt(c.phone, "complainant.phone") if c.phone else None,
        "phone_hash": c.phone_hash,
        "masked_name": mask_name(c.name) if c.name else None,
        "masked_phone": mask_phone(c.phone) if c.phone else None,
    }


def complainant_from(doc: Doc, keyring: Keyring | None) -> Complainant:
    """Decrypt only when a keyring is given (the audited reveal path, or a command that must
    rewrite the document); otherwise identity stays out of memory."""
    if doc["anonymous"]:
        return Complainant(anonymous=True)
    if keyring is None:
        # Opaque placeholders: enough for the domain's invariants, no identity in memory.
        return Complainant(anonymous=False, name="*", phone_hash=doc.get("phone_hash"))
    return Complainant(
        anonymous=False,
        name=keyring.decrypt(doc["name"], "complainant.name") if doc.get("name") else None,
        phone=keyring.decrypt(doc["phone"], "complainant.phone") if doc.get("phone") else None,
        phone_hash=doc.get("phone_hash"),
    )


def _history_doc(h: HistoryEntry) -> Doc:
    return {
        "at": h.at,
        "actor_id": h.actor_id,
        "role": h.role.value,
        "action": h.action.value,
        "from_status": h.from_status.value if h.from_status else None,
        "to_status": h.to_status.value,
        "details": dict(h.details),
    }


def _history_from(doc: Doc) -> HistoryEntry:
    return HistoryEntry(
        at=_local(doc["at"]),
        actor_id=doc["actor_id"],
        role=Role(doc["role"]),
        action=Action(doc["action"]),
        from_status=Status(doc["from_status"]) if doc.get("from_status") else None,
        to_status=Status(doc["to_status"]),
        details=dict(doc.get("details") or {}),
    )


def _extension_doc(e: ExtensionRequest | None) -> Doc | None:
    if e is None:
        return None
    return {
        "amount": duration_doc(e.amount),
        "reason": e.reason,
        "requested_at": e.requested_at,
        "requested_by": e.requested_by,
    }


def _extension_from(doc: Doc | None) -> ExtensionRequest | None:
    if doc is None:
        return None
    return ExtensionRequest(
        duration_from(doc["amount"]),
        doc["reason"],
        _local(doc["requested_at"]),
        doc["requested_by"],
    )


def _rework_doc(r: ReworkRound) -> Doc:
    return {"reopened_at": r.reopened_at, "reply_due": r.reply_due, "replied_at": r.replied_at}


def _rework_from(doc: Doc) -> ReworkRound:
    return ReworkRound(
        _local(doc["reopened_at"]), local(doc.get("reply_due")), local(doc.get("replied_at"))
    )


def assignment_in_force(doc: Doc) -> datetime | None:
    """The assignment that counts; documents written before it was stored fall back to the
    first assignment unless the case now waits for one (returned)."""
    if "assigned_at" in doc:
        return local(doc["assigned_at"])
    if doc.get("status") in (Status.RECEIVED.value, Status.RETURNED.value):
        return None
    return local(doc.get("first_assigned_at"))


def state_doc(c: Complaint) -> Doc:
    """Every field that changes after intake (what an update `$set`s)."""
    return {
        "status": c.status.value,
        "unit_id": c.unit_id,
        "deadlines": deadlines_doc(c.deadlines),
        "first_assigned_at": c.first_assigned_at,
        "assigned_at": c.assigned_at,
        "first_replied_at": c.first_replied_at,
        "first_reply_due": c.first_reply_due,
        "replied_at": c.replied_at,
        "reply_text": c.reply_text,
        "closed_at": c.closed_at,
        "substantiated": c.substantiated,
        "satisfaction": c.satisfaction.value if c.satisfaction else None,
        "pending_extension": _extension_doc(c.pending_extension),
        "extension_used": c.extension_used,
        "merged_into": c.merged_into,
        "merged_at": c.merged_at,
        "merge_reason": c.merge_reason,
        "reopen_count": c.reopen_count,
        "urge_count": c.urge_count,
        "supervise_count": c.supervise_count,
        "bureau_supervise_count": c.bureau_supervise_count,
        "rework": [_rework_doc(r) for r in c.rework],
        "raised_alerts": sorted(c.raised_alerts),
        "history": [_history_doc(h) for h in c.history],
        "is_open": c.is_open,
        # Read-model fields for indexed queries (rates, 问题清单).
        "reply_by": c.facts().reply_by,
    }


def new_doc(c: Complaint, keyring: Keyring) -> Doc:
    """The whole document of a new case."""
    loc = c.location
    return {
        "_id": c.id,
        "tracking_code": c.tracking_code,
        "channel": c.channel.value,
        "external_id": c.external_id,
        "category": c.category.value,
        "urgency": c.urgency.value,
        "description": c.description,
        "location": {"address": loc.address, "town": loc.town, "lat": loc.lat, "lon": loc.lon},
        "complainant": complainant_doc(c.complainant, keyring),
        "received_at": c.received_at,
        "policy": policy_doc(c.policy),
        **state_doc(c),
    }


def from_doc(doc: Doc, keyring: Keyring | None = None) -> Complaint:
    """Rehydrate a stored case (identity decrypted only when a keyring is given)."""
    loc = doc["location"]
    return Complaint(
        id=doc["_id"],
        tracking_code=doc["tracking_code"],
        channel=Channel(doc["channel"]),
        external_id=doc.get("external_id"),
        category=Category(doc["category"]),
        urgency=Urgency(doc["urgency"]),
        description=doc["description"],
        location=Location(loc["address"], loc.get("town") or "", loc.get("lat"), loc.get("lon")),
        complainant=complainant_from(doc["complainant"], keyring),
        received_at=_local(doc["received_at"]),
        policy=policy_from(doc["policy"]),
        deadlines=deadlines_from(doc["deadlines"]),
        status=Status(doc["status"]),
        unit_id=doc.get("unit_id"),
        first_assigned_at=local(doc.get("first_assigned_at")),
        assigned_at=assignment_in_force(doc),
        first_replied_at=local(doc.get("first_replied_at")),
        first_reply_due=local(doc.get("first_reply_due")),
        replied_at=local(doc.get("replied_at")),
        reply_text=doc.get("reply_text"),
        closed_at=local(doc.get("closed_at")),
        substantiated=doc.get("substantiated"),
        satisfaction=Satisfaction(doc["satisfaction"]) if doc.get("satisfaction") else None,
        pending_extension=_extension_from(doc.get("pending_extension")),
        extension_used=int(doc.get("extension_used") or 0),
        merged_into=doc.get("merged_into"),
        merged_at=local(doc.get("merged_at")),
        merge_reason=doc.get("merge_reason"),
        rework=[_rework_from(r) for r in doc.get("rework") or ()],
        reopen_count=int(doc.get("reopen_count") or 0),
        urge_count=int(doc.get("urge_count") or 0),
        supervise_count=int(doc.get("supervise_count") or 0),
        bureau_supervise_count=int(doc.get("bureau_supervise_count") or 0),
        raised_alerts=set(doc.get("raised_alerts") or ()),
        history=[_history_from(h) for h in doc.get("history") or ()],
    )


def case_from(doc: Doc) -> Case:
    """A stored case for the read side: the aggregate (identity not decrypted) and the masks,
    duplicate hints and queue flags stored beside it."""
    who = doc["complainant"]
    return Case(
        complaint=from_doc(doc),
        masked_name=who.get("masked_name"),
        masked_phone=who.get("masked_phone"),
        possible_duplicates=tuple(doc.get("possible_duplicates") or ()),
        flags=tuple(doc.get("flags") or ()),
    )
