"""Builds the projects service: settings → clients → handlers, all inside the lifespan."""

from __future__ import annotations

from fastapi import FastAPI

from projects.config import Settings
from qingshan_core.runtime import Runtime
from qingshan_core.service import build_app
from qingshan_core.settings import ServiceSettings

DESCRIPTION = (
    "项目储备库 — the rolling project reserve, progress dispatch, roll-ups and the plan indicators"
)


async def wire(runtime: Runtime, app: FastAPI) -> None:
    """Declare this service's indexes, aggregates, consumers and gRPC servicers."""


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    """The projects service's ASGI app (settings are read when it starts, not at import)."""
    return build_app(
        title="qingshan projects",
        description=DESCRIPTION,
        settings=lambda: settings or Settings(),
        wire=wire,
    )
