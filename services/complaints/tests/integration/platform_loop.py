"""The closed loop on the real stack: the complaints service as a real HTTP server (uvicorn,
its whole lifespan: relay, the step consumer, the dispatcher) against the suite's Kafka and
FerretDB, and the city 12345 platform simulator (deploy/local/city12345) as another real HTTP
server. Each run gets its own service name, so its topic, consumer groups and dead-letter
topic are its own, read from their start."""

from __future__ import annotations

import asyncio
import importlib.util
import random
import string
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import uvicorn

from complaints.adapters.platform_mapping import PlatformConfig
from complaints.bootstrap import create_app
from complaints.config import Settings
from complaints.domain.units import UnitKind
from complaints.service_layer.context import Context
from complaints.service_layer.units import register_unit
from qingshan_core.auth import TokenCodec
from qingshan_core.mongo import create_client
from qingshan_core.testing.ports import free_port
from qingshan_core.testing.tokens import SignsDevelopmentTokens

ROOT = Path(__file__).resolve().parents[4]
SIMULATOR = ROOT / "deploy" / "local" / "city12345" / "simulator.py"
UNIT = "town-dongcheng"
# The registry units the loop's cases go to (assigning and 改派 need a registry unit).
UNITS = {UNIT: "东城街道（测试）", "town-xicheng": "西城街道（测试）"}


def load_simulator() -> ModuleType:
    """deploy/local/city12345/simulator.py, the one `make run` starts."""
    name = "qingshan_city12345_simulator"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, SIMULATOR)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


async def eventually(check: Callable[[], Awaitable[Any]], timeout: float = 30.0) -> Any:
    """Poll `check` until it returns something truthy (returned) or the time is up."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        value = await check()
        if value:
            return value
        if loop.time() > deadline:
            raise AssertionError(f"not within {timeout}s (last: {value!r})")
        await asyncio.sleep(0.2)


@dataclass
class Loop(SignsDevelopmentTokens):
    sim: Any  # the simulator's Simulator
    http: httpx.AsyncClient  # to the complaints server
    ctx: Context
    settings: Settings
    codec: TokenCodec

    @property
    def city(self) -> dict[str, str]:
        return self.auth("integration", sub="city-12345")

    @property
    def handler(self) -> dict[str, str]:
        return self.auth("unit_handler", unit=UNIT)

    async def dispatch(self, **over: Any) -> tuple[str, str]:
        """派单 by the city; the district assigns it to UNIT. (order number, case id)"""
        number = over.pop("number", f"GD{uuid.uuid4().hex[:10].upper()}")
        r = await self.sim.dispatch(number=number, **over)
        assert r.status_code == 201, r.text
        case_id = r.json()["id"]
        await self.act(case_id, "assign", self.auth("operator"), unit_id=UNIT)
        return number, case_id

    async def act(self, case_id: str, action: str, who: dict[str, str], **body: Any) -> Any:
        r = await self.http.post(f"/v1/complaints/{case_id}/{action}", json=body, headers=who)
        assert r.status_code == 200, r.text
        return r.json()

    async def order(self, number: str) -> dict[str, Any]:
        r = await self.http.get(f"/v1/platforms/12345/orders/{number}", headers=self.city)
        assert r.status_code == 200, r.text
        result: dict[str, Any] = r.json()
        return result

    async def delivered(self, number: str, count: int) -> bool:
        """Whether `count` steps of the order went out and none waits any more."""
        steps = (await self.order(number))["steps"]
        done = [s for s in steps if s["outcome"] in ("delivered", "duplicate")]
        return len(done) == count and len(done) == len(steps)

    def city_view(self, number: str) -> dict[str, Any]:
        view: dict[str, Any] = self.sim.book.get(number).view()
        return view


def settings_for(infra: dict[str, str], sim_port: int, http_port: int, **over: Any) -> Settings:
    tag = uuid.uuid4().hex[:8]
    values: dict[str, Any] = {
        "environment": "test",
        "service_name": f"complaints-{tag}",
        "mongo_uri": infra["mongo_uri"],
        "mongo_db": f"t_platform_{tag}",
        "kafka_bootstrap": infra["bootstrap"],
        "http_port": http_port,
        "grpc_port": free_port(),
        "sweep_seconds": 3600,
        "rates_check_seconds": 3600,
        "relay_poll_seconds": 0.2,
        "http_rate_limit_enabled": False,
        "log_level": "WARNING",
        "id_prefix": "".join(random.choices(string.ascii_uppercase, k=6)),
        "platforms": {
            "12345": PlatformConfig(base_url=f"http://127.0.0.1:{sim_port}", timeout_seconds=2)
        },
        # The issue's ten minutes of outage, compressed: retries every 0.2 s at first, never
        # more than 1 s apart, so an outage of a few seconds spans many retry rounds.
        "platform_retry_base_seconds": 0.2,
        "platform_retry_cap_seconds": 1.0,
        "platform_poll_seconds": 0.5,
        "platform_lease_seconds": 10,
    }
    values.update(over)
    return Settings(**values)


@asynccontextmanager
async def platform_loop(infra: dict[str, str], **over: Any) -> AsyncIterator[Loop]:
    sim_port, http_port = free_port(), free_port()
    settings = settings_for(infra, sim_port, http_port, **over)
    app = create_app(settings)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=http_port, lifespan="on", log_level="warning")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            await task
        await asyncio.sleep(0.05)
    for unit_id, name in UNITS.items():
        await register_unit(
            app.state.ctx, unit_id, name, UnitKind.TOWN, head=None, contacts=(), by="tests"
        )
    codec = TokenCodec(settings.jwt_secret.get_secret_value())
    sim = load_simulator().Simulator(
        f"http://127.0.0.1:{http_port}", codec.issue("city-12345", "integration")
    )
    await sim.start(sim_port)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{http_port}", timeout=30) as c:
            yield Loop(sim, c, app.state.ctx, settings, codec)
    finally:
        await sim.stop()
        server.should_exit = True
        await task
        client = create_client(infra["mongo_uri"], "qingshan-tests")
        await client.drop_database(settings.mongo_db)
        await client.close()
