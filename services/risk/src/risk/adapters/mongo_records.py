"""Refused manifest attempts and loaded catalogue versions: documents with their events.

A refusal saves no manifest, but the refusal itself must not vanish: it is an attempt document
whose outbox carries `ManifestRefusedUnlicensed`, written in one insert.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from pymongo.errors import DuplicateKeyError

from qingshan_core.outbox import OutboxCollection
from risk.adapters.event_messages import envelopes
from risk.domain.events import Event, ManifestRefusedUnlicensed
from risk.domain.registry_events import WasteCatalogueLoaded
from risk.service_layer.errors import AlreadyExists
from risk.service_layer.ports import StoredCatalogue


class MongoRefusalLog:
    """RefusalLog over the `manifest_refusals` outbox collection."""

    def __init__(self, outbox: OutboxCollection, source: str) -> None:
        self.outbox = outbox
        self.source = source

    async def record(self, event: ManifestRefusedUnlicensed, detail: Mapping[str, object]) -> str:
        """Insert the attempt and its event; the subject is the manifest number."""
        attempt_id = uuid.uuid4().hex
        doc = {
            "_id": attempt_id,
            "manifest_number": event.number,
            "producer": event.producer_credit_code,
            "receiver": event.receiver_credit_code,
            "waste_code": event.waste_code,
            "on_date": event.on_date.isoformat(),
            "reason_zh": event.reason_zh,
            "reason_en": event.reason_en,
            "at": event.at,
            "recorded_at": datetime.now(UTC),
            "request": dict(detail),
        }
        await self.outbox.insert(doc, envelopes([event], source=self.source, subject=event.number))
        return attempt_id


class MongoCatalogueStore:
    """CatalogueStore over the `catalogues` outbox collection (one document per version)."""

    def __init__(self, outbox: OutboxCollection, source: str) -> None:
        self.outbox = outbox
        self.source = source

    async def all(self) -> Sequence[StoredCatalogue]:
        """Every stored version."""
        cursor = self.outbox.collection.find({}, {"_outbox": 0}).sort("effective_from", 1)
        return [
            StoredCatalogue(
                version=d["version"],
                title=d["title"],
                order=d["order"],
                effective_from=d["effective_from"],
                csv_text=d["csv_text"],
                expected_count=d.get("expected_count"),
            )
            async for d in cursor
        ]

    async def put(self, stored: StoredCatalogue, event: WasteCatalogueLoaded) -> None:
        """Insert a version; AlreadyExists when it is stored already."""
        key = f"catalogue/{stored.version}"
        doc = {
            "_id": key,
            "version": stored.version,
            "title": stored.title,
            "order": stored.order,
            "effective_from": stored.effective_from,
            "csv_text": stored.csv_text,
            "expected_count": stored.expected_count,
        }
        try:
            await self.outbox.insert(doc, envelopes([event], source=self.source, subject=key))
        except DuplicateKeyError as exc:
            raise AlreadyExists(
                f"名录{stored.version}版已加载", f"catalogue {stored.version} is loaded already"
            ) from exc


class MongoOpsAlerts:
    """OpsAlerts over the `ops_alerts` outbox collection: one document per alert key."""

    def __init__(self, outbox: OutboxCollection, source: str) -> None:
        self.outbox = outbox
        self.source = source

    async def raise_once(self, key: str, event: Event) -> bool:
        """Insert-if-absent the alert with its event."""
        doc = {"_id": key, "type": event.type, "raised_at": event.at}
        try:
            await self.outbox.insert(doc, envelopes([event], source=self.source, subject=key))
        except DuplicateKeyError:
            return False
        return True
