"""Complaints in Mongo: one document per case, its pending events in the same document."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from google.protobuf.message import Message
from pymongo import ASCENDING, DESCENDING

from complaints.adapters.documents import Doc, case_from, from_doc, new_doc, state_doc
from complaints.adapters.event_mapping import step_pb, to_proto
from complaints.adapters.keys import track_key
from complaints.adapters.schedule import AlertSchedule
from complaints.domain.clocks import flags
from complaints.domain.complaint import Complaint
from complaints.domain.monitor import DEFAULT_RULE, WarningRule, next_alert_at
from complaints.service_layer.ports import Case, Loaded
from qingshan_core import crashpoints
from qingshan_core.events import Envelope
from qingshan_core.mongo import IndexSpec, find_by_ids
from qingshan_core.outbox import VERSION, Change, OutboxCollection
from qingshan_core.pii import Keyring
from qingshan_core.workdays import WorkCalendar

COLLECTION = "complaints"
KEYS = "complaint_keys"
SCHEDULE = "alert_schedule"

INDEXES = [
    # Order numbers, Idempotency-Keys and tracking codes are _id lookups in complaint_keys; the
    # sweeper reads its minute schedule by _id. These indexes serve the remaining queries on a
    # store that uses them (MongoDB); FerretDB 1.x scans for anything but _id.
    IndexSpec(COLLECTION, [("next_alert_at", ASCENDING)]),
    IndexSpec(COLLECTION, [("received_at", DESCENDING)]),
    IndexSpec(COLLECTION, [("reply_by", ASCENDING)]),
    IndexSpec(COLLECTION, [("unit_id", ASCENDING), ("status", ASCENDING)]),
    IndexSpec(COLLECTION, [("place_key", ASCENDING), ("received_at", DESCENDING)]),
    # The console's work queues and searches.
    IndexSpec(COLLECTION, [("is_open", ASCENDING), ("flags", ASCENDING)]),
    IndexSpec(COLLECTION, [("complainant.phone_hash", ASCENDING)]),
]


class CalendarSource(Protocol):
    """Whatever holds the current working-day calendar (reloaded when admins change it)."""

    calendar: WorkCalendar


class MongoComplaintRepository:
    """Reads and writes Complaint aggregates; every write carries the case's new events."""

    def __init__(
        self,
        outbox: OutboxCollection,
        keyring: Keyring,
        calendars: CalendarSource,
        rule: WarningRule = DEFAULT_RULE,
    ) -> None:
        self.outbox = outbox
        self.schedule = AlertSchedule(outbox.collection.database[SCHEDULE])
        # The service's clock (tests move it); bootstrap binds it to the use-case context's.
        self.clock: Callable[[], datetime] = lambda: datetime.now(UTC)
        self.coll = outbox.collection
        self.keyring = keyring
        self.calendars = calendars
        self.rule = rule

    def _envelopes(
        self, c: Complaint, extra: Sequence[Message], trace_id: str | None
    ) -> list[Envelope]:
        msgs = [to_proto(e, c) for e in c.events] + list(extra)
        return [
            Envelope.wrap(m, source=self.outbox.source, subject=c.id, trace_id=trace_id)
            for m in msgs
        ]

    def _derived(self, c: Complaint) -> Doc:
        return {
            "next_alert_at": next_alert_at(c, self.calendars.calendar, self.rule),
            "flags": flags(c),  # the work queues' 即将超期 / 已超期 / 已督办
        }

    async def add(
        self,
        c: Complaint,
        *,
        fields: Doc,
        extra_events: Sequence[Message] = (),
        trace_id: str | None = None,
    ) -> Doc:
        """Insert a new case with its events; returns the stored document (without outbox)."""
        doc = {**new_doc(c, self.keyring), **self._derived(c), **fields}
        await self.outbox.insert(doc, self._envelopes(c, extra_events, trace_id))
        c.events.clear()
        # A crash here leaves a case without its schedule entry: the repair scan restores it.
        crashpoints.reached("case-written", c.external_id or c.id)
        await self.schedule.add(doc["next_alert_at"], c.id, self.clock())
        doc.pop("_outbox", None)
        return doc

    async def save(
        self,
        loaded: Loaded,
        *,
        fields: Doc | None = None,
        extra_events: Sequence[Message] = (),
        trace_id: str | None = None,
    ) -> int:
        """Write the changed state and new events iff nobody else wrote in between. The
        district's steps on a platform's order go with them (PlatformStepQueued), so the
        platform hears of each step exactly as it was stored."""
        c = loaded.complaint
        update = {**state_doc(c), **self._derived(c), **(fields or {})}
        steps = [step_pb(s, c) for s in c.outbound_steps(len(loaded.doc.get("history") or ()))]
        version = await self.outbox.update(
            c.id, loaded.version, update, self._envelopes(c, [*extra_events, *steps], trace_id)
        )
        await self._saved(loaded, update)
        return version

    async def save_all(self, loaded: Sequence[Loaded]) -> set[str]:
        """`save` for several cases, in bulk commands; returns the ids that changed since they
        were read (nothing of theirs was written: read them again)."""
        updates = {
            x.complaint.id: {**state_doc(x.complaint), **self._derived(x.complaint)} for x in loaded
        }
        changes = [
            Change(
                x.complaint.id,
                x.version,
                updates[x.complaint.id],
                self._envelopes(x.complaint, (), None),
            )
            for x in loaded
        ]
        missed = await self.outbox.update_all(changes)
        await asyncio.gather(
            *(
                self._saved(x, updates[x.complaint.id])
                for x in loaded
                if x.complaint.id not in missed
            )
        )
        return missed

    async def _saved(self, loaded: Loaded, update: Doc) -> None:
        """After a guarded write landed: the events are out of the aggregate's hands, the
        loaded copy is the stored one, and a moved alert time is scheduled."""
        loaded.complaint.events.clear()
        loaded.version += 1
        if update["next_alert_at"] != loaded.doc.get("next_alert_at"):
            await self.schedule.add(update["next_alert_at"], loaded.complaint.id, self.clock())
        loaded.doc.update(update)

    async def get(self, complaint_id: str) -> Loaded | None:
        doc = await self.coll.find_one({"_id": complaint_id}, {"_outbox": 0})
        return None if doc is None else Loaded(from_doc(doc), int(doc[VERSION]), doc)

    async def case(self, complaint_id: str) -> Case | None:
        doc = await self.find_one({"_id": complaint_id})
        return None if doc is None else case_from(doc)

    async def due_now(self, ids: Sequence[str], now: datetime) -> list[Loaded]:
        """Those of these cases with an alert due by `now`, read by `_id` in pages."""
        due = {"next_alert_at": {"$lte": now}}
        docs = await find_by_ids(self.coll, ids, due, {"_outbox": 0})
        return [Loaded(from_doc(d), int(d[VERSION]), d) for d in docs]

    async def find_one(self, query: Doc) -> Doc | None:
        return await self.coll.find_one(query, {"_outbox": 0})

    async def by_tracking_code(self, code: str) -> Doc | None:
        key = await self.coll.database[KEYS].find_one({"_id": track_key(code)})
        return None if key is None else await self.find_one({"_id": key["complaint_id"]})

    async def due_for_alerts(self, now: datetime, limit: int = 200) -> list[str]:
        """Ids of cases whose next alert is due, by a full query (the sweeper's first round and
        its fallback after a long gap; otherwise it reads the minute schedule)."""
        cursor = self.coll.find({"next_alert_at": {"$lte": now}}, {"_id": 1}).sort(
            "next_alert_at", ASCENDING
        )
        return [d["_id"] async for d in cursor.limit(limit)]

    async def scheduled(self) -> list[tuple[str, datetime]]:
        """(id, next alert) of every case that has one: the schedule repair's full scan."""
        cursor = self.coll.find({"next_alert_at": {"$ne": None}}, {"next_alert_at": 1})
        return [(d["_id"], d["next_alert_at"]) async for d in cursor if d.get("next_alert_at")]

    async def search(
        self,
        query: Doc,
        *,
        skip: int = 0,
        limit: int = 50,
        projection: Doc | None = None,
        sort: Sequence[tuple[str, int]] = (("received_at", DESCENDING),),
    ) -> tuple[list[Doc], int]:
        proj: dict[str, Any] = projection or {"_outbox": 0, "history": 0}
        cursor = self.coll.find(query, proj).sort(list(sort)).skip(skip)
        docs = await cursor.limit(limit).to_list()
        return docs, await self.coll.count_documents(query)

    async def cases(
        self,
        query: Doc,
        *,
        skip: int = 0,
        limit: int = 50,
        sort: Sequence[tuple[str, int]] = (("received_at", DESCENDING),),
    ) -> tuple[list[Case], int]:
        docs, total = await self.search(query, skip=skip, limit=limit, sort=sort)
        return [case_from(d) for d in docs], total

    async def stream(self, query: Doc, projection: Doc) -> list[Doc]:
        return await self.coll.find(query, projection).to_list()

    async def units_since(self, start: datetime) -> list[str | None]:
        units: list[str | None] = await self.coll.distinct(
            "unit_id", {"received_at": {"$gte": start}}
        )
        return units
