"""Sub-item aggregates in Mongo (one document each); events go out through the outbox."""

from __future__ import annotations

from datetime import datetime

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from projects.adapters.event_codec import subitem_envelopes
from projects.adapters.row_cache import RowCache
from projects.adapters.row_codec import Doc, row_from_doc
from projects.adapters.subitem_codec import item_from_doc, item_to_doc
from projects.domain.row import ReserveRow
from projects.domain.subitem import SubItem
from projects.service_layer.ports import Loaded, StaleAggregate, Stored, SubItemFilter
from qingshan_core.mongo import IndexSpec
from qingshan_core.outbox import VERSION, ConcurrencyConflict, OutboxCollection

COLLECTION = "subitems"
INDEXES = [
    IndexSpec(COLLECTION, [("no", 1)]),
    IndexSpec(COLLECTION, [("project_id", 1), ("no", 1)]),
    IndexSpec(COLLECTION, [("field", 1), ("no", 1)]),
    IndexSpec(COLLECTION, [("lead_units", 1)]),
    IndexSpec(COLLECTION, [("stage", 1)]),
    IndexSpec(COLLECTION, [("in_reserve", 1), ("no", 1)]),
    IndexSpec(COLLECTION, [("dispatch_watch", 1)]),
    IndexSpec(COLLECTION, [("pending_adjustments", 1)]),
]
# Current state only: what roll-ups, listings and imports read (revisions stay on disk).
_ROW = {"row": 1, VERSION: 1}


def _query(flt: SubItemFilter) -> Doc:
    q: Doc = {}
    if not flt.include_withdrawn:
        q["in_reserve"] = True
    for key, value in (
        ("field", flt.field_code),
        ("project_id", flt.project_id),
        ("lead_units", flt.lead_unit),
        ("stage", flt.stage),
        ("source_class", flt.source_class),
    ):
        if value:
            q[key] = value
    if flt.year:
        q["year_start"] = {"$lte": flt.year}
        q["year_end"] = {"$gte": flt.year}
    return q


def _row_as_of(revisions: list[Doc], at: datetime) -> ReserveRow | None:
    found: Doc | None = None
    for rev in revisions:
        if rev["at"] > at:
            break
        found = rev["row"]
    return None if found is None else row_from_doc(found)


def _matches(row: ReserveRow, flt: SubItemFilter) -> bool:
    return (
        (flt.include_withdrawn or row.in_reserve)
        and (not flt.field_code or row.field.code == flt.field_code)
        and (not flt.project_id or row.project_id == flt.project_id)
        and (not flt.lead_unit or flt.lead_unit in row.lead_units)
        and (not flt.stage or row.stage.value == flt.stage)
        and (not flt.source_class or row.source_class.value == flt.source_class)
        and (not flt.year or flt.year in row.years)
    )


class MongoSubItemRepository:
    """SubItemRepository over an outbox collection; current rows optionally from a snapshot."""

    def __init__(self, outbox: OutboxCollection, *, cached: bool = False) -> None:
        self.outbox = outbox
        self.coll: AsyncCollection[Doc] = outbox.collection
        self.cache = RowCache(self._load_rows) if cached else None

    async def _load_rows(self) -> dict[str, tuple[int, ReserveRow]]:
        docs = await self.coll.find({}, _ROW).to_list()
        return {d["_id"]: (int(d[VERSION]), row_from_doc(d["row"])) for d in docs}

    async def get(self, subitem_id: str) -> Loaded[SubItem] | None:
        doc = await self.coll.find_one({"_id": subitem_id}, {"_outbox": 0})
        if doc is None:
            return None
        return Loaded(item_from_doc(doc), int(doc[VERSION]))

    async def add(self, item: SubItem, *, import_id: str = "") -> bool:
        events = subitem_envelopes(
            item.events, item.row, source=self.outbox.source, import_id=import_id
        )
        try:
            await self.outbox.insert({"_id": item.id, **item_to_doc(item)}, events)
        except DuplicateKeyError:
            return False
        item.events.clear()
        if self.cache is not None:
            self.cache.put(1, item.row)
        return True

    async def save(self, item: SubItem, version: int, *, import_id: str = "") -> int:
        events = subitem_envelopes(
            item.events, item.row, source=self.outbox.source, import_id=import_id
        )
        try:
            new = await self.outbox.update(item.id, version, item_to_doc(item), events)
        except ConcurrencyConflict as err:
            raise StaleAggregate(str(err)) from err
        if self.cache is not None:
            self.cache.put(new, item.row)
        return new

    async def is_empty(self) -> bool:
        return await self.coll.find_one({}, {"_id": 1}) is None

    async def table_state(self) -> dict[str, Stored]:
        docs = await self.coll.find({}, _ROW).to_list()
        return {d["_id"]: Stored(row_from_doc(d["row"]), int(d[VERSION])) for d in docs}

    async def rows(self, *, include_withdrawn: bool = False) -> list[ReserveRow]:
        if self.cache is not None:
            return [r for r in await self.cache.rows() if include_withdrawn or r.in_reserve]
        q: Doc = {} if include_withdrawn else {"in_reserve": True}
        return [row_from_doc(d["row"]) for d in await self.coll.find(q, {"row": 1}).to_list()]

    async def rows_as_of(self, at: datetime) -> list[ReserveRow]:
        docs = await self.coll.find({}, {"revisions": 1}).to_list()
        return [r for d in docs if (r := _row_as_of(d["revisions"], at)) is not None]

    async def find(
        self, flt: SubItemFilter, *, limit: int, offset: int
    ) -> tuple[list[ReserveRow], int]:
        if self.cache is not None:
            rows = [r for r in await self.cache.rows() if _matches(r, flt)]
            rows.sort(key=lambda r: (r.no, r.subitem_id))
            return rows[offset : offset + limit], len(rows)
        q = _query(flt)
        cursor = self.coll.find(q, {"row": 1}).sort([("no", 1), ("_id", 1)])
        docs = await cursor.skip(offset).limit(limit).to_list()
        total = await self.coll.count_documents(q)
        return [row_from_doc(d["row"]) for d in docs], total

    async def dispatch_candidates(self) -> list[str]:
        docs = await self.coll.find({"dispatch_watch": True}, {"_id": 1}).to_list()
        return [str(d["_id"]) for d in docs]

    async def with_pending_adjustments(self) -> list[SubItem]:
        q = {"pending_adjustments": {"$gt": 0}}
        docs = await self.coll.find(q, {"_outbox": 0}).sort("no", 1).to_list()
        return [item_from_doc(d) for d in docs]
