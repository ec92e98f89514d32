"""Import records in Mongo; completing one carries its ImportCompleted event (outbox)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

from pymongo.errors import DuplicateKeyError

from projects.adapters.row_codec import Doc
from projects.service_layer.ports import ImportRecord
from qingshan.projects.v1 import events_pb2 as pb
from qingshan_core.events import Envelope, timestamp
from qingshan_core.mongo import IndexSpec
from qingshan_core.outbox import VERSION, ConcurrencyConflict, OutboxCollection

COLLECTION = "imports"
INDEXES = [IndexSpec(COLLECTION, [("started_at", -1)])]


def _to_doc(record: ImportRecord) -> Doc:
    doc = asdict(record)
    doc["_id"] = doc.pop("id")
    doc["subitem_ids"] = list(record.subitem_ids)
    return doc


def _from_doc(doc: Doc) -> ImportRecord:
    return ImportRecord(
        id=str(doc["_id"]),
        file_name=doc["file_name"],
        format=doc["format"],
        sha256=doc["sha256"],
        by=doc["by"],
        started_at=doc["started_at"],
        added=int(doc["added"]),
        corrected=int(doc["corrected"]),
        unchanged=int(doc["unchanged"]),
        absent=int(doc["absent"]),
        status=doc["status"],
        completed_at=doc.get("completed_at"),
        subitem_ids=tuple(doc.get("subitem_ids") or ()),
    )


class MongoImportLog:
    """ImportLog over an outbox collection."""

    def __init__(self, outbox: OutboxCollection) -> None:
        self.outbox = outbox
        self.coll = outbox.collection

    async def begin(self, record: ImportRecord) -> bool:
        try:
            await self.outbox.insert(_to_doc(record), [])
        except DuplicateKeyError:
            return False
        return True

    async def complete(self, record: ImportRecord, at: datetime) -> bool:
        msg = pb.ImportCompleted(
            import_id=record.id,
            occurred_at=timestamp(at),
            actor=record.by,
            file_name=record.file_name,
            format=record.format,
            file_sha256=record.sha256,
            added=record.added,
            corrected=record.corrected,
            unchanged=record.unchanged,
            absent=record.absent,
        )
        env = Envelope.wrap(msg, source=self.outbox.source, subject=record.id)
        # Only a record still "applying" is completed: of two replicas finishing the same
        # import, one wins the versioned write and announces it; the other sees "completed".
        for _ in range(5):
            doc = await self.coll.find_one({"_id": record.id}, {"status": 1, VERSION: 1})
            if doc is None or doc["status"] != "applying":
                return False
            try:
                await self.outbox.update(
                    record.id, int(doc[VERSION]), {"status": "completed", "completed_at": at}, [env]
                )
            except ConcurrencyConflict:
                continue
            record.status, record.completed_at = "completed", at
            return True
        return False

    async def recent(self, limit: int) -> list[ImportRecord]:
        cursor = self.coll.find({}, {"_outbox": 0}).sort("started_at", -1).limit(limit)
        return [_from_doc(d) for d in await cursor.to_list()]
