"""The deliveries' work index: which deliveries still need something done, and from when.

FerretDB 1.x answers only `_id` lookups from an index: any other filter or sort decodes the
whole collection. `deliveries` grows with every message ever sent (10^5-10^6 over months), and
the dispatcher asks "what is due?" about every second, the periodic jobs every few seconds; a
scan of the history each time would keep the store busy and make latency grow with history.

So a small collection, `delivery_work`, holds one document per (kind, delivery) that still
needs attention: `_id = "<kind>:<delivery id>"`, `kind`, `at` (when it becomes due), `d` (the
delivery id). Its size follows the pending work, not the history:

- attempt:    an open delivery (pending, held, retrying, sending), at its next_attempt_at
- digest:     a delivery waiting for its digest, at the digest's time
- ack:        an inbox item awaiting acknowledgement, at its deadline
- deadletter: a failed delivery not yet on the dead-letter topic (due at once), at failed_at

MongoDeliveries writes it after each delivery write (`record`: upsert the kinds the new state
needs, delete the others; idempotent, and concurrent saves share bulk commands). The queries
(`due`, `earliest`) read entries of one kind here (a scan of a small collection), fetch their
deliveries by _id (a page per `_id $in` query, which the local build looks up by index) and
check each delivery's current state: an entry can be stale (a concurrent change, a crash
between the two writes), and is then moved or dropped, never acted on. Those corrections are
guarded by the entry's `at` as read, so they cannot undo a newer `record`. An entry lost the
same way is restored by `repair`, a full scan of the deliveries at start, every hour, and soon
after an index write failed: a lost entry delays work, it never loses it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Mapping
from datetime import UTC, datetime
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError, PyMongoError

from notify.domain.model import OPEN_STATUSES, AckState, Status
from qingshan_core.batching import WriteBatcher
from qingshan_core.logging import get_logger
from qingshan_core.mongo import Document, IndexSpec, find_by_ids

WORK = "delivery_work"
ATTEMPT = "attempt"
DIGEST_WAIT = "digest"
ACK = "ack"
DEADLETTER = "deadletter"
KINDS = (ATTEMPT, DIGEST_WAIT, ACK, DEADLETTER)

_OPEN = tuple(s.value for s in OPEN_STATUSES)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# What `needs` reads, and (for the repair's scan) which deliveries can need anything at all.
_STATE = dict.fromkeys(
    ("status", "next_attempt_at", "ack_state", "ack_deadline", "dead_lettered", "failed_at"), 1
)
_MAY_NEED: Document = {
    "$or": [
        {"status": {"$in": [*_OPEN, Status.DIGEST.value]}},
        {"ack_state": AckState.AWAITING.value},
        {"status": Status.FAILED.value, "dead_lettered": {"$ne": True}},
    ]
}
_ROUNDS = 4  # re-reads of the index when stale entries left a page short
_CHUNK = 128

log = get_logger(__name__)


def work_indexes() -> list[IndexSpec]:
    """For a real MongoDB; FerretDB scans this (small) collection whatever is declared."""
    return [IndexSpec(WORK, [("kind", 1), ("at", 1)])]


def work_key(kind: str, delivery_id: str) -> str:
    return f"{kind}:{delivery_id}"


def _instant(v: Any) -> datetime | None:
    """A stored instant (aware: the core's client reads them so), None where there is none."""
    return v if isinstance(v, datetime) else None


def needs(doc: Mapping[str, Any]) -> dict[str, datetime]:
    """The kinds of work a stored delivery's state needs, each with when it becomes due."""
    out: dict[str, datetime] = {}
    status = doc.get("status")
    nxt = _instant(doc.get("next_attempt_at"))
    if nxt is not None and status in _OPEN:
        out[ATTEMPT] = nxt
    if nxt is not None and status == Status.DIGEST.value:
        out[DIGEST_WAIT] = nxt
    deadline = _instant(doc.get("ack_deadline"))
    if deadline is not None and doc.get("ack_state") == AckState.AWAITING.value:
        out[ACK] = deadline
    if status == Status.FAILED.value and not doc.get("dead_lettered"):
        out[DEADLETTER] = _instant(doc.get("failed_at")) or _EPOCH
    return out


class WorkIndex:
    """The `delivery_work` collection next to the deliveries it indexes."""

    def __init__(
        self, work: AsyncCollection[Document], deliveries: AsyncCollection[Document]
    ) -> None:
        self.coll = work
        self.deliveries = deliveries
        self._writes = WriteBatcher(work)  # concurrent saves' entries go out together
        self.repair_wanted = False  # an index write failed: rescan soon, not in an hour

    async def record(self, delivery_id: str, doc: Mapping[str, Any], *, new: bool = False) -> None:
        """Make the delivery's entries match `doc`, the state just written: upsert the kinds it
        needs, delete the others (a `new` delivery has none to delete). A failure is logged and
        asks for a repair; it never fails the caller, whose delivery write stands."""
        want = needs(doc)
        writes: list[Awaitable[None]] = [
            self._put(work_key(k, delivery_id), {"kind": k, "at": at, "d": delivery_id})
            for k, at in want.items()
        ]
        if not new:
            writes += [
                self._writes.delete_one({"_id": work_key(k, delivery_id)})
                for k in KINDS
                if k not in want
            ]
        results = await asyncio.gather(*writes, return_exceptions=True)
        errors = [r for r in results if isinstance(r, BaseException)]
        if errors:
            self.repair_wanted = True
            log.warning("notify.work_index_failed", delivery=delivery_id, error=repr(errors[0]))

    async def _put(self, key: str, fields: Document, *, earlier_only: bool = False) -> None:
        """Upsert one entry; `earlier_only` never moves an existing entry's `at` later."""
        update: Document = {"$set": fields}
        if earlier_only:
            update = {
                "$min": {"at": fields["at"]},
                "$set": {"kind": fields["kind"], "d": fields["d"]},
            }
        for attempt in range(3):
            try:
                await self._writes.update_one({"_id": key}, update, upsert=True)
                return
            except DuplicateKeyError:  # two first upserts raced: the entry exists now, retry
                if attempt == 2:
                    raise

    async def earliest(self, kind: str) -> datetime | None:
        """The earliest `at` of any entry of `kind` (stale ones included: waking early only
        makes the next query correct them)."""
        doc = await self.coll.find_one({"kind": kind}, {"at": 1}, sort=[("at", 1)])
        return _instant(doc.get("at")) if doc else None

    async def due(self, kind: str, now: datetime | None, limit: int) -> list[Document]:
        """Up to `limit` delivery documents that need `kind` by `now` (any time when `now` is
        None), earliest first, each checked against its current state."""
        found: list[tuple[datetime, Document]] = []
        seen: list[str] = []
        for _ in range(_ROUNDS if limit > 0 else 0):
            want = limit - len(found)
            q: Document = {"kind": kind}
            if now is not None:
                q["at"] = {"$lte": now}
            if seen:
                q["_id"] = {"$nin": seen}  # a small collection: this filter scans nothing big
            entries = await self.coll.find(q).sort("at", 1).limit(want).to_list()
            docs = await self._fetch(entries)
            # Side by side, so that the corrections of stale entries share a bulk command.
            checked = await asyncio.gather(
                *(self._check(kind, e, d, now) for e, d in zip(entries, docs, strict=True))
            )
            seen += [e["_id"] for e in entries]
            found += [(at, d) for at, d in zip(checked, docs, strict=True) if at and d]
            if len(entries) < want or len(found) >= limit:
                break
        found.sort(key=lambda f: f[0])
        return [doc for _, doc in found[:limit]]

    async def _fetch(self, entries: list[Document]) -> list[Document | None]:
        """The entries' deliveries (None where gone), read by `_id` in pages."""
        ids = list(dict.fromkeys(e["d"] for e in entries))
        docs = {d["_id"]: d for d in await find_by_ids(self.deliveries, ids, None, {"_outbox": 0})}
        return [docs.get(e["d"]) for e in entries]

    async def _check(
        self, kind: str, entry: Document, doc: Document | None, now: datetime | None
    ) -> datetime | None:
        """When the delivery really is due for `kind`, its time; else correct the entry (drop
        it, or move it to the delivery's real time) and None. The correction only applies to
        the entry as read: a `record` that wrote it meanwhile wins."""
        at = needs(doc).get(kind) if doc is not None else None
        if at is not None and (now is None or at <= now):
            return at
        guard = {"_id": entry["_id"], "at": entry["at"]}
        try:
            if at is None:
                await self._writes.delete_one(guard)
            else:
                await self._writes.update_one(guard, {"$set": {"at": at}})
        except PyMongoError as exc:  # the next query finds it again and retries
            log.warning("notify.work_index_fix_failed", entry=entry["_id"], error=repr(exc))
        return None

    async def repair(self) -> int:
        """Scan every delivery and restore the entries its state needs that are missing (or
        set later than the delivery's time); returns how many it wrote. Entries only ever move
        earlier here (`$min`): a state read during the scan may be stale, and a stale early
        entry is merely corrected by the next query, while a late one would delay the work."""
        self.repair_wanted = False
        try:
            have: dict[str, datetime | None] = {
                e["_id"]: _instant(e.get("at")) async for e in self.coll.find({}, {"at": 1})
            }
            pending: list[Awaitable[None]] = []
            written = 0
            async for doc in self.deliveries.find(_MAY_NEED, _STATE):
                for kind, at in needs(doc).items():
                    key = work_key(kind, doc["_id"])
                    old = have.get(key)
                    if old is None or old > at:
                        fields = {"kind": kind, "at": at, "d": doc["_id"]}
                        pending.append(self._put(key, fields, earlier_only=True))
                if len(pending) >= _CHUNK:
                    written += len(await asyncio.gather(*pending))
                    pending = []
            written += len(await asyncio.gather(*pending))
        except BaseException:
            self.repair_wanted = True
            raise
        if written:
            log.warning("notify.work_index_repaired", entries=written)
        return written
