"""The Store port on Mongo: one collection per aggregate kind, written through the outbox.

Every save is one document write carrying the new state, the pending events (`_outbox`) and
`next_check_at` (the sweeps' index), guarded by `_version`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar

from pymongo import ASCENDING
from pymongo.errors import DuplicateKeyError

from qingshan_core.outbox import ConcurrencyConflict, OutboxCollection
from risk.adapters.documents import Doc
from risk.adapters.event_messages import envelopes
from risk.domain.aggregate import Aggregate
from risk.domain.events import Event
from risk.service_layer.errors import AlreadyExists, Conflict
from risk.service_layer.ports import Loaded, Page, Query, drain

A = TypeVar("A", bound=Aggregate)
A_contra = TypeVar("A_contra", bound=Aggregate, contravariant=True)
NEXT = "next_check_at"


class Codec(Protocol[A]):
    """How one aggregate kind becomes a document and back."""

    @property
    def kind(self) -> tuple[str, str]: ...

    @property
    def fields(self) -> Mapping[str, str]: ...

    @property
    def sort(self) -> str: ...

    def to_doc(self, aggregate: A) -> Doc: ...

    def from_doc(self, doc: Doc) -> A: ...

    def next_check(self, aggregate: A) -> datetime | None: ...


class EventContext(Protocol[A_contra]):
    """Extra message fields an event does not carry but its aggregate knows."""

    def __call__(self, aggregate: A_contra, event: Event, /) -> dict[str, Any] | None: ...


def _no_context(aggregate: Any, event: Event) -> dict[str, Any] | None:
    return None


class MongoStore(Generic[A]):
    """Store[A] over an outbox collection."""

    def __init__(
        self,
        outbox: OutboxCollection,
        codec: Codec[A],
        source: str,
        context: EventContext[A] = _no_context,
    ) -> None:
        self.outbox = outbox
        self.collection = outbox.collection
        self.codec = codec
        self.source = source
        self.context = context

    def _state(self, aggregate: A) -> tuple[Doc, list[str]]:
        doc = self.codec.to_doc(aggregate)
        due = self.codec.next_check(aggregate)
        if due is None:
            return doc, [NEXT]
        doc[NEXT] = due
        return doc, []

    def _envelopes(self, key: str, aggregate: A) -> list[Any]:
        events = drain(aggregate)
        return envelopes(
            events,
            source=self.source,
            subject=key,
            context=lambda e: self.context(aggregate, e),
        )

    async def get(self, key: str) -> Loaded[A] | None:
        """The aggregate with this id, or None."""
        doc = await self.collection.find_one({"_id": key}, {"_outbox": 0})
        if doc is None:
            return None
        return Loaded(self.codec.from_doc(doc), int(doc["_version"]))

    async def add(self, key: str, aggregate: A) -> None:
        """Insert a new aggregate with its events."""
        doc, _ = self._state(aggregate)
        pending = list(aggregate.events)
        try:
            await self.outbox.insert({"_id": key, **doc}, self._envelopes(key, aggregate))
        except DuplicateKeyError as exc:
            aggregate.events.extend(pending)  # nothing was written: keep them
            zh, en = self.codec.kind
            raise AlreadyExists(f"{zh}{key}已存在", f"{en} {key} already exists") from exc

    async def save(self, key: str, loaded: Loaded[A]) -> None:
        """Write state and events iff the version matches."""
        doc, unset = self._state(loaded.aggregate)
        try:
            loaded.version = await self.outbox.update(
                key,
                loaded.version,
                doc,
                self._envelopes(key, loaded.aggregate),
                unset_fields=unset,
            )
        except DuplicateKeyError as exc:  # a unique field (e.g. a credit code) taken meanwhile
            zh, en = self.codec.kind
            raise AlreadyExists(
                f"{zh}{key}与已有记录重复", f"{en} {key} duplicates another"
            ) from exc
        except ConcurrencyConflict as exc:
            zh, en = self.codec.kind
            raise Conflict(
                f"{zh}{key}已被他人修改，请刷新后重试",
                f"{en} {key} was changed concurrently; reload and retry",
            ) from exc

    def _filter(self, query: Query) -> Doc:
        flt: Doc = {}
        for name, value in query.where.items():
            if name not in self.codec.fields:
                raise ValueError(f"unknown filter {name!r}")
            if value is not None and value != "":
                flt[self.codec.fields[name]] = value
        if query.bbox is not None:
            b = query.bbox
            flt["lon"] = {"$gte": b.min_lon, "$lte": b.max_lon}
            flt["lat"] = {"$gte": b.min_lat, "$lte": b.max_lat}
        return flt

    async def find(self, query: Query) -> Page[A]:
        """Aggregates matching equality filters and an optional box, sorted, one page."""
        flt = self._filter(query)
        total = await self.collection.count_documents(flt)
        cursor = (
            self.collection.find(flt, {"_outbox": 0})
            .sort([(self.codec.sort, ASCENDING), ("_id", ASCENDING)])
            .skip(query.offset)
            .limit(query.limit)
        )
        return Page([self.codec.from_doc(d) async for d in cursor], total)

    async def find_docs(self, flt: Doc, limit: int = 10_000) -> list[A]:
        """Adapter-level query for the read models (indicators) with a raw filter."""
        cursor = self.collection.find(flt, {"_outbox": 0}).limit(limit)
        return [self.codec.from_doc(d) async for d in cursor]

    async def due(self, now: datetime, limit: int) -> list[tuple[str, Loaded[A]]]:
        """Aggregates whose next check time has come, through the next_check_at index."""
        cursor = (
            self.collection.find({NEXT: {"$lte": now}}, {"_outbox": 0})
            .sort([(NEXT, ASCENDING), ("_id", ASCENDING)])
            .limit(limit)
        )
        return [
            (str(d["_id"]), Loaded(self.codec.from_doc(d), int(d["_version"])))
            async for d in cursor
        ]
