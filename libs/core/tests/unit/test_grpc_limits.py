"""The shared gRPC server's limits, on a real server in process: a request over the message
size and a call over the concurrency limit are refused with RESOURCE_EXHAUSTED."""

from __future__ import annotations

import asyncio

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from qingshan_core.grpc_server import GrpcServer
from qingshan_core.oidc import TokenVerifier
from qingshan_core.testing.ports import free_port

pytestmark = pytest.mark.unit


async def test_oversized_requests_and_calls_over_the_limit_are_refused():
    port = free_port()
    server = GrpcServer(
        port, TokenVerifier(None), max_message_bytes=64 * 1024, max_concurrent_rpcs=1
    )
    await server.start()
    await server.set_serving(True)
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as ch:
            health = health_pb2_grpc.HealthStub(ch)
            ok = await health.Check(health_pb2.HealthCheckRequest(service=""), timeout=5)
            assert ok.status == health_pb2.HealthCheckResponse.SERVING
            with pytest.raises(grpc.aio.AioRpcError) as big:
                await health.Check(health_pb2.HealthCheckRequest(service="x" * 100_000), timeout=5)
            assert big.value.code() is grpc.StatusCode.RESOURCE_EXHAUSTED

            watch = health.Watch(health_pb2.HealthCheckRequest(service=""))  # holds the one slot
            assert (await watch.read()).status == health_pb2.HealthCheckResponse.SERVING
            separate = [("grpc.use_local_subchannel_pool", 1)]  # its own connection
            async with grpc.aio.insecure_channel(f"127.0.0.1:{port}", separate) as other:
                with pytest.raises(grpc.aio.AioRpcError) as busy:
                    await health_pb2_grpc.HealthStub(other).Check(
                        health_pb2.HealthCheckRequest(service=""), timeout=5
                    )
            assert busy.value.code() is grpc.StatusCode.RESOURCE_EXHAUSTED
            watch.cancel()
            for _ in range(50):  # the slot is free again once the stream is gone
                try:
                    await health.Check(health_pb2.HealthCheckRequest(service=""), timeout=5)
                    break
                except grpc.aio.AioRpcError:
                    await asyncio.sleep(0.1)
            else:
                pytest.fail("the concurrency slot was never given back")
    finally:
        await server.stop(grace=0)
