"""Seeds the default groups, chains, rules and templates once. A marker per item remembers
that it was seeded, so an item an administrator deleted stays deleted; a default whose event
type is not in the contracts yet is left for a later start."""

from __future__ import annotations

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from notify.adapters import documents as docs
from notify.adapters.config_cache import ConfigCache, MongoConfigVersion
from notify.adapters.repositories import CHAINS, GROUPS, RULES, TEMPLATES
from notify.domain.catalog import EventCatalog
from notify.domain.default_templates import default_templates
from notify.domain.defaults import DEFAULT_CHAINS, DEFAULT_GROUPS, DEFAULT_RULES
from qingshan_core.logging import get_logger
from qingshan_core.mongo import Document
from qingshan_core.pii import Keyring

MARKERS = "seeded_defaults"
log = get_logger(__name__)


async def _seed_one(db: AsyncDatabase[Document], collection: str, doc: Document) -> bool:
    marker = f"{collection}:{doc['_id']}"
    if await db[MARKERS].find_one({"_id": marker}):
        return False
    try:
        await db[collection].insert_one(doc)
        inserted = True
    except DuplicateKeyError:
        inserted = False
    try:
        await db[MARKERS].insert_one({"_id": marker})
    except DuplicateKeyError:
        pass
    return inserted


async def seed_defaults(
    db: AsyncDatabase[Document],
    catalog: EventCatalog,
    ring: Keyring,
    cache: ConfigCache | None = None,
) -> dict[str, object]:
    """Insert what was never seeded; returns counts and the event types still missing. When
    something was inserted the configuration version is bumped (and `cache` dropped), so that
    replicas already running see the new defaults."""
    seeded = 0
    waiting: list[str] = []
    for g in DEFAULT_GROUPS:
        seeded += await _seed_one(db, GROUPS, docs.group_doc(g, ring))
    for c in DEFAULT_CHAINS:
        seeded += await _seed_one(db, CHAINS, docs.chain_doc(c))
    for t in default_templates():
        if t.event_type in catalog:
            seeded += await _seed_one(db, TEMPLATES, docs.template_doc(t))
    for r in DEFAULT_RULES:
        if r.event_type in catalog:
            seeded += await _seed_one(db, RULES, docs.rule_doc(r))
        else:
            waiting.append(r.event_type)
    if seeded:
        await (cache if cache is not None else ConfigCache(MongoConfigVersion(db), 0)).changed()
    if waiting:
        log.warning("notify.defaults_waiting_for_contracts", event_types=waiting)
    return {"seeded": seeded, "waiting": waiting}
