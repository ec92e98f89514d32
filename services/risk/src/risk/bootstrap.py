"""Builds the risk service: settings → clients → handlers, all inside the lifespan."""

from __future__ import annotations

from fastapi import FastAPI

from qingshan_core.runtime import Runtime
from qingshan_core.service import build_app
from qingshan_core.settings import ServiceSettings
from risk.config import Settings

DESCRIPTION = (
    "环境风险源与危险废物 — risk sources, emergency plans, waste catalogue, licences, "
    "manifests, incidents"
)


async def wire(runtime: Runtime, app: FastAPI) -> None:
    """Declare this service's indexes, aggregates, consumers and gRPC servicers."""


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    """The risk service's ASGI app (settings are read when it starts, not at import)."""
    return build_app(
        title="qingshan risk",
        description=DESCRIPTION,
        settings=lambda: settings or Settings(),
        wire=wire,
    )
