"""How fast the risk 一张图 loads with many risk sources and open incidents (reported, never
asserted).

    python -m bench.console_map [--profile p1] [--sources 1000] [--incidents 100] [--samples 10]

Uses the stack of the given profile (deploy/local/stack.py and services.py, as `make run`
starts them), tops the risk registry up to `--sources` located sources and `--incidents` open
incidents through the API, then opens /risk/map in headless Chromium `--samples` times and
times it until every marker is drawn and the list beside the map is filled (`data-loaded` on
the map). Prints median and p95 and writes them to bench/console_map.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx
from playwright.async_api import async_playwright

from qingshan_core.auth import TokenCodec
from qingshan_core.settings import DEV_JWT_SECRET
from qingshan_core.testing.browser import CHROMIUM, CHROMIUM_ARGS, local_script

ROOT = Path(__file__).resolve().parent.parent
CODEC = TokenCodec(DEV_JWT_SECRET)
# Inside the console's schematic district outline.
LAT, LON = (29.0, 29.3), (107.1, 107.3)


def ports(profile: str) -> tuple[int, int]:
    services = local_script("services")
    p = services.stack.PROFILES[profile]
    return services.ports(p, "console")[0], services.ports(p, "risk")[0]


def spot() -> dict[str, float]:
    return {"lat": round(random.uniform(*LAT), 5), "lon": round(random.uniform(*LON), 5)}


async def top_up(risk: str, sources: int, incidents: int) -> tuple[int, int]:
    headers = {"Authorization": f"Bearer {CODEC.issue('bench-supervisor', 'supervisor')}"}
    async with httpx.AsyncClient(base_url=risk, headers=headers, timeout=60) as c:
        features = (await c.get("/v1/map.geojson")).json()["features"]
        have_s = sum(1 for f in features if f["properties"]["kind"] == "source")
        have_i = sum(1 for f in features if f["properties"]["kind"] == "incident")
        sem = asyncio.Semaphore(8)

        async def post(path: str, body: dict[str, object]) -> None:
            async with sem:
                r = await c.post(path, json=body)
                r.raise_for_status()

        now = datetime.now(UTC).isoformat()
        await asyncio.gather(
            *(
                post(
                    "/v1/risk-sources",
                    {"name": f"压测企业{uuid.uuid4().hex[:8]}", "location": spot()},
                )
                for _ in range(max(0, sources - have_s))
            ),
            *(
                post(
                    "/v1/incidents",
                    {
                        "title": f"压测事件{uuid.uuid4().hex[:6]}",
                        "occurred_at": now,
                        "grade": "IV",
                        "location": spot(),
                        "idempotency_key": uuid.uuid4().hex,
                    },
                )
                for _ in range(max(0, incidents - have_i))
            ),
        )
        features = (await c.get("/v1/map.geojson")).json()["features"]
    kinds = [f["properties"]["kind"] for f in features]
    return kinds.count("source"), kinds.count("incident")


async def measure(console: str, samples: int) -> list[float]:
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        ctx = await browser.new_context(viewport={"width": 1366, "height": 768})
        page = await ctx.new_page()
        await page.goto(console + "/signin")
        await page.click("[data-person='emergency']")
        await page.wait_for_load_state("networkidle")
        out = []
        for _ in range(samples):
            start = time.perf_counter()
            await page.goto(console + "/risk/map")
            await page.wait_for_selector("#riskmap[data-loaded]", timeout=120_000)
            out.append(time.perf_counter() - start)
        await browser.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--profile", default="dev")
    ap.add_argument("--sources", type=int, default=1000)
    ap.add_argument("--incidents", type=int, default=100)
    ap.add_argument("--samples", type=int, default=10)
    a = ap.parse_args()
    console_port, risk_port = ports(a.profile)
    s, i = asyncio.run(top_up(f"http://127.0.0.1:{risk_port}", a.sources, a.incidents))
    times = sorted(asyncio.run(measure(f"http://127.0.0.1:{console_port}", a.samples)))
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    result = {
        "sources": s,
        "incidents": i,
        "samples": len(times),
        "median_s": round(statistics.median(times), 3),
        "p95_s": round(p95, 3),
    }
    print(json.dumps(result, ensure_ascii=False))
    (ROOT / "bench" / "console_map.json").write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
