"""Starting without the registry seed on purpose is said in /readyz; the catalogue still loads."""

from __future__ import annotations

import uuid

import httpx
import pytest

from qingshan_core.testing.ports import free_port
from risk.bootstrap import create_app
from risk.config import Settings

pytestmark = pytest.mark.integration


async def test_an_unseeded_start_says_so_and_still_knows_the_waste_codes(infra):
    settings = Settings(
        environment="test",
        mongo_uri=infra["mongo_uri"],
        mongo_db=f"t_risk_{uuid.uuid4().hex[:10]}",
        kafka_bootstrap=infra["bootstrap"],
        grpc_port=free_port(),
        sweep_interval_seconds=3600,
        seed_on_start=False,
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://risk") as client:
            ready = await client.get("/readyz")
            assert ready.status_code == 200, ready.text
            assert "seed_on_start is off" in ready.json()["details"]["seed"]
            assert len(app.state.risk.park_clusters) == 0
            (list_2021,) = [
                c for c in app.state.risk.catalogues.current.versions if c.version == "2021"
            ]
            assert list_2021.entries is not None and len(list_2021.entries) == 467
        await app.state.runtime.client.drop_database(settings.mongo_db)
