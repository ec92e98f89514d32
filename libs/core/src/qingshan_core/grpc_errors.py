"""The error classes of qingshan_core.errors as gRPC status codes: one mapping, one interceptor.

Every servicer lets its errors propagate; `ErrorInterceptor` (installed by `GrpcServer`) aborts
the call with the mapped status and the Chinese and English detail, and sends the stable code and
the field as trailing metadata (`qingshan-code`, `qingshan-field`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import grpc

from qingshan_core import errors
from qingshan_core.errors import QingshanError

# Most specific first: the first class `err` is an instance of decides.
STATUS: tuple[tuple[type[QingshanError], grpc.StatusCode], ...] = (
    (errors.NotFound, grpc.StatusCode.NOT_FOUND),
    (errors.Unauthorized, grpc.StatusCode.UNAUTHENTICATED),
    (errors.Forbidden, grpc.StatusCode.PERMISSION_DENIED),
    (errors.Gone, grpc.StatusCode.NOT_FOUND),
    (errors.AlreadyExists, grpc.StatusCode.ALREADY_EXISTS),
    (errors.ConcurrentUpdate, grpc.StatusCode.ABORTED),
    (errors.Conflict, grpc.StatusCode.FAILED_PRECONDITION),
    (errors.RuleViolation, grpc.StatusCode.INVALID_ARGUMENT),
    (errors.TooManyRequests, grpc.StatusCode.RESOURCE_EXHAUSTED),
    (errors.Unavailable, grpc.StatusCode.UNAVAILABLE),
)


def grpc_status(err: QingshanError) -> grpc.StatusCode:
    """The gRPC status code for `err` (INVALID_ARGUMENT for any other request error)."""
    return next((code for cls, code in STATUS if isinstance(err, cls)), grpc.StatusCode.UNKNOWN)


def grpc_details(err: QingshanError) -> str:
    """The status message: "中文 / English" (one of them when both are the same)."""
    text = err.detail if err.detail == err.detail_en else f"{err.detail} / {err.detail_en}"
    return text[:1000]


def grpc_metadata(err: QingshanError) -> tuple[tuple[str, str], ...]:
    """Trailing metadata a client can branch on without parsing the message."""
    pairs = [("qingshan-code", err.code)]
    if err.field:
        pairs.append(("qingshan-field", err.field))
    return tuple(pairs)


async def abort(context: grpc.aio.ServicerContext[Any, Any], err: QingshanError) -> None:
    """End the call with `err`'s status, details and metadata (raises, as abort does)."""
    await context.abort(grpc_status(err), grpc_details(err), grpc_metadata(err))


Handler = Callable[[Any, grpc.aio.ServicerContext[Any, Any]], Awaitable[Any]]


def _guarded(inner: Handler) -> Handler:
    async def call(request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
        try:
            return await inner(request, context)
        except QingshanError as err:
            await abort(context, err)

    return call


class ErrorInterceptor(grpc.aio.ServerInterceptor):  # type: ignore[misc]
    """Turns a QingshanError raised by any unary method into its gRPC status."""

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(handler_call_details)
        if handler is None or handler.unary_unary is None:
            return handler
        return grpc.unary_unary_rpc_method_handler(
            _guarded(handler.unary_unary),
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )
