"""The plan's tables at start: a table that cannot be loaded stops the start naming it; a start
without the seed on purpose says so in /readyz."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from qingshan_core.reference import ReferenceDataMissing

pytestmark = pytest.mark.integration


async def test_a_missing_reserve_table_stops_the_start(
    service_factory: Callable[..., Any], tmp_path: Path
) -> None:
    missing = tmp_path / "reserve.csv"
    with pytest.raises(ReferenceDataMissing) as err:
        async with service_factory(seed=True, seed_reserve_csv=missing):
            pytest.fail("the service started without the plan's reserve")
    assert err.value.location == str(missing)


async def test_a_refused_indicators_table_stops_the_start_naming_it(
    service_factory: Callable[..., Any], tmp_path: Path
) -> None:
    broken = tmp_path / "indicators.csv"
    broken.write_text("no,category\n1,环境质量改善\n", encoding="utf-8")
    with pytest.raises(ReferenceDataMissing) as err:
        async with service_factory(seed=True, seed_indicators_csv=broken):
            pytest.fail("the service started on a table it refused")
    assert err.value.location == str(broken) and "problem(s)" in err.value.reason


async def test_an_unseeded_start_says_so_in_readyz(service_factory: Callable[..., Any]) -> None:
    async with service_factory(seed=False) as svc:
        r = await svc.client.get("/readyz")
        assert r.status_code == 200, r.text
        assert "seed_on_start is off" in r.json()["details"]["seed"]
    async with service_factory(seed=True) as svc:
        assert "details" not in (await svc.client.get("/readyz")).json()
