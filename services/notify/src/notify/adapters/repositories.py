"""Mongo repositories of the configuration: recipients, groups, chains, rules, templates.

The three reads made for every consumed event (`MongoRules.for_event_type`,
`MongoTemplates.for_event_type`, `MongoDirectory.snapshot`) go through a ConfigCache; every
write bumps the configuration version (see config_cache.py). The admin reads (list, get) always
read the store.
"""

from __future__ import annotations

from collections.abc import Callable
from types import MappingProxyType
from typing import TypeVar

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from notify.adapters import documents as docs
from notify.adapters.config_cache import ConfigCache, MongoConfigVersion
from notify.domain.errors import Conflict, NotFound
from notify.domain.model import EscalationChain, Group, Recipient, RegistryUnit, Rule, Template
from notify.domain.routing import Directory
from notify.domain.unit_registry import effective_chains
from qingshan_core.mongo import Document, IndexSpec
from qingshan_core.pii import Keyring

T = TypeVar("T")

RECIPIENTS, GROUPS, CHAINS, RULES, TEMPLATES, UNITS = (
    "recipients",
    "groups",
    "escalation_chains",
    "rules",
    "templates",
    "registry_units",  # complaints' unit registry, as its events last said
)


def config_indexes() -> list[IndexSpec]:
    return [
        IndexSpec(RECIPIENTS, [("subject", 1)], unique=True),
        IndexSpec(RULES, [("event_type", 1)]),
        IndexSpec(TEMPLATES, [("event_type", 1)]),
    ]


async def _save(coll: AsyncCollection[Document], doc: Document, create: bool) -> None:
    """Insert (Conflict when the id exists) or replace (NotFound when it does not)."""
    if create:
        try:
            await coll.insert_one(doc)
        except DuplicateKeyError as exc:
            raise Conflict(f"{doc['_id']} already exists / 已存在") from exc
        return
    try:
        res = await coll.replace_one({"_id": doc["_id"]}, doc)
    except DuplicateKeyError as exc:
        raise Conflict(f"{doc['_id']}: a unique value is already used / 唯一值冲突") from exc
    if res.matched_count == 0:
        raise NotFound(f"{doc['_id']} does not exist / 不存在")


async def _all(
    coll: AsyncCollection[Document], conv: Callable[[Document], T], q: Document
) -> list[T]:
    return [conv(d) async for d in coll.find(q).sort("_id", 1)]


async def _one(
    coll: AsyncCollection[Document], conv: Callable[[Document], T], key: str
) -> T | None:
    d = await coll.find_one({"_id": key})
    return conv(d) if d else None


async def _delete(coll: AsyncCollection[Document], key: str) -> bool:
    return (await coll.delete_one({"_id": key})).deleted_count == 1


async def _deleted(cache: ConfigCache, deleted: bool) -> bool:
    if deleted:  # a delete that found nothing changed nothing
        await cache.changed()
    return deleted


def _uncached(db: AsyncDatabase[Document]) -> ConfigCache:
    """No caching, but writes still bump the version other replicas watch."""
    return ConfigCache(MongoConfigVersion(db), 0)


