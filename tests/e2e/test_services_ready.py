"""The four services start as real processes against the suite's Kafka and FerretDB and report
ready over HTTP (/readyz) and gRPC (grpc.health.v1); reflection, which lists every method to
anyone, is off outside development (the suite runs them as `test`)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from types import ModuleType

import grpc
import httpx
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from qingshan_core.testing.pytest_plugin import ROOT, profile

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def _local_script(name: str) -> ModuleType:
    """deploy/local/<name>.py, the scripts `make run` uses (not importable as a package)."""
    sys.path.insert(0, str(ROOT / "deploy" / "local"))
    spec = importlib.util.spec_from_file_location(
        f"qingshan_local_{name}", ROOT / "deploy" / "local" / f"{name}.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


local_stack, local_services = _local_script("stack"), _local_script("services")
PROFILE = local_stack.PROFILES[profile()]
SERVICES = {name: local_services.ports(PROFILE, name) for name in local_services.SERVICES}
SCRIPT = [sys.executable, str(ROOT / "deploy" / "local" / "services.py"), "--profile", profile()]


@pytest.fixture(scope="module")
def running_services(infra):
    subprocess.run([*SCRIPT, "up"], check=True, timeout=180)
    yield SERVICES
    subprocess.run([*SCRIPT, "down"], check=True, timeout=60)


@pytest.mark.parametrize("name", sorted(SERVICES))
async def test_http_ready_and_documented(running_services, name):
    http, _ = running_services[name]
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{http}") as c:
        ready = await c.get("/readyz")
        assert ready.status_code == 200
        assert ready.json()["checks"] == {"store": True}  # readiness is the store's alone
        assert ready.json()["broker"]["reachable"] is True  # the broker: a detail
        assert (await c.get("/openapi.json")).json()["info"]["title"] == f"qingshan {name}"
        assert "qingshan_outbox_published_total" in (await c.get("/metrics")).text


@pytest.mark.parametrize("name", sorted(SERVICES))
async def test_grpc_health_and_no_reflection(running_services, name):
    _, port = running_services[name]
    async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as ch:
        health = health_pb2_grpc.HealthStub(ch)
        resp = await health.Check(health_pb2.HealthCheckRequest(service=""), timeout=5)
        assert resp.status == health_pb2.HealthCheckResponse.SERVING
        stub = reflection_pb2_grpc.ServerReflectionStub(ch)
        # The request goes as the call's iterator: the server may end the stream before a
        # separate write is sent (that write then fails INTERNAL on the client's side).
        call = stub.ServerReflectionInfo(
            iter([reflection_pb2.ServerReflectionRequest(list_services="")])
        )
        with pytest.raises(grpc.aio.AioRpcError):
            async for _ in call:
                pass
        assert await call.code() == grpc.StatusCode.UNIMPLEMENTED
