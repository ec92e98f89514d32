"""Possible duplicates of a report not yet submitted: what an operator sees while typing, so a
repeat call can be attached to the case that exists (the same rule intake flags them by)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from complaints.domain.duplicates import DuplicateProbe, duplicate_candidates, place_key
from complaints.domain.model import Category, Location
from complaints.service_layer.context import Context
from complaints.service_layer.ports import Case

MAX_HINTS = 10


@dataclass(frozen=True)
class Draft:
    """The parts of a report that duplicate detection compares."""

    category: Category
    address: str
    town: str = ""
    lat: float | None = None
    lon: float | None = None
    phone: str | None = None


async def possible_duplicates(ctx: Context, draft: Draft) -> list[Case]:
    """Open cases the draft would duplicate, earliest first (the first is the one to merge
    into), without their history."""
    now = ctx.clock()
    rules = ctx.intake
    location = Location(draft.address, draft.town, draft.lat, draft.lon)
    pkey = place_key(draft.town, draft.address, rules.address_prefixes)
    probes = await ctx.places.recent(pkey, location, now - rules.duplicate_window)
    digits = re.sub(r"\D", "", draft.phone) if draft.phone else None
    probe = DuplicateProbe(
        complaint_id="",
        category=draft.category,
        town=draft.town,
        address=draft.address,
        phone_hash=ctx.keyring.blind_index(digits, "phone") if digits else None,
        received_at=now,
        lat=draft.lat,
        lon=draft.lon,
    )
    found = duplicate_candidates(probe, probes, rules.duplicate_window, rules.address_prefixes)
    ids = [c.complaint_id for c in sorted(found, key=lambda c: c.received_at)]
    still_open = await ctx.places.open_among(ids)
    ids = [i for i in ids if i in still_open][:MAX_HINTS]
    if not ids:
        return []
    cases, _ = await ctx.repo.cases({"_id": {"$in": ids}}, limit=MAX_HINTS)
    order = {cid: n for n, cid in enumerate(ids)}
    return sorted(cases, key=lambda c: order[c.complaint.id])
