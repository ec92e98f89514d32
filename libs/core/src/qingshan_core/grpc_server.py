"""gRPC server with the standard health service and reflection, shared by every service.

Limits, so one client cannot take a replica down: a request (and an answer) larger than
`max_message_bytes` is refused with RESOURCE_EXHAUSTED before a servicer sees it, at most
`max_concurrent_rpcs` calls run at once (more are refused with RESOURCE_EXHAUSTED, and the
client retries), and each HTTP/2 connection carries at most that many streams."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

Registrar = Callable[[grpc.aio.Server], None]
MAX_MESSAGE_BYTES = 4 * 1024 * 1024
MAX_CONCURRENT_RPCS = 200


class GrpcServer:
    """Owns a grpc.aio server, its health servicer and the names it reflects."""

    def __init__(
        self,
        port: int,
        host: str = "127.0.0.1",
        *,
        max_message_bytes: int = MAX_MESSAGE_BYTES,
        max_concurrent_rpcs: int = MAX_CONCURRENT_RPCS,
    ) -> None:
        self.address = f"{host}:{port}"
        self.server = grpc.aio.server(
            options=[
                ("grpc.max_receive_message_length", max_message_bytes),
                ("grpc.max_send_message_length", max_message_bytes),
                ("grpc.max_concurrent_streams", max_concurrent_rpcs),
            ],
            maximum_concurrent_rpcs=max_concurrent_rpcs,
        )
        self.health = health.aio.HealthServicer()
        self._names: list[str] = []
        health_pb2_grpc.add_HealthServicer_to_server(self.health, self.server)

    def add(self, registrar: Registrar, service_name: str) -> None:
        """Register a servicer (via its generated add_*_to_server) under its full name."""
        registrar(self.server)
        self._names.append(service_name)

    async def start(self) -> int:
        names: Sequence[str] = [
            *self._names,
            health_pb2.DESCRIPTOR.services_by_name["Health"].full_name,
            reflection.SERVICE_NAME,
        ]
        reflection.enable_server_reflection(names, self.server)
        port: int = self.server.add_insecure_port(self.address)
        await self.server.start()
        await self.set_serving(False)
        return port

    async def set_serving(self, serving: bool) -> None:
        """Report SERVING (or NOT_SERVING) for the server and every registered service."""
        st = (
            health_pb2.HealthCheckResponse.SERVING
            if serving
            else health_pb2.HealthCheckResponse.NOT_SERVING
        )
        for name in ("", *self._names):
            await self.health.set(name, st)

    async def stop(self, grace: float = 5.0) -> None:
        await self.health.enter_graceful_shutdown()
        await self.server.stop(grace)
