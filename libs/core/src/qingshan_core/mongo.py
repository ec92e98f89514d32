"""Store access with PyMongo's native asyncio API; indexes are declared in code, applied at start.

Written against the subset FerretDB 1.x shares with MongoDB: no transactions, no TTL or partial
indexes, no $lookup/$facet. Atomicity comes from single-document writes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pymongo
from pymongo import AsyncMongoClient
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

Document = dict[str, Any]


MAX_POOL = 40
# A stalled store (a hung server, a paused process, a full pool) must answer 503, not hang a
# request: a socket read or write that waits longer than OPERATION_MS fails (NetworkTimeout),
# so does waiting longer for a pooled connection (WaitQueueTimeoutError), and server selection
# and connecting fail after SELECT_MS. (Not the driver's client-side operation timeout,
# timeoutMS: it sends maxTimeMS with every command, which FerretDB 1.x refuses for some, e.g.
# `distinct: unknown field "maxTimeMS"`.)
OPERATION_MS = 10_000
SELECT_MS = 5_000


def create_client(
    uri: str,
    app_name: str,
    timeout_ms: int = SELECT_MS,
    operation_ms: int | None = OPERATION_MS,
    tls_ca_file: str = "",
) -> AsyncMongoClient[Document]:
    """A client that keeps datetimes timezone-aware (UTC) and fails fast when the store is gone
    or stalls: server selection and connecting within `timeout_ms`, each socket read or write
    and each wait for a pooled connection within `operation_ms` (None: no such budget, for
    tools that scan on purpose). At most MAX_POOL connections: a replica never takes all of the
    store's per-database connections (FerretDB on SQLite has 100), whatever its concurrency.
    With `tls_ca_file` it connects over TLS and verifies the server's certificate against that
    CA."""
    budget: dict[str, Any] = {}
    if operation_ms is not None:
        budget = {"socketTimeoutMS": operation_ms, "waitQueueTimeoutMS": operation_ms}
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
        **budget,
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


async def ping(client: AsyncMongoClient[Document], timeout: float | None = None) -> bool:
    """True when the store answers a ping (within `timeout` seconds when given)."""
    try:
        with pymongo.timeout(timeout):
            await client.admin.command("ping")
    except Exception:
        return False
    return True
