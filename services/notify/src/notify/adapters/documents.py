"""Domain objects ↔ store documents. No key ever holds '.' or starts with '$' (FerretDB 1.x):
conditions and attributes travel as lists, not as maps keyed by attribute name."""

from __future__ import annotations

from dataclasses import asdict
from datetime import time
from typing import Any

from notify.domain.delivery import Attempt, Delivery
from notify.domain.model import (
    AckState,
    Channel,
    Condition,
    DigestPeriod,
    EscalationChain,
    Group,
    Priority,
    QuietHours,
    Recipient,
    RegistryUnit,
    Robot,
    Rule,
    Status,
    Target,
    TargetKind,
    Template,
)
from qingshan_core.mongo import Document
from qingshan_core.pii import Keyring


def quiet_doc(q: QuietHours | None) -> Document | None:
    if q is None:
        return None
    return {
        "start": q.start.strftime("%H:%M"),
        "end": q.end.strftime("%H:%M"),
        "tz": q.tz,
        "enabled": q.enabled,
    }


def quiet_from(d: Document | None) -> QuietHours | None:
    if not d:
        return None
    return QuietHours(
        time.fromisoformat(d["start"]), time.fromisoformat(d["end"]), d["tz"], d["enabled"]
    )


# Robot credentials are sealed at rest: a webhook URL carries the key that lets anyone post
# into the chat, and a DingTalk secret signs for it. The field name is bound to the ciphertext.
ROBOT_URL, ROBOT_SECRET = "notify.robot.url", "notify.robot.secret"


def _seal(ring: Keyring, value: str, field: str) -> str:
    return ring.encrypt(value, field) if value else ""


def _unseal(ring: Keyring, value: str, field: str) -> str:
    # Documents written before credentials were sealed hold the plaintext (an http(s) URL or
    # a secret), never a `v1.` ciphertext.
    return ring.decrypt(value, field) if value.startswith("v1.") else value


def robot_doc(r: Robot | None, ring: Keyring) -> Document | None:
    if r is None:
        return None
    return {"url": _seal(ring, r.url, ROBOT_URL), "secret": _seal(ring, r.secret, ROBOT_SECRET)}


def robot_from(d: Document | None, ring: Keyring) -> Robot | None:
    if not d:
        return None
    return Robot(
        _unseal(ring, d["url"], ROBOT_URL), _unseal(ring, d.get("secret", ""), ROBOT_SECRET)
    )


def recipient_doc(r: Recipient, ring: Keyring) -> Document:
    return {
        "_id": r.id,
        "name": r.name,
        "unit": r.unit,
        "subject": r.login,
        "email": r.email,
        "phone": r.phone,
        "wecom": robot_doc(r.wecom, ring),
        "dingtalk": robot_doc(r.dingtalk, ring),
        "quiet_hours": quiet_doc(r.quiet_hours),
        "active": r.active,
    }


def recipient_from(d: Document, ring: Keyring) -> Recipient:
    return Recipient(
        id=d["_id"],
        name=d["name"],
        unit=d.get("unit", ""),
        subject=d.get("subject", "") if d.get("subject") != d["_id"] else "",
        email=d.get("email", ""),
        phone=d.get("phone", ""),
        wecom=robot_from(d.get("wecom"), ring),
        dingtalk=robot_from(d.get("dingtalk"), ring),
        quiet_hours=quiet_from(d.get("quiet_hours")),
        active=d.get("active", True),
    )


def group_doc(g: Group, ring: Keyring) -> Document:
    return {
        "_id": g.id,
        "name": g.name,
        "members": list(g.members),
        "wecom": robot_doc(g.wecom, ring),
        "dingtalk": robot_doc(g.dingtalk, ring),
        "quiet_hours": quiet_doc(g.quiet_hours),
    }


def group_from(d: Document, ring: Keyring) -> Group:
    return Group(
        d["_id"],
        d["name"],
        tuple(d.get("members", ())),
        robot_from(d.get("wecom"), ring),
        robot_from(d.get("dingtalk"), ring),
        quiet_from(d.get("quiet_hours")),
    )


def chain_doc(c: EscalationChain) -> Document:
    return {
        "_id": c.unit,
        "handlers": list(c.handlers),
        "unit_heads": list(c.unit_heads),
        "bureau": list(c.bureau),
    }


def chain_from(d: Document) -> EscalationChain:
    return EscalationChain(
        d["_id"],
        tuple(d.get("handlers", ())),
        tuple(d.get("unit_heads", ())),
        tuple(d.get("bureau", ())),
    )


