"""Duplicate and hotspot detection on normalised places (pure; the service supplies candidates).

A new report is a candidate duplicate of an OPEN case with the same category and the same
normalised town + address received within the window before it. Phone hashes narrow the match
only when both reports carry one: two different callers about the same chimney are two reports
(the hotspot rule catches the pile-up), but an anonymous repeat still matches. The earliest
match is the "first case" to merge into. Normalising is deliberately simple (NFKC, case, blanks,
punctuation, known prefixes); 十二号 vs 12号 style variants are not reconciled. When both
reports carry WGS84 coordinates, being within ``radius_m`` of each other also makes them the
same place, whatever the address says (people describe one spot in many ways).
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from complaints.domain.model import Category


@dataclass(frozen=True)
class DuplicateProbe:
    """The facts duplicate detection compares, for one case."""

    complaint_id: str
    category: Category
    town: str
    address: str
    phone_hash: str | None = field(default=None, repr=False)
    received_at: datetime = field(kw_only=True)
    open: bool = field(default=True, kw_only=True)
    lat: float | None = field(default=None, kw_only=True)
    lon: float | None = field(default=None, kw_only=True)


DEFAULT_RADIUS_M = 200.0
EARTH_RADIUS_M = 6_371_000.0


def distance_m(a: DuplicateProbe, b: DuplicateProbe) -> float | None:
    """Great-circle distance in metres, or None unless both reports have coordinates."""
    if a.lat is None or a.lon is None or b.lat is None or b.lon is None:
        return None
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    dp, dl = p2 - p1, math.radians(b.lon - a.lon)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(h))


def same_place(
    a: DuplicateProbe,
    b: DuplicateProbe,
    prefixes: Iterable[str] = (),
    radius_m: float = DEFAULT_RADIUS_M,
) -> bool:
    """Within ``radius_m`` when both have coordinates, else the same normalised place."""
    d = distance_m(a, b)
    if d is not None and d <= radius_m:
        return True
    prefixes = tuple(prefixes)
    return place_key(a.town, a.address, prefixes) == place_key(b.town, b.address, prefixes)


def normalise_text(text: str) -> str:
    """NFKC (full-width -> ASCII), casefold, and drop blanks and punctuation."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in folded if unicodedata.category(ch)[0] not in "PZSC")


def place_key(town: str, address: str, strip_prefixes: Iterable[str] = ()) -> str:
    """A comparable key for a place: town | address without region prefixes or the town."""
    town_n = normalise_text(town)
    addr = normalise_text(address)
    # Callers pass the district's own prefixes (e.g. 重庆市, 南川区): people write them or not.
    for prefix in sorted((normalise_text(p) for p in strip_prefixes), key=len, reverse=True):
        if prefix and addr.startswith(prefix):
            addr = addr.removeprefix(prefix)
    if town_n and addr.startswith(town_n):
        addr = addr.removeprefix(town_n)
    return f"{town_n}|{addr}"


def duplicate_candidates(
    new: DuplicateProbe,
    existing: Iterable[DuplicateProbe],
    window: timedelta,
    strip_prefixes: Iterable[str] = (),
    radius_m: float = DEFAULT_RADIUS_M,
) -> list[DuplicateProbe]:
    """The reports ``new`` would duplicate if they are still open (open or not is left to the
    caller: it costs a read per case, so it is asked only for these few)."""
    prefixes = tuple(strip_prefixes)
    return [
        old
        for old in existing
        if old.complaint_id != new.complaint_id
        and old.category is new.category
        and timedelta(0) <= new.received_at - old.received_at <= window
        and not (new.phone_hash and old.phone_hash and new.phone_hash != old.phone_hash)
        and same_place(new, old, prefixes, radius_m)
    ]


def find_first_case(
    new: DuplicateProbe,
    existing: Iterable[DuplicateProbe],
    window: timedelta,
    strip_prefixes: Iterable[str] = (),
    radius_m: float = DEFAULT_RADIUS_M,
) -> DuplicateProbe | None:
    """The earliest open case ``new`` duplicates, or None."""
    matches = [
        old
        for old in duplicate_candidates(new, existing, window, strip_prefixes, radius_m)
        if old.open
    ]
    return min(matches, key=lambda p: p.received_at, default=None)


def hotspot_reports(
    new: DuplicateProbe,
    existing: Iterable[DuplicateProbe],
    window: timedelta,
    threshold: int,
    strip_prefixes: Iterable[str] = (),
    radius_m: float = DEFAULT_RADIUS_M,
) -> list[DuplicateProbe] | None:
    """All reports about ``new``'s place (any category, open or not) in the window ending at
    ``new``, when there are at least ``threshold`` of them (舆情 early warning); else None."""
    prefixes = tuple(strip_prefixes)
    nearby = [
        old
        for old in existing
        if old.complaint_id != new.complaint_id
        and timedelta(0) <= new.received_at - old.received_at <= window
        and same_place(new, old, prefixes, radius_m)
    ]
    reports = sorted([*nearby, new], key=lambda p: p.received_at)
    return reports if len(reports) >= threshold else None
