"""The browser journeys assign cases to handling units: the units the console's demo people
belong to are registered in complaints' registry first (as `make run`'s bureau has them)."""

from __future__ import annotations

import httpx
import pytest

from console.units import KNOWN

from .console_pages import complaints, token


@pytest.fixture(scope="session")
def registered_units(_stack_session: None) -> None:
    """Every unit of the console's demo table in the registry (409: registered already)."""
    headers = {"Authorization": f"Bearer {token('admin')}"}
    with httpx.Client(base_url=complaints(), headers=headers, timeout=30) as c:
        for u in KNOWN:
            r = c.post("/v1/units", json={"id": u.id, "name": u.name, "kind": u.kind})
            assert r.status_code in (201, 409), r.text


@pytest.fixture(autouse=True)
def _units(request: pytest.FixtureRequest) -> None:
    """The console's journeys (not the /docs pages) need the registry."""
    if "live_stack" in request.fixturenames:
        request.getfixturevalue("registered_units")
