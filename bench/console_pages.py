"""How fast the console's queue and case pages load with many cases (reported, never asserted).

    python -m bench.console_pages [--profile p7] [--cases 10000] [--samples 30]

Uses the stack of the given profile (started with deploy/local/stack.py and services.py, as
`make run` starts it), tops its complaints store up to `--cases` cases through the API, then
loads each page `--samples` times: the server's answer (HTML over HTTP, the page's API calls
included) and a headless Chromium navigation to `load` (assets and scripts included). Prints
median and p95 per page and writes them to bench/console_pages.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import Page, async_playwright

from qingshan_core.auth import TokenCodec
from qingshan_core.settings import DEV_JWT_SECRET
from qingshan_core.testing.browser import CHROMIUM, CHROMIUM_ARGS, local_script

ROOT = Path(__file__).resolve().parent.parent
DEVELOPMENT = ROOT / "deploy" / "local" / "keycloak" / "development.json"  # the demo users
CODEC = TokenCodec(DEV_JWT_SECRET)
TOWNS = ["东城街道", "南城街道", "西城街道", "三泉镇", "南平镇", "神童镇"]
CATEGORIES = ["air", "water", "noise", "solid_waste", "soil", "other"]


def ports(profile: str) -> tuple[int, int]:
    services = local_script("services")
    p = services.stack.PROFILES[profile]
    return services.ports(p, "console")[0], services.ports(p, "complaints")[0]


async def top_up(complaints: str, wanted: int, concurrency: int = 16) -> int:
    """Submit cases until the store holds `wanted`; returns how many there are."""
    headers = {"Authorization": f"Bearer {CODEC.issue('bench-operator', 'operator')}"}
    async with httpx.AsyncClient(base_url=complaints, headers=headers, timeout=60) as c:
        total = (await c.get("/v1/complaints", params={"limit": 1})).json()["total"]
        missing = max(0, wanted - total)
        queue: asyncio.Queue[int] = asyncio.Queue()
        for n in range(missing):
            queue.put_nowait(n)

        async def worker() -> None:
            while not queue.empty():
                n = queue.get_nowait()
                body = {
                    "channel": "12345",
                    "external_id": f"BENCH{uuid.uuid4().hex[:12]}",
                    "category": CATEGORIES[n % len(CATEGORIES)],
                    "description": f"压测案件 {n}",
                    "location": {"address": f"金山路{n}号", "town": TOWNS[n % len(TOWNS)]},
                    "complainant": {"anonymous": True},
                }
                r = await c.post("/v1/complaints", json=body)
                r.raise_for_status()
                if n % 1000 == 0:
                    print(f"  {n}/{missing} submitted", flush=True)

        await asyncio.gather(*(worker() for _ in range(concurrency)))
        total = int((await c.get("/v1/complaints", params={"limit": 1})).json()["total"])
        return total


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "median_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(p95 * 1000, 1),
    }


async def sign_in(page: Page, console: str) -> str:
    """Sign in as the development realm's operator on Keycloak's login page (as a person
    does); returns the console's session cookie."""
    users = json.loads(DEVELOPMENT.read_text(encoding="utf-8"))["users"]
    password = next(u for u in users if u["username"] == "operator")["credentials"][0]["value"]
    await page.goto(console + "/signin/start?next=%2Fcases%3Fqueue%3Dopen")
    await page.fill("#username", "operator")
    await page.fill("#password", password)
    await page.click("#kc-login")
    await page.wait_for_url(console + "/cases*", timeout=60_000)
    cookies = await page.context.cookies()
    return next(c["value"] for c in cookies if c["name"] == "qingshan_session")


async def server_times(console: str, session: str, pages: dict[str, str], samples: int) -> Any:
    out: dict[str, Any] = {}
    cookies = {"qingshan_session": session}
    async with httpx.AsyncClient(base_url=console, cookies=cookies, timeout=120) as c:
        for name, path in pages.items():
            times = []
            for _ in range(samples):
                start = time.perf_counter()
                r = await c.get(path)
                r.raise_for_status()
                times.append(time.perf_counter() - start)
            out[f"{name}_server"] = summary(times)
            print(f"  {name} page, server answer: {out[f'{name}_server']}", flush=True)
    return out


async def measure(console: str, case_id: str, samples: int) -> dict[str, Any]:
    pages = {"queue": "/cases?queue=open", "case": f"/cases/{case_id}"}
    out: dict[str, Any] = {}
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        context = await browser.new_context(viewport={"width": 1366, "height": 768})
        page = await context.new_page()
        out.update(await server_times(console, await sign_in(page, console), pages, samples))
        for name, path in pages.items():
            times = []
            for _ in range(samples):
                start = time.perf_counter()
                await page.goto(console + path, wait_until="load", timeout=180_000)
                times.append(time.perf_counter() - start)
            out[f"{name}_browser"] = summary(times)
            print(f"  {name} page, browser load: {out[f'{name}_browser']}", flush=True)
        await browser.close()
    return out


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--profile", default="dev")
    ap.add_argument("--cases", type=int, default=10_000)
    ap.add_argument("--samples", type=int, default=30)
    args = ap.parse_args()
    console_port, complaints_port = ports(args.profile)
    complaints = f"http://127.0.0.1:{complaints_port}"
    started = time.perf_counter()
    total = await top_up(complaints, args.cases)
    print(f"{total} cases in the store ({time.perf_counter() - started:.0f} s to top up)")
    headers = {"Authorization": f"Bearer {CODEC.issue('bench-operator', 'operator')}"}
    async with httpx.AsyncClient(base_url=complaints, headers=headers, timeout=120) as c:
        case_id = (await c.get("/v1/complaints", params={"limit": 1})).json()["items"][0]["id"]
    figures = await measure(f"http://127.0.0.1:{console_port}", case_id, args.samples)
    figures["cases"] = total
    print(json.dumps(figures, indent=2, ensure_ascii=False))
    (ROOT / "bench" / "console_pages.json").write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
