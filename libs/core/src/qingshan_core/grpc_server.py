"""gRPC server with the standard health service and reflection, shared by every service."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from qingshan_core.grpc_errors import ErrorInterceptor

Registrar = Callable[[grpc.aio.Server], None]


class GrpcServer:
    """Owns a grpc.aio server, its health servicer and the names it reflects."""

    def __init__(self, port: int, host: str = "127.0.0.1") -> None:
        self.address = f"{host}:{port}"
        # Errors of qingshan_core.errors (and the services' subclasses) become status codes.
        self.server = grpc.aio.server(interceptors=[ErrorInterceptor()])
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
