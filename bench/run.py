"""`make bench`: qingshan's figures next to their physical baselines, measured in one run.

Starts its own stack (profile `bench`: Kafka 29092, FerretDB 27019, services on 2800N), runs
each scenario for a fixed time, prints a table and writes bench/results.json. Nothing here is
asserted: the numbers are reported as measured, with the targets beside them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx
import uvloop
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from prometheus_client.parser import text_string_to_metric_families
from pymongo import UpdateOne

from bench import e2e, relay, scale
from qingshan_core import kafka
from qingshan_core.auth import TokenCodec
from qingshan_core.mongo import create_client
from qingshan_core.settings import DEV_JWT_SECRET

ROOT = Path(__file__).resolve().parent.parent
STACK = [sys.executable, str(ROOT / "deploy/local/stack.py"), "--profile", "bench"]
SERVICES = [sys.executable, str(ROOT / "deploy/local/services.py"), "--profile", "bench"]
BOOTSTRAP, MONGO = "127.0.0.1:29092", "mongodb://127.0.0.1:27019/"
COMPLAINTS = "http://127.0.0.1:28001"
NOTIFY_GROUP = "qingshan.notify.events"


@dataclass
class Result:
    name: str
    value: float
    unit: str
    baseline: str | None = None
    ratio: float | None = None
    target: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def store_baseline(seconds: float, concurrency: int) -> Result:
    """Raw single-document inserts per second into the same store (AsyncMongoClient)."""
    client = create_client(MONGO, "bench-baseline")
    coll = client.bench_baseline.docs
    await coll.drop()
    count = 0
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal count
        while time.perf_counter() < deadline:
            await coll.insert_one({"_id": uuid.uuid4().hex, "payload": "x" * 1500, "n": count})
            count += 1

    start = time.perf_counter()
    await asyncio.gather(*[worker() for _ in range(concurrency)])
    elapsed = time.perf_counter() - start
    await client.drop_database("bench_baseline")
    await client.close()
    return Result(
        "store_baseline_inserts",
        count / elapsed,
        "docs/s",
        extra={"concurrency": concurrency, "seconds": round(elapsed, 1)},
    )


async def store_update_baseline(seconds: float) -> Result:
    """Raw updates by _id per second, sent as the relay sends them (64 per bulk command): the
    relay must write each published entry off its aggregate, so this bounds it."""
    client = create_client(MONGO, "bench-baseline")
    coll = client.bench_baseline.updates
    await coll.drop()
    ids = [f"u{i:06d}" for i in range(20_000)]
    for i in range(0, len(ids), 2000):
        page = ids[i : i + 2000]
        await coll.insert_many([{"_id": x, "payload": "x" * 1500, "n": 0} for x in page])
    count = 0
    start = time.perf_counter()
    deadline = start + seconds
    while time.perf_counter() < deadline:
        chunk = ids[count % len(ids) :][:64]
        await coll.bulk_write([UpdateOne({"_id": x}, {"$inc": {"n": 1}}) for x in chunk])
        count += len(chunk)
    elapsed = time.perf_counter() - start
    await client.drop_database("bench_baseline")
    await client.close()
    return Result(
        "store_baseline_bulk_updates",
        count / elapsed,
        "docs/s",
        extra={"per_command": 64, "seconds": round(elapsed, 1)},
    )


async def broker_baseline(seconds: float) -> Result:
    """Raw produces per second to the same broker (idempotent, acks=all, as the relay does)."""
    topic = f"bench.baseline.{uuid.uuid4().hex[:8]}"
    admin = AIOKafkaAdminClient(bootstrap_servers=BOOTSTRAP)
    await admin.start()
    await admin.create_topics([NewTopic(topic, 3, 1)])
    await admin.close()
    producer = kafka.create_producer(BOOTSTRAP, "bench-baseline")
    await producer.start()
    count = 0
    start = time.perf_counter()
    deadline = start + seconds
    try:
        while time.perf_counter() < deadline:
            futs = [
                await producer.send(topic, b"x" * 300, key=str(i % 64).encode()) for i in range(500)
            ]
            await asyncio.gather(*futs)
            count += len(futs)
    finally:
        await producer.stop()
    elapsed = time.perf_counter() - start
    return Result(
        "broker_baseline_produces",
        count / elapsed,
        "records/s",
        extra={"seconds": round(elapsed, 1)},
    )


def complaint(i: int) -> dict[str, Any]:
    return {
        "channel": "12345",
        "external_id": f"BENCH-{uuid.uuid4().hex[:12]}",
        "category": ["noise", "air", "water", "solid_waste"][i % 4],
        "description": "夜间施工噪声扰民，持续到凌晨",
        "location": {"address": f"南川区东城街道金山路{i % 500}号", "town": "东城街道"},
        "complainant": {"name": "张三", "phone": f"138{i % 100000000:08d}"},
    }


async def intake(seconds: float, concurrency: int, token: str) -> tuple[Result, list[Result]]:
    """Complaints over HTTP at fixed concurrency: sustained rate and latency percentiles."""
    latencies: list[float] = []
    bad: dict[int, int] = {}
    counter = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=COMPLAINTS, limits=limits, timeout=30) as client:
        deadline = time.perf_counter() + seconds

        async def worker() -> None:
            nonlocal counter
            while time.perf_counter() < deadline:
                counter += 1
                t0 = time.perf_counter()
                r = await client.post("/v1/complaints", json=complaint(counter), headers=headers)
                latencies.append(time.perf_counter() - t0)
                if r.status_code != 201:
                    bad[r.status_code] = bad.get(r.status_code, 0) + 1

        start = time.perf_counter()
        await asyncio.gather(*[worker() for _ in range(concurrency)])
        elapsed = time.perf_counter() - start
    ok = len(latencies) - sum(bad.values())
    rate = ok / elapsed
    ms = [x * 1000 for x in latencies]
    lat = [
        Result(f"intake_latency_{name}", pct(ms, q), "ms", target=target)
        for name, q, target in (("p50", 0.5, None), ("p95", 0.95, None), ("p99", 0.99, "<= 200"))
    ]
    return Result(
        "intake_rate",
        rate,
        "complaints/s",
        target=">= 500",
        extra={
            "concurrency": concurrency,
            "requests": len(latencies),
            "non_201": bad,
            "mean_ms": round(statistics.fmean(ms), 1) if ms else None,
        },
    ), lat


async def job_costs() -> list[Result]:
    """Mean duration of the services' periodic jobs over the whole run (their /metrics), and
    how much the store holds by then: a job whose cost grows with history shows here."""
    out: list[Result] = []
    client = create_client(MONGO, "bench-jobs")
    sizes = {
        "complaints": await client.qingshan_complaints.complaints.estimated_document_count(),
        "deliveries": await client.qingshan_notify.deliveries.estimated_document_count(),
    }
    await client.close()
    async with httpx.AsyncClient(timeout=10) as c:
        for url in (COMPLAINTS, e2e.NOTIFY):
            text = (await c.get(f"{url}/metrics")).text
            sums: dict[str, dict[str, float]] = {}
            for family in text_string_to_metric_families(text):
                if family.name != "qingshan_job_seconds":
                    continue
                for sample in family.samples:
                    if sample.name.endswith(("_sum", "_count")):
                        kind = sample.name.rsplit("_", 1)[1]
                        sums.setdefault(sample.labels["job"], {})[kind] = sample.value
            for job, v in sorted(sums.items()):
                if v.get("count"):
                    extra = {"rounds": int(v["count"]), **sizes}
                    out.append(
                        Result(f"job_{job}_mean", v["sum"] / v["count"] * 1000, "ms", extra=extra)
                    )
    return out


def run(cmd: list[str]) -> None:
    subprocess.run(cmd, check=True)


async def main_async(args: argparse.Namespace) -> list[Result]:
    codec = TokenCodec(os.environ.get("QINGSHAN_JWT_SECRET", DEV_JWT_SECRET))
    token = codec.issue("bench", "integration")
    results: list[Result] = []
    store = await store_baseline(args.seconds, args.concurrency)
    updates = await store_update_baseline(args.seconds)
    broker = await broker_baseline(args.seconds)
    results += [store, updates, broker]
    probe = relay.LagProbe(BOOTSTRAP, "qingshan.complaints.v1", "ComplaintReceived")
    await probe.start()
    started = time.perf_counter()
    rate, lat = await intake(args.seconds, args.concurrency, token)
    ended = time.perf_counter()
    # notify reads every complaint event: how long until it had handled the intake's.
    caught, lag = await asyncio.gather(
        relay.catch_up(BOOTSTRAP, NOTIFY_GROUP, "qingshan.complaints.v1", ended), probe.stop()
    )
    rate.baseline, rate.ratio = store.name, rate.value / store.value
    results += [rate, *lat]
    for q in ("p50", "p95", "max"):
        results.append(
            Result(f"relay_lag_under_intake_{q}", lag.get(q, float("nan")), "ms", extra=lag)
        )
    behind = caught["caught_up_s"]
    results.append(
        Result(
            "notify_behind_after_intake",
            float("nan") if behind is None else behind * 1000,
            "ms",
            extra={**caught, "intake_s": round(ended - started, 1)},
        )
    )
    drained = await relay.backlog_drain(MONGO, BOOTSTRAP, args.relay_backlog, 200)
    results.append(
        Result(
            "relay_publish_rate",
            drained["rate"],
            "entries/s",
            baseline=broker.name,
            ratio=drained["rate"] / broker.value,
            target=">= 0.5 x broker baseline",
            extra={
                **drained,
                "vs_store_bulk_updates": round(drained["rate"] / updates.value, 3),
            },
        )
    )

    receiver = e2e.Receiver()
    await receiver.start()
    try:
        await e2e.configure_notify(codec.issue("bench-admin", "admin"), receiver.port)
        n = args.e2e
        for name, figures in (
            ("e2e_overdue_complaint", await e2e.overdue_complaints(receiver, token, n)),
            (
                "e2e_incident",
                await e2e.incidents(receiver, codec.issue("op", "operator"), args.e2e),
            ),
        ):
            for q in ("p50", "p95", "p99"):
                results.append(
                    Result(
                        f"{name}_{q}",
                        figures.get(q, float("nan")),
                        "ms",
                        target="p95 <= 2000" if q == "p95" else None,
                        extra={"n": figures.get("n", 0)},
                    )
                )
    finally:
        await receiver.stop()
    results += await job_costs()

    if args.scale:
        sizes = [int(x) for x in args.scale.split(",")]
        for row in await scale.sweeper_scale(MONGO, BOOTSTRAP, sizes, 10_000, 100):
            results.append(
                Result(
                    f"sweeper_tick_at_{row['stored']}",
                    row["tick_s"] * 1000,
                    "ms",
                    target="<= 1000 at 10^6",
                    extra=row,
                )
            )
            results.append(
                Result(f"sweeper_idle_tick_at_{row['stored']}", row["idle_tick_s"] * 1000, "ms")
            )
            naive = row["naive_query_s"]
            results.append(
                Result(
                    f"naive_due_query_at_{row['stored']}",
                    (row["naive_cap_s"] if naive is None else naive) * 1000,
                    "ms" if naive is not None else "ms (> cap)",
                    extra=row,
                )
            )
    if args.rollups:
        for row in scale.rollups(MONGO, [int(x) for x in args.rollups.split(",")]):
            results.append(
                Result(
                    f"rollup_by_field_at_{row['subitems']}",
                    row.get("rollup_field_s", float("nan")) * 1000,
                    "ms",
                    target="<= 1000 at 10^5",
                    extra=row,
                )
            )
    return results


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--keep", action="store_true", help="leave the bench stack running")
    ap.add_argument("--e2e", type=int, default=30, help="end-to-end samples per scenario")
    ap.add_argument("--relay-backlog", type=int, default=20000, help="outbox entries to drain")
    ap.add_argument("--scale", default="10000,100000,1000000", help="stored complaints ('' off)")
    ap.add_argument("--rollups", default="10000,100000", help="sub-items ('' off)")
    args = ap.parse_args()
    run([*STACK, "wipe"])
    run([*STACK, "up", "--no-keycloak"])  # development tokens only
    try:
        os.environ.update(e2e.notify_env(0))
        run([*SERVICES, "up"])
        # The services run on uvloop (qingshan_core.service); so do the in-process scenarios.
        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            results = runner.run(main_async(args))
    finally:
        if not args.keep:
            subprocess.run([*SERVICES, "down"], check=False)
            subprocess.run([*STACK, "down"], check=False)
    out = ROOT / "bench" / "results.json"
    out.write_text(json.dumps([asdict(r) for r in results], ensure_ascii=False, indent=2))
    print(f"\n{'scenario':<32}{'value':>14}  {'unit':<14}{'ratio':>8}  target")
    for r in results:
        ratio = f"{r.ratio:.2f}" if r.ratio is not None else ""
        print(f"{r.name:<32}{r.value:>14.1f}  {r.unit:<14}{ratio:>8}  {r.target or ''}")
    print(f"\nwritten {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
