"""Rule configuration versions in the `rule_configs` outbox collection: one immutable document
per version (`<name>@<version>`), written with its RuleConfigChanged event in one insert. Two
administrators storing the same next version: the second insert fails (409, retry)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from pymongo import ASCENDING, DESCENDING
from pymongo.errors import DuplicateKeyError

from qingshan_core.outbox import OutboxCollection
from risk.adapters.event_messages import envelopes
from risk.domain.registry_events import RuleConfigChanged
from risk.service_layer.errors import Conflict
from risk.service_layer.ports import StoredRules

COLLECTION = "rule_configs"


def _stored(d: dict[str, object]) -> StoredRules:
    at = d["at"]
    assert isinstance(at, datetime)
    body = d["body"]
    assert isinstance(body, dict)
    return StoredRules(
        name=str(d["name"]),
        version=int(str(d["version"])),
        body=body,
        changed_by=str(d["changed_by"]),
        at=at,
    )


class MongoRuleStore:
    """RuleStore over an outbox collection."""

    def __init__(self, outbox: OutboxCollection, source: str) -> None:
        self.outbox = outbox
        self.source = source

    async def latest(self) -> Sequence[StoredRules]:
        """The newest version of every configuration name."""
        newest: dict[str, StoredRules] = {}
        cursor = self.outbox.collection.find({}, {"_outbox": 0}).sort(
            [("name", ASCENDING), ("version", ASCENDING)]
        )
        async for d in cursor:
            newest[str(d["name"])] = _stored(d)
        return list(newest.values())

    async def versions(self, name: str) -> Sequence[StoredRules]:
        """Every version of one configuration, newest first."""
        cursor = self.outbox.collection.find({"name": name}, {"_outbox": 0}).sort(
            "version", DESCENDING
        )
        return [_stored(d) async for d in cursor]

    async def put(self, stored: StoredRules, event: RuleConfigChanged) -> None:
        """Insert a version with its event; Conflict when that version exists already."""
        key = f"{stored.name}@{stored.version:06d}"
        doc = {
            "_id": key,
            "name": stored.name,
            "version": stored.version,
            "body": stored.body,
            "changed_by": stored.changed_by,
            "at": stored.at,
        }
        subject = f"rules/{stored.name}"
        try:
            await self.outbox.insert(doc, envelopes([event], source=self.source, subject=subject))
        except DuplicateKeyError as exc:
            raise Conflict(
                f"配置{stored.name}已被他人修改（版本{stored.version}已存在），请刷新后重试",
                f"{stored.name} version {stored.version} exists already; reload and retry",
            ) from exc
