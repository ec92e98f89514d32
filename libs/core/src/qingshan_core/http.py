"""The FastAPI side every service shares: health, readiness, metrics, trace ids, problem details."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any

import structlog
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest

from qingshan_core.events import new_trace_id
from qingshan_core.logging import get_logger
from qingshan_core.problems import http_problem, install_problem_handlers, install_problem_openapi

REQUESTS = Counter("qingshan_http_requests_total", "HTTP requests", ["method", "route", "status"])
LATENCY = Histogram("qingshan_http_request_seconds", "HTTP latency", ["method", "route"])
log = get_logger(__name__)

Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]


def ops_router() -> APIRouter:
    """/healthz (alive), /readyz (store and broker reachable), /metrics (Prometheus)."""
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
        return JSONResponse(
            {"status": "ready" if ok else "not ready", "checks": checks},
            status_code=200 if ok else 503,
        )

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
    """A FastAPI app with the shared ops endpoints, trace middleware and error handlers."""
    app = FastAPI(title=title, description=description, version="0.1.0", lifespan=lifespan)
    app.include_router(ops_router())
    for r in routers:
        app.include_router(r)
    install_problem_handlers(app)
    install_problem_openapi(app)

    @app.middleware("http")
    async def trace_and_measure(request: Request, call_next: Any) -> Response:
        length = request.headers.get("content-length", "")
        if length.isdigit() and int(length) > max_body_bytes:
            return http_problem(
                413,
                f"请求体超过{max_body_bytes}字节 / body larger than {max_body_bytes} bytes",
                instance=request.url.path,
            )
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


def _trace_id(request: Request) -> str:
    """Continue the caller's W3C trace when it sent one, else start a new trace."""
    parts = request.headers.get("traceparent", "").split("-")
    if len(parts) == 4 and len(parts[1]) == 32:
        return parts[1]
    return new_trace_id()


async def no_lifespan(_: FastAPI) -> AsyncIterator[None]:
    yield