class MongoDirectory:
    """Recipients, groups and escalation chains."""

    def __init__(
        self, db: AsyncDatabase[Document], ring: Keyring, cache: ConfigCache | None = None
    ) -> None:
        self.ring = ring  # seals robot credentials at rest (documents.robot_doc)
        self.recipients = db[RECIPIENTS]
        self.groups = db[GROUPS]
        self.chains = db[CHAINS]
        self.units = db[UNITS]
        self._cache = cache if cache is not None else _uncached(db)

    async def snapshot(self) -> Directory:
        """Everyone, as cached (read-only mappings: the cached value is shared)."""
        return await self._cache.get(("directory",), self.stored)

    async def stored(self) -> Directory:
        """Everyone, as stored now (read-only mappings, as the cache keeps them)."""
        # A district bureau has hundreds of people at most: one read of each is cheap.
        rs = await self.list_recipients()
        gs = await self.list_groups()
        cs = await self.list_chains()
        us = await self.list_units()
        return Directory(
            MappingProxyType({r.id: r for r in rs}),
            MappingProxyType({g.id: g for g in gs}),
            MappingProxyType(effective_chains(cs, us)),
            MappingProxyType({u.id: u for u in us}),
        )

    def _recipient(self, d: Document) -> Recipient:
        return docs.recipient_from(d, self.ring)

    def _group(self, d: Document) -> Group:
        return docs.group_from(d, self.ring)

    async def get_recipient(self, recipient_id: str) -> Recipient | None:
        return await _one(self.recipients, self._recipient, recipient_id)

    async def recipient_for_login(self, subject: str) -> Recipient | None:
        d = await self.recipients.find_one({"subject": subject})
        return self._recipient(d) if d else None

    async def list_recipients(self) -> list[Recipient]:
        return await _all(self.recipients, self._recipient, {})

    async def save_recipient(self, recipient: Recipient, create: bool) -> None:
        await _save(self.recipients, docs.recipient_doc(recipient, self.ring), create)
        await self._cache.changed()

    async def delete_recipient(self, recipient_id: str) -> bool:
        return await _deleted(self._cache, await _delete(self.recipients, recipient_id))

    async def get_group(self, group_id: str) -> Group | None:
        return await _one(self.groups, self._group, group_id)

    async def list_groups(self) -> list[Group]:
        return await _all(self.groups, self._group, {})

    async def save_group(self, group: Group, create: bool) -> None:
        await _save(self.groups, docs.group_doc(group, self.ring), create)
        await self._cache.changed()

    async def delete_group(self, group_id: str) -> bool:
        return await _deleted(self._cache, await _delete(self.groups, group_id))

    async def list_chains(self) -> list[EscalationChain]:
        return await _all(self.chains, docs.chain_from, {})

    async def save_chain(self, chain: EscalationChain) -> None:
        doc = docs.chain_doc(chain)
        await self.chains.replace_one({"_id": doc["_id"]}, doc, upsert=True)
        await self._cache.changed()

    async def delete_chain(self, unit: str) -> bool:
        return await _deleted(self._cache, await _delete(self.chains, unit))

    async def list_units(self) -> list[RegistryUnit]:
        return await _all(self.units, docs.registry_unit_from, {})

    async def apply_unit(self, unit: RegistryUnit) -> bool:
        """Keep the registry's newer state of a unit (one conditional write); False when the
        stored copy is as new or newer (a redelivered or out-of-date event)."""
        doc = docs.registry_unit_doc(unit)
        try:
            res = await self.units.update_one(
                {"_id": unit.id, "version": {"$lt": unit.version}}, {"$set": doc}, upsert=True
            )
        except DuplicateKeyError:
            return False  # the stored copy is at this version or newer
        if res.modified_count or res.upserted_id is not None:
            await self._cache.changed()
            return True
        return False


class MongoRules:
    def __init__(self, db: AsyncDatabase[Document], cache: ConfigCache | None = None) -> None:
        self.coll = db[RULES]
        self._cache = cache if cache is not None else _uncached(db)

    async def for_event_type(self, event_type: str) -> list[Rule]:
        """The enabled rules of one event type, as cached (a fresh list each call)."""

        async def load() -> tuple[Rule, ...]:
            q = {"event_type": event_type, "enabled": True}
            return tuple(await _all(self.coll, docs.rule_from, q))

        return list(await self._cache.get(("rules", event_type), load))

    async def get(self, rule_id: str) -> Rule | None:
        return await _one(self.coll, docs.rule_from, rule_id)

    async def list(self, event_type: str | None = None) -> list[Rule]:
        return await _all(
            self.coll, docs.rule_from, {"event_type": event_type} if event_type else {}
        )

    async def save(self, rule: Rule, create: bool) -> None:
        await _save(self.coll, docs.rule_doc(rule), create)
        await self._cache.changed()

    async def delete(self, rule_id: str) -> bool:
        return await _deleted(self._cache, await _delete(self.coll, rule_id))


class MongoTemplates:
    def __init__(self, db: AsyncDatabase[Document], cache: ConfigCache | None = None) -> None:
        self.coll = db[TEMPLATES]
        self._cache = cache if cache is not None else _uncached(db)

    async def get(self, template_id: str) -> Template | None:
        return await _one(self.coll, docs.template_from, template_id)

    async def for_event_type(self, event_type: str) -> list[Template]:
        """The templates of one event type, as cached (a fresh list each call)."""

        async def load() -> tuple[Template, ...]:
            return tuple(await _all(self.coll, docs.template_from, {"event_type": event_type}))

        return list(await self._cache.get(("templates", event_type), load))

    async def list(self, event_type: str | None = None) -> list[Template]:
        q = {"event_type": event_type} if event_type else {}
        return await _all(self.coll, docs.template_from, q)

    async def save(self, template: Template, create: bool) -> None:
        await _save(self.coll, docs.template_doc(template), create)
        await self._cache.changed()

    async def delete(self, template_id: str) -> bool:
        return await _deleted(self._cache, await _delete(self.coll, template_id))
