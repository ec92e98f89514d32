"""Poison outbox entries: an entry the broker (or the client) refuses for what it is -- too
large, malformed -- can never go out, and would hold every later event of its aggregate behind
it. The relay hands each such refusal here: it is counted per entry (`outbox_failures`), and at
the configured number of attempts the entry is moved with its error to `outbox_quarantine`
(insert-if-absent, then pulled from its aggregate), an ops alert is raised (`on_quarantine`),
and the relay is woken so the aggregate's later events go out. Refusals that say nothing about
the record (the broker down, a timeout, not authorised) are not counted: they wait."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from aiokafka.errors import (
    CorruptRecordException,
    InvalidTimestampError,
    MessageSizeTooLargeError,
    RecordListTooLargeError,
    RecordTooLargeError,
)
from prometheus_client import Counter
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from qingshan_core.logging import get_logger
from qingshan_core.mongo import Document
from qingshan_core.outbox import OUTBOX

REFUSED = Counter("qingshan_outbox_refused_total", "Entries the broker refused for what they are")
QUARANTINED = Counter(
    "qingshan_outbox_quarantined_total", "Entries refused repeatedly and set aside", ["topic"]
)
FAILURES = "outbox_failures"
QUARANTINE = "outbox_quarantine"
# Refused for what the record is (size, encoding, timestamp): retrying the same bytes cannot help.
RECORD_ERRORS = (
    MessageSizeTooLargeError,
    RecordTooLargeError,
    RecordListTooLargeError,
    CorruptRecordException,
    InvalidTimestampError,
    TypeError,  # the client could not serialise the record (a header or key of the wrong type)
    ValueError,
    KeyError,  # an entry missing what a record is made of
)
# (entry, collection, aggregate id, error) -> raise the ops alert about a quarantined entry
OnQuarantine = Callable[[Document, str, Any, str], Awaitable[None]]

log = get_logger(__name__)


class Quarantine:
    """Counts refusals per outbox entry and sets aside the ones refused `attempts` times."""

    def __init__(
        self,
        db: AsyncDatabase[Document],
        attempts: int = 3,
        on_quarantine: OnQuarantine | None = None,
        wake: Callable[[], None] | None = None,
    ) -> None:
        self.db = db
        self.attempts = attempts
        self._on_quarantine = on_quarantine
        self._wake = wake

    async def refused(self, name: str, agg_id: Any, entry: Document, exc: BaseException) -> None:
        """Count a refusal of this entry; at `poison_attempts`, quarantine it: stored with its
        error first, the ops alert raised, then pulled from its aggregate (each step safe to
        repeat, so a crash in between only repeats it), and the aggregate's later events go
        out in the next round."""
        REFUSED.inc()
        error = f"{type(exc).__name__}: {exc}"[:2000]
        count = await self.db[FAILURES].find_one_and_update(
            {"_id": entry["id"]},
            {"$inc": {"n": 1}, "$set": {"error": error, "at": datetime.now(UTC)}},
            upsert=True,
            return_document=True,
        )
        attempts = int(count["n"]) if count else 1
        log.warning("relay.entry_refused", event_id=entry["id"], attempts=attempts, error=error)
        if attempts < self.attempts:
            return
        record = {
            "_id": entry["id"],
            "collection": name,
            "aggregate": agg_id,
            "entry": entry,
            "error": error,
            "attempts": attempts,
            "at": datetime.now(UTC),
        }
        try:
            await self.db[QUARANTINE].insert_one(record)
        except DuplicateKeyError:
            pass  # quarantined before a crash that left it in the aggregate
        if self._on_quarantine is not None:
            await self._on_quarantine(entry, name, agg_id, error)
        await self.db[name].update_one({"_id": agg_id}, {"$pullAll": {OUTBOX: [entry]}})
        await self.db[FAILURES].delete_one({"_id": entry["id"]})
        QUARANTINED.labels(entry["topic"]).inc()
        log.warning(
            "relay.entry_quarantined",
            event_id=entry["id"],
            type=entry.get("type"),
            collection=name,
            aggregate=str(agg_id),
            error=error,
        )
        if self._wake is not None:
            self._wake()  # the aggregate's later events go out now
