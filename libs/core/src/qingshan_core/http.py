"""The FastAPI side every service shares: health, readiness, metrics, trace ids, error shapes."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any

import structlog
from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from fastapi_offline import FastAPIOffline
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from pymongo.errors import ConnectionFailure, ServerSelectionTimeoutError

from qingshan_core.events import new_trace_id
from qingshan_core.logging import get_logger

REQUESTS = Counter("qingshan_http_requests_total", "HTTP requests", ["method", "route", "status"])
LATENCY = Histogram("qingshan_http_request_seconds", "HTTP latency", ["method", "route"])
log = get_logger(__name__)

Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]
# Swagger UI and ReDoc assets, served by the service itself from the fastapi-offline package
# (no CDN: /docs works on a machine without internet).
DOCS_ASSETS = "/docs-assets"


def _field_name(loc: Sequence[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or ".".join(str(p) for p in loc)


async def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"field": _field_name(e["loc"]), "loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]}
        for e in exc.errors()
    ]
    names = ", ".join(dict.fromkeys(e["field"] for e in errors))
    return JSONResponse(
        status_code=422,
        content={"detail": errors, "message": f"invalid request: {names} / 请求参数有误：{names}"},
    )


async def _store_down(_: Request, exc: Exception) -> JSONResponse:
    log.error("http.store_unavailable", error=repr(exc))
    return JSONResponse(
        status_code=503,
        content={"detail": "store unavailable, try again / 数据库暂不可用，请稍后重试"},
        headers={"Retry-After": "5"},
    )


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
        body: dict[str, Any] = {"status": "ready" if ok else "not ready", "checks": checks}
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
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(ServerSelectionTimeoutError, _store_down)
    app.add_exception_handler(ConnectionFailure, _store_down)

    @app.middleware("http")
    async def trace_and_measure(request: Request, call_next: Any) -> Response:
        length = request.headers.get("content-length", "")
        if length.isdigit() and int(length) > max_body_bytes:
            return JSONResponse(
                status_code=413,
                content={"detail": f"请求体过大 / body larger than {max_body_bytes} bytes"},
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
