"""Assembles a service process: settings → logging → runtime → the service's own wiring.

Each service's bootstrap gives a settings factory and a `wire(runtime, app)` coroutine that
declares its indexes, aggregate collections, consumers and gRPC servicers. Everything happens
inside the FastAPI lifespan, never at import time.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager

import uvicorn
import uvloop
from fastapi import APIRouter, FastAPI

from qingshan_core.http import create_service_app
from qingshan_core.logging import configure_logging, get_logger
from qingshan_core.ratelimit import RequestLimiter
from qingshan_core.reference import ReferenceDataMissing
from qingshan_core.runtime import Runtime
from qingshan_core.settings import ServiceSettings

Wire = Callable[[Runtime, FastAPI], Awaitable[None]]
log = get_logger(__name__)


def build_app(
    *,
    title: str,
    description: str,
    settings: Callable[[], ServiceSettings],
    wire: Wire,
    routers: Sequence[APIRouter] = (),
    max_body_bytes: int = 1 << 20,
) -> FastAPI:
    """A service's FastAPI app whose lifespan starts (and stops) all of its running parts."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        s = settings()
        configure_logging(s.service_name, s.log_level, s.log_json)
        runtime = Runtime(s)
        app.state.settings = s
        app.state.token_verifier = runtime.token_verifier
        app.state.rate_limiter = RequestLimiter.from_settings(s)
        try:
            await wire(runtime, app)
        except ReferenceDataMissing as exc:
            # Refuse to start: `serve` exits non-zero with this reason.
            log.error("startup.refused", file=exc.location, reason=exc.reason)
            app.state.startup_refused = str(exc)
            await runtime.stop()  # nothing started yet: closes the clients wire() created
            raise
        await runtime.start()
        app.state.runtime = runtime
        try:
            yield
        finally:
            await runtime.stop()

    return create_service_app(
        title=title,
        description=description,
        lifespan=lifespan,
        routers=routers,
        max_body_bytes=max_body_bytes,
    )


def serve(app_factory: Callable[[ServiceSettings], FastAPI], settings: ServiceSettings) -> None:
    """Run one service process (HTTP via uvicorn; gRPC and loops start in the lifespan)."""
    app = app_factory(settings)
    config = uvicorn.Config(
        app,
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=10,
        http="httptools",
    )
    # uvloop: the same asyncio API with a libuv loop; the store driver, the broker client and
    # the HTTP server all spend much of their time in the loop's machinery.
    server = uvicorn.Server(config)
    try:
        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            runner.run(server.serve())
    finally:  # uvicorn exits (status 3) when the lifespan fails; say why in one plain line
        refused = getattr(app.state, "startup_refused", None)
        if refused:
            print(f"{settings.service_name}: refused to start: {refused}", file=sys.stderr)
    if not server.started:  # never report success for a start that did not happen
        sys.exit(3)
