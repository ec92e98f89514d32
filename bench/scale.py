"""Scale: the deadline sweeper's tick as the store grows (10^4 → 10^6 stored complaints, 10^4 of
them open, 100 due), next to the naive alternative (a query on next_alert_at, which the store
answers by scanning); and the projects roll-ups over 10^4 and 10^5 sub-items."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from complaints.bootstrap import create_app
from complaints.config import Settings
from complaints.domain.model import Actor, Category, Channel, Role, Urgency
from complaints.service_layer.intake import SubmitComplaint, submit
from complaints.service_layer.sweeper import sweep_due
from qingshan_core.outbox import MARKERS
from qingshan_core.workdays import SHANGHAI

ROOT = Path(__file__).resolve().parent.parent
NAIVE_CAP = 240.0  # seconds the naive query may take before it is reported as "> cap"


def filler(i: int, open_: bool) -> dict[str, Any]:
    """A stored complaint as the sweeper's store sees it: closed ones are never scheduled."""
    t = datetime(2025, 1, 1, tzinfo=SHANGHAI) + timedelta(minutes=i)
    return {
        "_id": f"FILL{i:09d}",
        "tracking_code": uuid.uuid4().hex[:12],
        "status": "accepted" if open_ else "closed",
        "is_open": open_,
        "received_at": t,
        "next_alert_at": t + timedelta(days=3650) if open_ else None,
        "description": "历史案件" * 40,
        "history": [{"at": t, "action": "receive"}] * 6,
        "_version": 3,
        "_outbox": [],
    }


async def _overdue(
    ctx: Any, actor: Actor, category: Category, street: str, n: int, received: datetime
) -> None:
    """`n` cases received long ago (their deadlines passed), through the real intake."""
    for i in range(n):
        cmd = SubmitComplaint(
            channel=Channel("12345"),
            category=category,
            urgency=Urgency.NORMAL,
            description="规模测试",
            address=f"{street}{i}",
            received_at=received,
            anonymous=True,
        )
        await submit(cmd, actor, ctx)


async def sweeper_scale(
    mongo_uri: str, bootstrap: str, sizes: list[int], open_total: int, due: int
) -> list[dict[str, Any]]:
    settings = Settings(
        environment="test",
        mongo_uri=mongo_uri,
        mongo_db=f"bench_scale_{uuid.uuid4().hex[:6]}",
        kafka_bootstrap=bootstrap,
        grpc_port=0,
        sweep_seconds=10**6,
        rates_check_seconds=10**6,
    )
    app = create_app(settings)
    results = []
    async with app.router.lifespan_context(app):
        ctx = app.state.ctx
        coll = ctx.repo.coll
        stored, opened = 0, 0
        actor = Actor("bench", Role.INTEGRATION)
        for size in sizes:
            while stored < size:
                batch = []
                for _ in range(min(5000, size - stored)):
                    is_open = opened < open_total and stored % max(1, size // open_total) == 0
                    opened += is_open
                    batch.append(filler(stored, is_open))
                    stored += 1
                await coll.insert_many(batch, ordered=False)
            # `due` real cases whose deadlines passed, taken in through the real intake.
            back = datetime.now(SHANGHAI) - timedelta(days=5)
            await _overdue(ctx, actor, Category.NOISE, f"规模路{size}-", due, back)
            await sweep_due(ctx)  # settle the cursor (first tick falls back to a query)
            await _overdue(ctx, actor, Category.AIR, f"规模街{size}-", due, back)
            t0 = time.perf_counter()
            raised = await sweep_due(ctx)
            tick = time.perf_counter() - t0
            markers = app.state.runtime.db[MARKERS]
            for _ in range(300):  # let the relay publish the tick's alerts first
                if await markers.estimated_document_count() == 0:
                    break
                await asyncio.sleep(0.1)
            t0 = time.perf_counter()
            await sweep_due(ctx)  # nothing due now: the tick's fixed cost at this size
            idle = time.perf_counter() - t0
            t0 = time.perf_counter()
            naive: float | None = None
            try:  # the store scans for it: at 10^6 that takes many minutes, so it is capped
                await asyncio.wait_for(
                    ctx.repo.due_for_alerts(datetime.now(SHANGHAI), limit=10**6), NAIVE_CAP
                )
                naive = time.perf_counter() - t0
            except TimeoutError:
                pass
            results.append(
                {
                    "stored": await coll.estimated_document_count(),
                    "open": opened,
                    "due": due,
                    "alerts": raised,
                    "tick_s": round(tick, 3),
                    "idle_tick_s": round(idle, 4),
                    "naive_query_s": None if naive is None else round(naive, 3),
                    "naive_cap_s": NAIVE_CAP,
                }
            )
            print(f"  sweeper @ {results[-1]}", flush=True)
        await app.state.runtime.client.drop_database(settings.mongo_db)
    return results


def rollups(mongo_uri: str, sizes: list[int]) -> list[dict[str, Any]]:
    out = []
    script = ROOT / "services" / "projects" / "bench" / "bench_rollups.py"
    for n in sizes:
        proc = subprocess.run(
            [
                sys.executable,
                str(script),
                "--subitems",
                str(n),
                "--mongo-uri",
                mongo_uri,
                "--no-as-of",
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        figures = {"subitems": n}
        for line in proc.stdout.splitlines():
            print(f"  rollups @{n}: {line}", flush=True)
            if m := re.match(r"roll-up by=(\w+)\s+\(snapshot\) median ([\d.]+)s", line):
                figures[f"rollup_{m.group(1)}_s"] = float(m.group(2))
            if m := re.match(r"snapshot load .*: ([\d.]+)s", line):
                figures["snapshot_load_s"] = float(m.group(1))
        out.append(figures)
    return out
