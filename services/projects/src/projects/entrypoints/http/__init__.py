"""FastAPI routers of the projects service."""

from __future__ import annotations

from fastapi import APIRouter

from projects.entrypoints.http import changes, indicators, rollups, subitems, tables


def routers() -> list[APIRouter]:
    """Every router of the service, in the order the API docs list them."""
    return [
        tables.router,
        subitems.router,
        changes.router,
        rollups.router,
        indicators.router,
    ]
