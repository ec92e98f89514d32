"""Store access with PyMongo's native asyncio API; indexes are declared in code, applied at start.

Written against the subset FerretDB 1.x shares with MongoDB: no transactions, no TTL or partial
indexes, no $lookup/$facet. Atomicity comes from single-document writes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pymongo import AsyncMongoClient
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

Document = dict[str, Any]


MAX_POOL = 40


def create_client(
    uri: str, app_name: str, timeout_ms: int = 5000, tls_ca_file: str = ""
) -> AsyncMongoClient[Document]:
    """A client that keeps datetimes timezone-aware (UTC) and fails fast when the store is gone.
    At most MAX_POOL connections: a replica never takes all of the store's per-database
    connections (FerretDB on SQLite has 100), whatever its concurrency. With `tls_ca_file` it
    connects over TLS and verifies the server's certificate against that CA."""
    tls: dict[str, Any] = {"tls": True, "tlsCAFile": tls_ca_file} if tls_ca_file else {}
    return AsyncMongoClient(
        uri,
        **tls,
        appname=app_name,
        maxPoolSize=MAX_POOL,
        tz_aware=True,
        serverSelectionTimeoutMS=timeout_ms,
        connectTimeoutMS=timeout_ms,
        uuidRepresentation="standard",
    )


IN_LIMIT = 500  # ids per `$in` query (the local store's build pushes `_id $in` down to SQL)


async def find_by_ids(
    coll: AsyncCollection[Document],
    ids: Sequence[Any],
    filter: Mapping[str, Any] | None = None,
    projection: Mapping[str, Any] | None = None,
) -> list[Document]:
    """The documents with these _ids (and matching `filter`), a page of ids per query: one
    `{_id: {$in: ...}}` lookup instead of one round trip per id."""
    out: list[Document] = []
    for i in range(0, len(ids), IN_LIMIT):
        query = {**(filter or {}), "_id": {"$in": list(ids[i : i + IN_LIMIT])}}
        out += await coll.find(query, projection).to_list()
    return out


@dataclass(frozen=True)
class IndexSpec:
    """One index a service needs; `unique` and `sparse` are what FerretDB 1.x supports."""

    collection: str
    keys: Sequence[tuple[str, int]]
    unique: bool = False
    sparse: bool = False
    name: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def index_name(self) -> str:
        return self.name or "_".join(f"{k}_{d}" for k, d in self.keys)


async def ensure_indexes(db: AsyncDatabase[Document], specs: Iterable[IndexSpec]) -> list[str]:
    """Create the declared indexes (idempotent); returns their names."""
    names = []
    for spec in specs:
        opts: dict[str, Any] = {"name": spec.index_name(), **spec.extra}
        if spec.unique:
            opts["unique"] = True
        if spec.sparse:
            opts["sparse"] = True
        names.append(await db[spec.collection].create_index(list(spec.keys), **opts))
    return names


async def ping(client: AsyncMongoClient[Document]) -> bool:
    """True when the store answers a ping."""
    try:
        await client.admin.command("ping")
    except Exception:
        return False
    return True
