"""The complaints app, in process, against the suite's real Kafka and FerretDB."""

from __future__ import annotations

import random
import string
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from complaints.bootstrap import create_app
from complaints.config import Settings
from complaints.domain.units import UnitKind
from complaints.service_layer.context import Context
from complaints.service_layer.units import register_unit
from qingshan_core.auth import TokenCodec
from qingshan_core.testing.ports import free_port
from qingshan_core.testing.tokens import SignsDevelopmentTokens


@dataclass
class Service(SignsDevelopmentTokens):
    """A running complaints app plus what tests need to drive it."""

    client: httpx.AsyncClient
    ctx: Context
    settings: Settings
    codec: TokenCodec
    app: Any

    @staticmethod
    def body(**over: Any) -> dict[str, Any]:
        return complaint_body(**over)


@pytest.fixture
async def service(infra: dict[str, str]) -> AsyncIterator[Service]:
    async with running(infra) as s:
        yield s


@asynccontextmanager
async def running(infra: dict[str, str], **over: Any) -> AsyncIterator[Service]:
    """A complaints app in process; `over` overrides settings (e.g. the rate limits)."""
    settings = Settings(
        environment="test",
        mongo_uri=infra["mongo_uri"],
        mongo_db=f"t_complaints_{uuid.uuid4().hex[:10]}",
        kafka_bootstrap=infra["bootstrap"],
        grpc_port=free_port(),
        sweep_seconds=3600,  # tests sweep explicitly
        rates_check_seconds=3600,
        relay_poll_seconds=0.2,
        # Case numbers restart in every test database; a prefix keeps them apart on the topic.
        id_prefix="".join(random.choices(string.ascii_uppercase, k=6)),
        **over,
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        await register_test_units(app.state.ctx)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://complaints") as client:
            yield Service(
                client,
                app.state.ctx,
                settings,
                TokenCodec(settings.jwt_secret.get_secret_value()),
                app,
            )
        await app.state.runtime.client.drop_database(settings.mongo_db)


# The handling units the tests assign cases to (assigning needs a registry unit).
TEST_UNITS = {
    **{f"town-{i:02d}": f"测试镇{i:02d}" for i in range(1, 10)},
    "bureau-noise": "噪声管理科（测试）",
}


async def register_test_units(ctx: Context) -> None:
    for unit_id, name in TEST_UNITS.items():
        kind = UnitKind.SECTION if unit_id.startswith("bureau-") else UnitKind.TOWN
        await register_unit(ctx, unit_id, name, kind, head=None, contacts=(), by="tests")


def complaint_body(**over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "channel": "12345",
        "external_id": f"GD{uuid.uuid4().hex[:10]}",
        "category": "noise",
        "urgency": "normal",
        "description": "夜间施工噪声扰民",
        "location": {"address": "南川区东城街道金山路18号", "town": "东城街道"},
        "complainant": {"name": "张三", "phone": "13812345678"},
    }
    body.update(over)
    return body
