"""Recent reports per place, addressable by _id: one document per normalised place key and one
per ~1 km geohash cell, each listing the reports made there. Duplicate and hotspot detection
read a handful of these by _id instead of querying the complaints collection."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from complaints.adapters.documents import local
from complaints.domain.complaint import Complaint
from complaints.domain.duplicates import DuplicateProbe
from complaints.domain.model import Category, Location
from qingshan_core.batching import WriteBatcher
from qingshan_core.mongo import find_by_ids

Doc = dict[str, Any]
_BASE32 = "0123456789bcdefghjkmnpqrstuvwxyz"
PRECISION = 6  # cells of about 1.2 km x 0.6 km
CELL_LAT, CELL_LON = 180 / 2**15, 360 / 2**15  # precision 6 = 30 bits: 15 lat, 15 lon
KEEP = 300  # items per document before old ones are trimmed
TRIM_CHANCE = 1 / 20


def geohash(lat: float, lon: float, precision: int = PRECISION) -> str:
    """Standard base32 geohash."""
    lat_lo, lat_hi, lon_lo, lon_hi = -90.0, 90.0, -180.0, 180.0
    bits, value, out, even = 0, 0, [], True
    while len(out) < precision:
        if even:
            mid = (lon_lo + lon_hi) / 2
            value, lon_lo, lon_hi = (
                (value * 2 + 1, mid, lon_hi) if lon >= mid else (value * 2, lon_lo, mid)
            )
        else:
            mid = (lat_lo + lat_hi) / 2
            value, lat_lo, lat_hi = (
                (value * 2 + 1, mid, lat_hi) if lat >= mid else (value * 2, lat_lo, mid)
            )
        even, bits = not even, bits + 1
        if bits == 5:
            out.append(_BASE32[value])
            bits, value = 0, 0
    return "".join(out)


def cells_around(lat: float, lon: float) -> list[str]:
    """The cell of the point and its eight neighbours (a report near a cell edge)."""
    return sorted(
        {
            geohash(lat + dy * CELL_LAT, lon + dx * CELL_LON)
            for dy in (-1, 0, 1)
            for dx in (-1, 0, 1)
        }
    )


class PlaceIndex:
    """Reports by place key and by geohash cell."""

    def __init__(self, coll: AsyncCollection[Doc], complaints: AsyncCollection[Doc]) -> None:
        self.coll = coll
        self.complaints = complaints
        self._writes = WriteBatcher(coll)  # concurrent intakes file their reports together

    async def add(self, pkey: str, case: Complaint) -> None:
        loc = case.location
        item = {
            "id": case.id,
            "cat": case.category.value,
            "at": case.received_at,
            "ph": case.complainant.phone_hash,
            "lat": loc.lat,
            "lon": loc.lon,
            "town": loc.town,
            "addr": loc.address,
        }
        ids = [f"p:{pkey}"]
        if loc.lat is not None and loc.lon is not None:
            ids.append(f"g:{geohash(loc.lat, loc.lon)}")
        await asyncio.gather(*(self._push(_id, item) for _id in ids))

    async def _push(self, _id: str, item: Doc) -> None:
        for _ in range(3):
            try:
                await self._writes.update_one({"_id": _id}, {"$push": {"items": item}}, upsert=True)
                break
            except DuplicateKeyError:
                continue  # two first upserts raced; push onto the one that won
        if random.random() > TRIM_CHANCE:
            return  # trimming needs a read: do it now and then, not on every report
        doc = await self.coll.find_one({"_id": _id})
        if doc and len(doc["items"]) > KEEP:
            newest = sorted(doc["items"], key=lambda i: i["at"])[-KEEP:]
            await self.coll.update_one({"_id": _id}, {"$set": {"items": newest}})

    async def recent(
        self, pkey: str, loc: Location, since: datetime, exclude_id: str | None = None
    ) -> list[DuplicateProbe]:
        """Reports at the place (by key, or in the cells around the point) since `since`, read
        in one query, without `exclude_id`. Whether each is still open is not known here (`open`
        stays True): it costs a read of the case, so `open_among` is asked only for duplicate
        candidates."""
        ids = [f"p:{pkey}"]
        if loc.lat is not None and loc.lon is not None:
            ids += [f"g:{c}" for c in cells_around(loc.lat, loc.lon)]
        items: dict[str, Doc] = {}
        for doc in await find_by_ids(self.coll, ids):
            for item in doc.get("items", []):
                if item["at"] >= since and item["id"] != exclude_id:
                    items[item["id"]] = item
        probes = []
        for item in items.values():
            at = local(item["at"])
            assert at is not None
            probes.append(
                DuplicateProbe(
                    complaint_id=item["id"],
                    category=Category(item["cat"]),
                    town=item.get("town") or "",
                    address=item.get("addr") or "",
                    phone_hash=item.get("ph"),
                    received_at=at,
                    lat=item.get("lat"),
                    lon=item.get("lon"),
                )
            )
        return probes

    async def forget(self, ids: Sequence[str], complaint_id: str) -> int:
        """Remove the case's reports from these documents; returns how many went. Each item is
        pulled by its exact value (FerretDB 1.x pulls no conditions), so a report added
        meanwhile stays."""
        pulled = 0
        for doc in await find_by_ids(self.coll, ids):
            for item in doc.get("items", []):
                if item["id"] == complaint_id:
                    res = await self.coll.update_one(
                        {"_id": doc["_id"]}, {"$pull": {"items": item}}
                    )
                    pulled += res.modified_count
        return pulled

    async def open_among(self, ids: Sequence[str]) -> set[str]:
        """Which of these cases are still open (one query)."""
        if not ids:
            return set()
        docs = await find_by_ids(self.complaints, ids, {"is_open": True}, {"_id": 1})
        return {d["_id"] for d in docs}
