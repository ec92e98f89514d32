"""gRPC server with the standard health service and reflection, shared by every service.

Every method of every service a servicer registers is authenticated once, here: the
`AuthInterceptor` verifies the bearer token (`authorization: Bearer <jwt>` metadata, scheme
case-insensitive) with the same verifier as the HTTP API and checks the roles the service was
registered with. The method reads its caller with `caller()`. Health and reflection stay open
(probes and tooling carry no token). Reflection is served only when asked for (development);
with a certificate and key (`GrpcTls`) the port speaks TLS only.

Limits, so one client cannot take a replica down: a request (and an answer) larger than
`max_message_bytes` is refused with RESOURCE_EXHAUSTED before a servicer sees it, at most
`max_concurrent_rpcs` calls run at once (more are refused with RESOURCE_EXHAUSTED, and the
client retries), and each HTTP/2 connection carries at most that many streams.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from qingshan_core.auth import AuthError, Principal, Verifier, bearer_token, forbidden_reason
from qingshan_core.grpc_errors import ErrorInterceptor
from qingshan_core.roles import STAFF, Role

Registrar = Callable[[grpc.aio.Server], None]
MAX_MESSAGE_BYTES = 4 * 1024 * 1024
MAX_CONCURRENT_RPCS = 200

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


@dataclass(frozen=True)
class GrpcTls:
    """The server's certificate chain and private key (PEM bytes)."""

    cert_chain: bytes
    private_key: bytes

    @classmethod
    def from_files(cls, cert_file: str, key_file: str) -> GrpcTls | None:
        """Read both files; None when neither is configured (a plain-text port)."""
        if not cert_file and not key_file:
            return None
        return cls(Path(cert_file).read_bytes(), Path(key_file).read_bytes())

    def credentials(self) -> grpc.ServerCredentials:
        return grpc.ssl_server_credentials([(self.private_key, self.cert_chain)])


class GrpcServer:
    """Owns a grpc.aio server, its health servicer and the names it reflects."""

    def __init__(
        self,
        port: int,
        verifier: Verifier,
        host: str = "127.0.0.1",
        tls: GrpcTls | None = None,
        reflection: bool = True,
        *,
        max_message_bytes: int = MAX_MESSAGE_BYTES,
        max_concurrent_rpcs: int = MAX_CONCURRENT_RPCS,
    ) -> None:
        self.address = f"{host}:{port}"
        self.tls = tls
        self.reflection = reflection
        self._roles: dict[str, tuple[Role, ...]] = {}
        # The caller is authenticated first; then errors of qingshan_core.errors (and the
        # services' subclasses) raised by the method become status codes.
        self.server = grpc.aio.server(
            interceptors=[AuthInterceptor(verifier, self._roles), ErrorInterceptor()],
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

    def add(self, registrar: Registrar, service_name: str, roles: Iterable[Role] = STAFF) -> None:
        """Register a servicer (via its generated add_*_to_server) under its full name; every
        method of it is open to callers in `roles` (all staff unless narrowed)."""
        registrar(self.server)
        self._names.append(service_name)
        self._roles[service_name] = tuple(roles)

    async def start(self) -> int:
        if self.reflection:
            names: Sequence[str] = [
                *self._names,
                health_pb2.DESCRIPTOR.services_by_name["Health"].full_name,
                reflection.SERVICE_NAME,
            ]
            reflection.enable_server_reflection(names, self.server)
        port: int = (
            self.server.add_secure_port(self.address, self.tls.credentials())
            if self.tls is not None
            else self.server.add_insecure_port(self.address)
        )
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
