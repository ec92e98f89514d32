"""The FastAPI side every service shares: health, readiness, metrics, trace ids, problem details."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any

import structlog
from fastapi import APIRouter, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from fastapi_offline import FastAPIOffline
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from qingshan_core.events import new_trace_id
from qingshan_core.logging import get_logger
from qingshan_core.problems import http_problem, install_problem_handlers, install_problem_openapi

REQUESTS = Counter("qingshan_http_requests_total", "HTTP requests", ["method", "route", "status"])
LATENCY = Histogram("qingshan_http_request_seconds", "HTTP latency", ["method", "route"])
log = get_logger(__name__)

Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]
# Swagger UI and ReDoc assets, served by the service itself from the fastapi-offline package
# (no CDN: /docs works on a machine without internet).
DOCS_ASSETS = "/docs-assets"


def ops_router() -> APIRouter:
    """/healthz (alive), /readyz (the store reachable; the broker's state as a detail that
    never makes it 503: writes wait in the outbox while the broker is down), /metrics."""
    router = APIRouter(tags=["ops"])

    @router.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz", include_in_schema=False)
    async def readyz(request: Request) -> JSONResponse:
        runtime = getattr(request.app.state, "runtime", None)
        if runtime is None:
            return JSONResponse({"status": "starting"}, status_code=503)
        checks = await runtime.readiness()
        ok = all(checks.values())
        body: dict[str, Any] = {
            "status": "ready" if ok else "not ready",
            "checks": checks,
            **runtime.health_details(),
        }
        if runtime.notes:
            body["details"] = dict(runtime.notes)
        return JSONResponse(body, status_code=200 if ok else 503)

    @router.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        return PlainTextResponse(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router


def create_service_app(
    *,
    title: str,
    description: str,
    lifespan: Lifespan,
    routers: Sequence[APIRouter] = (),
    max_body_bytes: int = 1 << 20,
) -> FastAPI:
    """A FastAPI app with the shared ops endpoints, trace middleware and error handlers, and
    its API docs (/docs, /redoc) served from local assets."""
    app = FastAPIOffline(
        title=title,
        description=description,
        version="0.1.0",
        lifespan=lifespan,
        static_url=DOCS_ASSETS,
        # Swagger UI would send the schema to an online validator for its badge: never.
        swagger_ui_parameters={"validatorUrl": None},
    )
    app.include_router(ops_router())
    for r in routers:
        app.include_router(r)
    install_problem_handlers(app)
    install_problem_openapi(app)
    # Inside the trace middleware (added after it, so it wraps this one): its receive is the
    # one the route reads, so BodyTooLarge reaches FastAPI as itself, not in a task group.
    app.add_middleware(BodyLimit, max_bytes=max_body_bytes)

    @app.middleware("http")
    async def trace_and_measure(request: Request, call_next: Any) -> Response:
        trace_id = _trace_id(request)
        request.state.trace_id = trace_id
        structlog.contextvars.bind_contextvars(trace_id=trace_id)
        start = time.perf_counter()
        try:
            response: Response = await call_next(request)
        finally:
            structlog.contextvars.unbind_contextvars("trace_id")
        route = request.scope.get("route")
        path = getattr(route, "path", "unmatched")
        REQUESTS.labels(request.method, path, str(response.status_code)).inc()
        LATENCY.labels(request.method, path).observe(time.perf_counter() - start)
        response.headers["X-Trace-Id"] = trace_id
        return response

    return app


class BodyTooLarge(HTTPException):
    """413 for a request body over the service's limit (answered as problem details)."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(
            413, detail=f"请求体过大：超过{max_bytes}字节 / body larger than {max_bytes} bytes"
        )


class BodyLimit:
    """Counts the bytes a request body actually streams in, declared length or not (chunked).

    A declared Content-Length over the limit is answered 413 at once; otherwise reading the
    body fails with BodyTooLarge as soon as the count passes the limit, so a 20 MB chunked
    upload is cut off after the first megabyte, before the token or the body is looked at
    (FastAPI reads a route's body before it solves the route's dependencies)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            exc = BodyTooLarge(self.max_bytes)
            await http_problem(413, str(exc.detail), instance=scope.get("path"))(
                scope, receive, send
            )
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        await self.app(scope, counted, send)


def _trace_id(request: Request) -> str:
    """Continue the caller's W3C trace when it sent one, else start a new trace."""
    parts = request.headers.get("traceparent", "").split("-")
    if len(parts) == 4 and len(parts[1]) == 32:
        return parts[1]
    return new_trace_id()


async def no_lifespan(_: FastAPI) -> AsyncIterator[None]:
    yield
