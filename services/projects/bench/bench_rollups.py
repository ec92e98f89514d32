"""Benchmark: exact roll-ups over a large reserve stored in the real store (not a test).

    .venv/bin/python services/projects/bench/bench_rollups.py --subitems 100000 \
        --mongo-uri mongodb://127.0.0.1:27018/

Fills a throw-away database with synthetic sub-items (variations of the plan's 90 rows),
times the roll-up use case end to end (store read of the row projection + Decimal roll-up),
the pure roll-up alone, and an "as of" roll-up, then drops the database.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import statistics
import time
import uuid
from datetime import UTC, datetime
from decimal import Decimal

from projects.adapters import import_log, indicator_repo, subitem_repo
from projects.adapters.subitem_codec import item_to_doc
from projects.config import Settings
from projects.domain.rollups import RollupBy, rollup
from projects.domain.row import ReserveRow, project_id, subitem_id
from projects.domain.subitem import SubItem
from projects.domain.table_files import import_csv
from projects.domain.table_import import ImportAccepted
from projects.service_layer import queries
from projects.service_layer.context import Context
from projects.service_layer.ports import SubItemFilter
from qingshan_core.mongo import create_client, ensure_indexes
from qingshan_core.outbox import OutboxCollection


def synthetic_rows(n: int) -> list[ReserveRow]:
    seed = import_csv(Settings().reserve_table.read_bytes())
    assert isinstance(seed, ImportAccepted)
    rows = []
    for i in range(n):
        base = seed.rows[i % len(seed.rows)]
        project = f"{base.project}-{i // 450}"  # ~5 sub-items per project and batch
        pid = project_id(base.field, project)
        rows.append(
            dataclasses.replace(
                base,
                subitem_id=subitem_id(pid, base.name, i),
                project_id=pid,
                project=project,
                no=i + 1,
                investment_wan=base.investment_wan + Decimal(i % 97) / 4,
            )
        )
    return rows


async def main(n: int, uri: str, repeat: int, as_of: bool = True) -> None:
    client = create_client(uri, "qingshan-bench", timeout_ms=10000)
    db_name = f"bench_projects_{uuid.uuid4().hex[:8]}"
    db = client[db_name]
    try:
        await ensure_indexes(db, subitem_repo.INDEXES)
        rows = synthetic_rows(n)
        at = datetime(2025, 1, 1, tzinfo=UTC)
        t0 = time.perf_counter()
        batch = []
        for row in rows:
            doc = item_to_doc(SubItem.add(row, by="bench", at=at))
            batch.append({"_id": row.subitem_id, **doc, "_version": 1, "_outbox": []})
            if len(batch) == 200:  # short write-lock holds: the store is shared
                await db.subitems.insert_many(batch)
                batch = []
        if batch:
            await db.subitems.insert_many(batch)
        print(f"loaded {n} sub-items in {time.perf_counter() - t0:.1f}s")

        def outbox(name: str) -> OutboxCollection:
            return OutboxCollection(db[name], topic="bench", source="/bench")

        repo = subitem_repo.MongoSubItemRepository(outbox("subitems"), cached=True)
        ctx = Context(
            subitems=repo,
            imports=import_log.MongoImportLog(outbox("imports")),
            indicators=indicator_repo.MongoIndicatorRepository(outbox("indicators")),
        )
        expected = sum((r.investment_wan for r in rows), Decimal(0))
        t = time.perf_counter()
        assert repo.cache is not None
        await repo.cache.refresh()
        print(f"snapshot load (store scan of the row projection): {time.perf_counter() - t:.1f}s")
        for by in RollupBy:
            times = []
            for _ in range(repeat):
                t = time.perf_counter()
                r = await queries.get_rollup(ctx, by)
                times.append(time.perf_counter() - t)
            assert r.total.investment_wan == expected and r.total.subitems == n
            print(f"roll-up by={by.value:<13} (snapshot) median {statistics.median(times):.3f}s")
        fetched = await ctx.subitems.rows()
        t = time.perf_counter()
        rollup(fetched, RollupBy.LEAD_UNIT)
        print(f"pure lead-unit roll-up: {time.perf_counter() - t:.3f}s")
        t = time.perf_counter()
        page = await queries.list_subitems(ctx, SubItemFilter(lead_unit="区生态环境局"), limit=50)
        print(f"filtered listing ({page[1]} matches, snapshot): {time.perf_counter() - t:.3f}s")
        if as_of:
            t = time.perf_counter()
            past = await queries.get_rollup(ctx, RollupBy.FIELD, as_of=datetime.now(UTC))
            assert past.total.subitems == n
            print(f"as-of roll-up (revisions): {time.perf_counter() - t:.2f}s")
    finally:
        await client.drop_database(db_name)
        await client.close()


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--subitems", type=int, default=100_000)
    ap.add_argument("--mongo-uri", default="mongodb://127.0.0.1:27018/")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-as-of", action="store_true", help="skip the slow as-of roll-up")
    args = ap.parse_args()
    asyncio.run(main(args.subitems, args.mongo_uri, args.repeat, as_of=not args.no_as_of))
