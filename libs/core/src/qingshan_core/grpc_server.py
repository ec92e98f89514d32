"""gRPC server with the standard health service and reflection, shared by every service.

Every method of every service a servicer registers is authenticated once, here: the
`AuthInterceptor` verifies the bearer token (`authorization: Bearer <jwt>` metadata, scheme
case-insensitive) with the same verifier as the HTTP API and checks the roles the service was
registered with. The method reads its caller with `caller()`. Health and reflection stay open
(probes and tooling carry no token).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from contextvars import ContextVar
from typing import Any

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from qingshan_core.auth import AuthError, Principal, Verifier, bearer_token, forbidden_reason
from qingshan_core.grpc_errors import ErrorInterceptor
from qingshan_core.roles import STAFF, Role

Registrar = Callable[[grpc.aio.Server], None]
_caller: ContextVar[Principal] = ContextVar("qingshan_grpc_caller")


def caller() -> Principal:
    """The authenticated caller of the gRPC method being served (set by AuthInterceptor)."""
    return _caller.get()


class AuthInterceptor(grpc.aio.ServerInterceptor):  # type: ignore[misc]
    """Verifies the caller of every method of the services in `roles` (service → allowed)."""

    def __init__(self, verifier: Verifier, roles: dict[str, tuple[Role, ...]]) -> None:
        self.verifier = verifier
        self.roles = roles

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(details)
        allowed = self.roles.get(details.method.split("/")[1] if "/" in details.method else "")
        if handler is None or allowed is None or handler.unary_unary is None:
            return handler  # health, reflection (open), unknown methods (UNIMPLEMENTED)
        behaviour = handler.unary_unary
        verifier = self.verifier

        async def authenticated(request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
            meta = dict(context.invocation_metadata() or ())
            token = bearer_token(str(meta.get("authorization", "")))
            if token is None:
                await context.abort(
                    grpc.StatusCode.UNAUTHENTICATED, "missing bearer token / 缺少身份令牌"
                )
            try:
                principal = await verifier.verify(str(token))
            except AuthError as exc:
                await context.abort(grpc.StatusCode.UNAUTHENTICATED, exc.reason)
            if principal.role not in allowed:
                await context.abort(
                    grpc.StatusCode.PERMISSION_DENIED, forbidden_reason(principal.role, allowed)
                )
            reset = _caller.set(principal)
            try:
                return await behaviour(request, context)
            finally:
                _caller.reset(reset)

        return grpc.unary_unary_rpc_method_handler(
            authenticated,
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )


class GrpcServer:
    """Owns a grpc.aio server, its health servicer and the names it reflects."""

    def __init__(self, port: int, verifier: Verifier, host: str = "127.0.0.1") -> None:
        self.address = f"{host}:{port}"
        self._roles: dict[str, tuple[Role, ...]] = {}
        # The caller is authenticated first; then errors of qingshan_core.errors (and the
        # services' subclasses) raised by the method become status codes.
        self.server = grpc.aio.server(
            interceptors=[AuthInterceptor(verifier, self._roles), ErrorInterceptor()]
        )
        self.health = health.aio.HealthServicer()
        self._names: list[str] = []
        health_pb2_grpc.add_HealthServicer_to_server(self.health, self.server)

    def add(self, registrar: Registrar, service_name: str, roles: Iterable[Role] = STAFF) -> None:
        """Register a servicer (via its generated add_*_to_server) under its full name; every
        method of it is open to callers in `roles` (all staff unless narrowed)."""
        registrar(self.server)
        self._names.append(service_name)
        self._roles[service_name] = tuple(roles)

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
