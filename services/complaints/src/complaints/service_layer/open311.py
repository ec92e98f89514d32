"""The Open311 GeoReport v2 read side: which requests a caller may read, by its filters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from complaints.adapters.documents import case_from
from complaints.domain.model import Actor, Role, Status
from complaints.service_layer.context import Context
from complaints.service_layer.ports import Case, Doc

CLOSED = {Status.CLOSED.value, Status.FOLLOWED_UP.value, Status.MERGED.value}


@dataclass(frozen=True)
class RequestFilter:
    """GET requests.json: ids, or a category, a received window and open/closed."""

    ids: tuple[str, ...] | None = None  # None: any id
    service_code: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    closed: bool | None = None
    device_id: str | None = None  # a public caller reads only what this device posted


def _own(ctx: Context, actor: Actor, device_id: str | None) -> Doc:
    """The filter that keeps a public caller to its own requests (nothing for staff)."""
    if actor.role is not Role.PUBLIC:
        return {}
    device = ctx.keyring.blind_index(device_id, "device") if device_id else None
    return {"created_by.id": actor.id, "device": device}


async def requests(ctx: Context, f: RequestFilter, actor: Actor) -> list[Case]:
    """Newest first, at most 200."""
    query = _own(ctx, actor, f.device_id)
    if f.ids is not None:
        query["_id"] = {"$in": list(f.ids)}
    if f.service_code:
        query["category"] = f.service_code
    if f.start or f.end:
        query["received_at"] = {
            **({"$gte": f.start} if f.start else {}),
            **({"$lte": f.end} if f.end else {}),
        }
    if f.closed is True:
        query["status"] = {"$in": sorted(CLOSED)}
    elif f.closed is False:
        query["status"] = {"$nin": sorted(CLOSED)}
    cases, _ = await ctx.repo.cases(query, limit=200)
    return cases


async def one_request(
    ctx: Context, request_id: str, actor: Actor, device_id: str | None
) -> Case | None:
    """One request, to a caller who may read it (None otherwise, as for an unknown id)."""
    doc = await ctx.repo.find_one({"_id": request_id, **_own(ctx, actor, device_id)})
    return None if doc is None else case_from(doc)
