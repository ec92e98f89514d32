"""The fault suite's city 12345 platform: the simulator (deploy/local/city12345) in process, a
load of its work orders walked through 签收 → 回复 → 办结 by the district, the two city faults
(platform down, platform slow), and the counts: every step the district took (the case
histories in the store) against what the city's book holds — lost (never arrived), twice
(taken more than once) and out of order.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx

from faults.harness import Phase
from faults.stackctl import LOCAL, MONGO, log
from qingshan_core.mongo import create_client, find_by_ids

STEP_ACTIONS = {"accept": "签收", "reply": "回复", "close": "办结"}
UNIT = "faults-unit"
PROJECTION = {"history": 1, "external_id": 1}
# What the district does next, by the case's status: (action, who, body).
NEXT = {
    "received": ("assign", "operator", {"unit_id": UNIT}),
    "assigned": ("accept", "handler", {}),
    "accepted": ("reply", "handler", {"text": "故障演练：已现场核查并整改"}),
    "replied": ("close", "supervisor", {"substantiated": True}),
}


def load_simulator() -> Any:
    import importlib.util
    import sys

    name = "qingshan_city12345_simulator"
    if name not in sys.modules:
        path = LOCAL / "city12345" / "simulator.py"
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


@dataclass
class CityLoad:
    """One new order a second from the city, and the district working every open one."""

    sim: Any
    complaints_url: str
    headers: dict[str, dict[str, str]]  # operator / handler / supervisor / admin
    every: float = 1.0
    cases: dict[str, str] = field(default_factory=dict)  # order number → case id
    undispatched: list[str] = field(default_factory=list)
    timeline: list[tuple[float, str]] = field(default_factory=list)  # (epoch s, phase)
    _stop: bool = False

    def stop(self) -> None:
        self._stop = True

    async def register_unit(self, c: httpx.AsyncClient) -> None:
        """The load's unit in complaints' registry (assigning needs a registry unit, and a
        unit handler's token must name one); already there from an earlier run is fine."""
        unit = {"id": UNIT, "name": "故障演练单位", "kind": "town"}
        r = await c.post(
            f"{self.complaints_url}/v1/units", json=unit, headers=self.headers["admin"]
        )
        if r.status_code not in (201, 409):
            raise RuntimeError(f"registering {UNIT} failed: {r.status_code} {r.text}")

    async def run(self) -> None:
        async with httpx.AsyncClient(timeout=15) as c:
            await self.register_unit(c)
            n = 0
            while not self._stop:
                if not self.timeline or self.timeline[-1][1] != Phase.name:
                    self.timeline.append((time.time(), Phase.name))
                n += 1
                number = f"GDF{int(time.time())}{n:05d}"
                await self._dispatch([*self.undispatched, number])
                await asyncio.gather(*(self._advance(c, cid) for cid in list(self.cases.values())))
                await asyncio.sleep(self.every)

    async def _dispatch(self, numbers: list[str]) -> None:
        self.undispatched = []
        for number in numbers:
            try:
                r = await self.sim.dispatch(number=number, category="noise")
            except httpx.HTTPError:
                r = None
            if r is not None and r.status_code in (200, 201):
                self.cases[number] = r.json()["id"]
            else:
                self.undispatched.append(number)  # the same order number again next round

    async def _advance(self, c: httpx.AsyncClient, case_id: str) -> None:
        base = f"{self.complaints_url}/v1/complaints/{case_id}"
        try:
            r = await c.get(base, headers=self.headers["operator"])
            if r.status_code != 200 or r.json()["status"] not in NEXT:
                return
            action, who, body = NEXT[r.json()["status"]]
            await c.post(f"{base}/{action}", json=body, headers=self.headers[who])
        except httpx.HTTPError:
            pass  # a service or the store is down: the next round reads the case again

    def phase_at(self, epoch: float) -> str:
        phase = self.timeline[0][1] if self.timeline else "steady"
        for at, name in self.timeline:
            if at <= epoch:
                phase = name
        return phase


@dataclass
class CityCounts:
    steps: Counter[str] = field(default_factory=Counter)
    lost: Counter[str] = field(default_factory=Counter)
    twice: Counter[str] = field(default_factory=Counter)
    disorder: Counter[str] = field(default_factory=Counter)
    lost_keys: list[str] = field(default_factory=list)

    def pending(self) -> int:
        return sum(self.lost.values())


async def count(load: CityLoad) -> CityCounts:
    """The district's steps (history entries of the stored cases) against the city's book."""
    client = create_client(MONGO, "faults-city")
    out = CityCounts()
    try:
        coll = client["qingshan_complaints"]["complaints"]
        docs = await find_by_ids(coll, list(load.cases.values()), None, PROJECTION)
    finally:
        await client.close()
    for doc in docs:
        order = load.sim.book.orders.get(doc["external_id"])
        taken = [s["序号"] for s in order.steps] if order else []
        phases: dict[int, str] = {}
        for seq, h in enumerate(doc.get("history") or []):
            if h["action"] not in STEP_ACTIONS or h["role"] == "integration":
                continue
            phases[seq] = phase = load.phase_at(h["at"].timestamp())
            out.steps[phase] += 1
            if seq not in taken:
                out.lost[phase] += 1
                out.lost_keys.append(f"{doc['_id']}:{seq}:{h['action']}")
        for seq, n in Counter(taken).items():
            if n > 1:  # the city took one step twice
                out.twice[phases.get(seq, "settle")] += n - 1
        if taken != sorted(taken):
            out.disorder[phases[min(phases)] if phases else "settle"] += 1
    return out


async def platform_down(sim: Any, seconds: float = 12.0) -> None:
    log(f"city platform down for {seconds:g} s (connections refused)")
    await sim.stop()
    await asyncio.sleep(seconds)
    await sim.start(sim.port)
    log("city platform back")


async def platform_slow(sim: Any, seconds: float = 12.0) -> None:
    log(f"city platform slow for {seconds:g} s (3 s per answer, past the 2 s timeout; 503s, drops)")
    sim.faults.slow_seconds, sim.faults.fail_next, sim.faults.drop_next = 3.0, 3, 3
    await asyncio.sleep(seconds)
    sim.faults.slow_seconds, sim.faults.fail_next, sim.faults.drop_next = 0.0, 0, 0
    log("city platform answers at normal speed again")


async def platform_retries(complaints_url: str) -> float:
    """complaints' count of step sends it will try again (platform down, slow, 5xx/429)."""
    async with httpx.AsyncClient(timeout=10) as c:
        text = (await c.get(f"{complaints_url}/metrics")).text
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith("qingshan_complaints_platform_steps_total{") and '"retry"' in line
    )
