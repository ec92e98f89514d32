"""Builds the complaints service: settings → clients → handlers, all inside the lifespan."""

from __future__ import annotations

from fastapi import FastAPI

from complaints.config import Settings
from qingshan_core.runtime import Runtime
from qingshan_core.service import build_app
from qingshan_core.settings import ServiceSettings

DESCRIPTION = "信访投诉 — 12345/12369 complaint intake, assignment, deadlines, 督办 and rates"


async def wire(runtime: Runtime, app: FastAPI) -> None:
    """Declare this service's indexes, aggregates, consumers and gRPC servicers."""


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    """The complaints service's ASGI app (settings are read when it starts, not at import)."""
    return build_app(
        title="qingshan complaints",
        description=DESCRIPTION,
        settings=lambda: settings or Settings(),
        wire=wire,
    )
