"""The steps waiting to go to a platform, and those that went (or were refused).

`platform_steps` holds only what still waits, so the dispatcher's look at it stays small (a
FerretDB query that is not an `_id` lookup reads the whole collection); a finished step moves
to `platform_steps_done`. Both are keyed by the step's idempotency key
(`<complaint_id>:<seq>:<step>`), so queueing a step twice, or again after it went, is a no-op.
A sender claims a step with a lease (a guarded single-document write), so two replicas never
send the same step at once, and a sender that died gives it back when the lease runs out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from qingshan.complaints.v1 import events_pb2 as pb
from qingshan_core.mongo import Document

PENDING = "platform_steps"
DONE = "platform_steps_done"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass
class Waiting:
    """One step in the queue."""

    key: str
    complaint_id: str
    seq: int
    platform: str
    message: pb.PlatformStepQueued
    attempts: int
    next_at: datetime
    lease_until: datetime
    last_answer: str

    @classmethod
    def from_doc(cls, doc: Document) -> Waiting:
        msg = pb.PlatformStepQueued()
        msg.ParseFromString(bytes(doc["data"]))
        return cls(
            key=doc["_id"],
            complaint_id=doc["complaint_id"],
            seq=int(doc["seq"]),
            platform=doc["platform"],
            message=msg,
            attempts=int(doc.get("attempts") or 0),
            next_at=doc["next_at"],
            lease_until=doc.get("lease_until") or EPOCH,
            last_answer=doc.get("last_answer") or "",
        )


class PlatformQueue:
    """Queued, claimed, retried and finished steps."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.pending = db[PENDING]
        self.done = db[DONE]

    async def enqueue(self, key: str, msg: pb.PlatformStepQueued, now: datetime) -> bool:
        """Queue a step unless it is queued or finished already; True when queued now."""
        if await self.done.find_one({"_id": key}, {"_id": 1}) is not None:
            return False
        doc = {
            "_id": key,
            "complaint_id": msg.complaint_id,
            "seq": msg.seq,
            "step": msg.step,
            "platform": msg.platform,
            "order_number": msg.order_number,
            "data": msg.SerializeToString(deterministic=True),
            "attempts": 0,
            "queued_at": now,
            "next_at": now,
            "lease_until": EPOCH,
        }
        try:
            await self.pending.insert_one(doc)
        except DuplicateKeyError:
            return False
        return True

    async def waiting(self) -> list[Waiting]:
        """Every step still waiting, oldest case steps first."""
        cursor = self.pending.find({}).sort([("complaint_id", ASCENDING), ("seq", ASCENDING)])
        return [Waiting.from_doc(d) for d in await cursor.to_list()]

    async def claim(self, w: Waiting, now: datetime, lease: timedelta) -> bool:
        """Take the step for sending unless another sender holds it."""
        res = await self.pending.update_one(
            {"_id": w.key, "lease_until": {"$lte": now}},
            {"$set": {"lease_until": now + lease}},
        )
        return res.matched_count == 1

    async def later(self, w: Waiting, next_at: datetime, answer: str) -> None:
        """Give the step back to try again at `next_at`."""
        await self.pending.update_one(
            {"_id": w.key},
            {
                "$set": {"next_at": next_at, "lease_until": EPOCH, "last_answer": answer},
                "$inc": {"attempts": 1},
            },
        )

    async def finish(
        self, w: Waiting, outcome: str, status: int, answer: str, now: datetime
    ) -> None:
        """Record how the step ended, then take it out of the queue."""
        doc = {
            "_id": w.key,
            "complaint_id": w.complaint_id,
            "seq": w.seq,
            "step": w.message.step,
            "platform": w.platform,
            "order_number": w.message.order_number,
            "outcome": outcome,
            "status": status,
            "answer": answer,
            "attempts": w.attempts + 1,
            "done_at": now,
        }
        try:
            await self.done.insert_one(doc)
        except DuplicateKeyError:
            pass  # finished before by a sender whose lease ran out
        await self.pending.delete_one({"_id": w.key})

    async def of_case(self, complaint_id: str) -> list[Document]:
        """What happened to a case's steps: finished ones, then those still waiting."""
        done = await self.done.find({"complaint_id": complaint_id}).to_list()
        waiting = await self.pending.find({"complaint_id": complaint_id}, {"data": 0}).to_list()
        rows: list[Document] = [*done, *({**d, "outcome": "waiting"} for d in waiting)]
        return sorted(rows, key=lambda d: int(d["seq"]))

    async def counts(self) -> dict[str, Any]:
        return {"waiting": await self.pending.count_documents({})}


def heads(waiting: Sequence[Waiting]) -> list[Waiting]:
    """The first waiting step of each case: a case's steps go one after the other."""
    first: dict[str, Waiting] = {}
    for w in waiting:
        if w.complaint_id not in first or w.seq < first[w.complaint_id].seq:
            first[w.complaint_id] = w
    return list(first.values())
