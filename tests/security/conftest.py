"""The four services in process against the suite's Kafka and FerretDB, for the security tests:
each in a database of its own (dropped afterwards), on a free gRPC port, reaching nobody."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import time
from typing import Any

import httpx
from fastapi import FastAPI

from qingshan_core.auth import TokenCodec
from qingshan_core.mongo import create_client
from qingshan_core.settings import ServiceSettings
from qingshan_core.testing.ports import free_port
from qingshan_core.testing.tokens import SignsDevelopmentTokens

SERVICES = ("complaints", "projects", "risk", "notify")


def settings_for(name: str, infra: dict[str, str], **over: Any) -> ServiceSettings:
    """Test settings for one service; `over` wins (e.g. the topics notify consumes)."""
    values: dict[str, Any] = {
        "environment": "test",
        "mongo_uri": infra["mongo_uri"],
        "mongo_db": f"t_sec_{name}_{uuid.uuid4().hex[:10]}",
        "kafka_bootstrap": infra["bootstrap"],
        "grpc_port": free_port(),
        "relay_poll_seconds": 0.2,
    }
    if name == "complaints":
        from complaints.config import Settings as C

        return C(**(values | {"sweep_seconds": 3600, "id_prefix": "SEC"} | over))
    if name == "projects":
        from projects.config import Settings as P

        return P(**(values | {"seed_on_start": False, "dispatch_first_delay_seconds": 3600} | over))
    if name == "risk":
        from risk.config import Settings as R

        return R(**(values | {"seed_on_start": False, "sweep_interval_seconds": 3600} | over))
    from notify.config import Settings as N

    tag = uuid.uuid4().hex[:10]
    quiet: dict[str, Any] = {
        "consume_topics": [f"test.security.{tag}"],
        "consumer_name": f"sec{tag}",
        "smtp_port": free_port(),
        "smtp_security": "none",
        "webhook_allowed_hosts": ["127.0.0.1"],
        # No quiet hours: whether a message goes now must not depend on the hour CI runs at.
        "quiet_start": time(0, 0),
        "quiet_end": time(0, 0),
    }
    return N(**(values | quiet | over))


def app_for(name: str, settings: ServiceSettings) -> FastAPI:
    if name == "complaints":
        from complaints.bootstrap import create_app
    elif name == "projects":
        from projects.bootstrap import create_app  # type: ignore[assignment]
    elif name == "risk":
        from risk.bootstrap import create_app  # type: ignore[assignment]
    else:
        from notify.bootstrap import create_app  # type: ignore[assignment]
    return create_app(settings)


@dataclass
class Running(SignsDevelopmentTokens):
    """One service with its lifespan running, and an HTTP client to it."""

    name: str
    app: FastAPI
    settings: ServiceSettings
    client: httpx.AsyncClient

    @property
    def codec(self) -> TokenCodec:
        return TokenCodec(self.settings.jwt_secret.get_secret_value())


# The units the security tests' unit handler belongs to and cases are assigned to.
UNITS = ("town-01",)


async def _register_units(app: FastAPI) -> None:
    from complaints.domain.units import UnitKind
    from complaints.service_layer.units import register_unit

    for unit_id in UNITS:
        await register_unit(
            app.state.ctx, unit_id, "东城街道", UnitKind.TOWN, head=None, contacts=(), by="tests"
        )


@asynccontextmanager
async def running(name: str, infra: dict[str, str], **over: Any) -> AsyncIterator[Running]:
    """Start one service in process; drop its database afterwards."""
    settings = settings_for(name, infra, **over)
    app = app_for(name, settings)
    try:
        async with app.router.lifespan_context(app):
            if name == "complaints":
                await _register_units(app)
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url=f"http://{name}") as c:
                yield Running(name, app, settings, c)
    finally:
        client = create_client(infra["mongo_uri"], "qingshan-tests")
        await client.drop_database(settings.mongo_db)
        await client.close()
