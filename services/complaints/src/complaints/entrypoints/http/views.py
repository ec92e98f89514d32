"""Responses built from stored documents, masked for the caller's role."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from complaints.adapters.documents import Doc, from_doc
from complaints.domain.clocks import STAGE_LABELS, clocks
from complaints.domain.model import Actor, Category, Channel, Role, Status, Urgency
from complaints.service_layer.context import Context
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


def _deadlines(d: Doc) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for stage in ("assign", "accept", "reply", "close"):
        if d.get(stage):
            out[f"{stage}_by"] = d[stage]["due"]
    if d.get("return_by"):
        out["return_by"] = d["return_by"]
    out["provisional"] = bool(d.get("provisional"))
    return out


def complainant_view(doc: Doc, role: Role) -> dict[str, Any]:
    """Handling units never see who reported; everyone else sees masks only."""
    c = doc["complainant"]
    if role is Role.UNIT_HANDLER or c["anonymous"]:
        return {"anonymous": c["anonymous"]}
    return {"anonymous": False, "name": c.get("masked_name"), "phone": c.get("masked_phone")}


def complaint_view(doc: Doc, principal: Principal, *, detail: bool = True) -> dict[str, Any]:
    """The case as the caller may see it."""
    role = Role(principal.role.value)
    view: dict[str, Any] = {
        "id": doc["_id"],
        "tracking_code": doc["tracking_code"],
        "status": doc["status"],
        "status_label": Status(doc["status"]).label,
        "channel": doc["channel"],
        "channel_label": Channel(doc["channel"]).label,
        "external_id": doc.get("external_id"),
        "category": doc["category"],
        "category_label": Category(doc["category"]).label,
        "urgency": doc["urgency"],
        "urgency_label": Urgency(doc["urgency"]).label,
        "description": doc["description"],
        "location": doc["location"],
        "complainant": complainant_view(doc, role),
        "unit_id": doc.get("unit_id"),
        "received_at": doc["received_at"],
        "deadlines": _deadlines(doc["deadlines"]),
        "policy": {"id": doc["policy"]["id"], "version": doc["policy"]["version"]},
        "possible_duplicates": doc.get("possible_duplicates", []),
        "merged_into": doc.get("merged_into"),
        "reply": doc.get("reply_text"),
        "satisfaction": doc.get("satisfaction"),
    }
    if detail:
        case = from_doc(doc)
        view["allowed_actions"] = [a.value for a in case.allowed_actions(actor_of(principal))]
        view["pending_extension"] = doc.get("pending_extension")
    return dict(in_local_time(view))


def with_clocks(view: dict[str, Any], doc: Doc, ctx: Context) -> dict[str, Any]:
    """The case view with every deadline clock (green / yellow / red by the warning rule)."""
    case = from_doc(doc)
    view["clocks"] = [
        in_local_time(
            {
                "stage": c.stage.value,
                "label": STAGE_LABELS[c.stage],
                "start": c.start,
                "due": c.due,
                "warn_at": c.warn_at,
                "light": c.light.value,
                "light_label": c.light.label,
            }
        )
        for c in clocks(case, ctx.clock(), ctx.calendar, ctx.warning_rule)
    ]
    view["flags"] = doc.get("flags") or []
    return view


def history_view(doc: Doc) -> list[dict[str, Any]]:
    return in_local_time(
        [
            {
                "at": h["at"],
                "actor_id": h["actor_id"],
                "role": h["role"],
                "action": h["action"],
                "from_status": h.get("from_status"),
                "to_status": h["to_status"],
                "details": h.get("details", {}),
            }
            for h in doc.get("history", [])
        ]
    )