def registry_unit_doc(u: RegistryUnit) -> Document:
    return {
        "name": u.name,
        "kind": u.kind,
        "head": u.head,
        "contacts": list(u.contacts),
        "active": u.active,
        "version": u.version,
    }


def registry_unit_from(d: Document) -> RegistryUnit:
    return RegistryUnit(
        d["_id"],
        d.get("name", ""),
        d.get("kind", ""),
        d.get("head", ""),
        tuple(d.get("contacts", ())),
        bool(d.get("active", True)),
        int(d.get("version", 0)),
    )


def _targets(ts: tuple[Target, ...]) -> list[Document]:
    return [{"kind": t.kind.value, "ref": t.ref} for t in ts]


def _targets_from(ds: list[Document]) -> tuple[Target, ...]:
    return tuple(Target(TargetKind(t["kind"]), t["ref"]) for t in ds)


def rule_doc(r: Rule) -> Document:
    return {
        "_id": r.id,
        "name": r.name,
        "event_type": r.event_type,
        "channels": [c.value for c in r.channels],
        "targets": _targets(r.targets),
        "conditions": [
            {"attr": c.attr, "values": list(c.values), "negate": c.negate} for c in r.conditions
        ],
        "priority": r.priority.value,
        "template_variant": r.template_variant,
        "unit_attr": r.unit_attr,
        "digest": r.digest.value if r.digest else None,
        "ack_within_minutes": r.ack_within_minutes,
        "escalation": [{"targets": _targets(step)} for step in r.escalation],
        "enabled": r.enabled,
    }


def rule_from(d: Document) -> Rule:
    return Rule(
        id=d["_id"],
        name=d["name"],
        event_type=d["event_type"],
        channels=tuple(Channel(c) for c in d["channels"]),
        targets=_targets_from(d["targets"]),
        conditions=tuple(
            Condition(c["attr"], tuple(c["values"]), c.get("negate", False))
            for c in d.get("conditions", ())
        ),
        priority=Priority(d.get("priority", "normal")),
        template_variant=d.get("template_variant", "default"),
        unit_attr=d.get("unit_attr", "unit_id"),
        digest=DigestPeriod(d["digest"]) if d.get("digest") else None,
        ack_within_minutes=d.get("ack_within_minutes"),
        escalation=tuple(_targets_from(s["targets"]) for s in d.get("escalation", ())),
        enabled=d.get("enabled", True),
    )


def template_doc(t: Template) -> Document:
    return {
        "_id": t.id,
        "event_type": t.event_type,
        "channel": t.channel,
        "variant": t.variant,
        "title": t.title,
        "body": t.body,
        "description": t.description,
    }


def template_from(d: Document) -> Template:
    return Template(
        d["event_type"],
        d["channel"],
        d["title"],
        d["body"],
        d.get("variant", "default"),
        d.get("description", ""),
    )


_DELIVERY_SKIP = {"version", "events", "history", "digest_items", "id"}


def delivery_doc(d: Delivery) -> Document:
    """Every field but version/events (kept by the outbox) and id (the document's _id)."""
    doc: dict[str, Any] = {
        k: (v.value if hasattr(v, "value") else v)
        for k, v in ((f, getattr(d, f)) for f in Delivery.__dataclass_fields__)
        if k not in _DELIVERY_SKIP
    }
    doc["history"] = [asdict(a) for a in d.history]
    doc["digest_items"] = list(d.digest_items)
    doc["notice"] = d.notice
    return doc


def delivery_from(doc: Document) -> Delivery:
    fields = {
        k: doc[k] for k in Delivery.__dataclass_fields__ if k in doc and k not in _DELIVERY_SKIP
    }
    for k in (
        "created_at",
        "next_attempt_at",
        "ack_deadline",
        "acknowledged_at",
        "sent_at",
        "failed_at",
        "erased_at",
        "resent_at",
    ):
        fields.setdefault(k, None)  # an instant not reached yet (the client reads them aware)
    fields["channel"] = Channel(doc["channel"])
    fields["priority"] = Priority(doc["priority"])
    fields["status"] = Status(doc["status"])
    fields["ack_state"] = AckState(doc.get("ack_state", "none"))
    history = [Attempt(**a) for a in doc.get("history", ())]
    return Delivery(
        id=doc["_id"],
        history=history,
        digest_items=tuple(doc.get("digest_items", ())),
        version=doc.get("_version", 0),
        **fields,
    )
