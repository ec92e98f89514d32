"""Lookups the store can answer by _id: platform order numbers, Idempotency-Keys, tracking codes.

Each key is a document whose _id is the key; claiming it is an insert, which the unique _id makes
atomic. (FerretDB 1.x answers any query other than an _id lookup by decoding the whole
collection, so these lookups must not be field queries on the complaints.)
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from qingshan_core.batching import WriteBatcher

Doc = dict[str, Any]


def intake_key(channel: str, external_id: str, owner: str | None = None) -> str:
    """An order number on a channel; `owner` scopes it to one caller (the public's numbers)."""
    if owner is not None:
        return f"intake:{channel}:by:{owner}:{external_id}"
    return f"intake:{channel}:{external_id}"


def idem_key(subject: str, key: str) -> str:
    return f"idem:{subject}:{key}"


def track_key(code: str) -> str:
    return f"track:{code}"


class KeyIndex:
    """Insert-if-absent keys pointing at complaint ids."""

    def __init__(self, coll: AsyncCollection[Doc]) -> None:
        self.coll = coll
        self._inserts = WriteBatcher(coll)  # concurrent intakes claim their keys together

    async def claim(
        self, key: str, complaint_id: str, fingerprint: str | None = None
    ) -> Doc | None:
        """Claim `key` for `complaint_id`; None when claimed now, else the existing claim."""
        doc = {"_id": key, "complaint_id": complaint_id, "fp": fingerprint, "at": datetime.now(UTC)}
        try:
            await self._inserts.insert_one(doc)
        except DuplicateKeyError:
            existing = await self.get(key)
            return existing or doc  # vanished in between: treat as held, caller re-resolves
        return None

    async def get(self, key: str) -> Doc | None:
        return await self.coll.find_one({"_id": key})

    async def release(self, key: str, complaint_id: str) -> None:
        """Give back a claim this request made (only if it is still ours)."""
        await self.coll.delete_one({"_id": key, "complaint_id": complaint_id})
