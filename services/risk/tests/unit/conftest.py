"""Fixtures for the risk domain's unit tests: seed data, catalogues, a test calendar."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from importlib.resources import files
from importlib.resources.abc import Traversable
from zoneinfo import ZoneInfo

import pytest

from risk.domain.catalogue import CATALOGUE_2025_PLACEHOLDER, WasteCatalogue, catalogue_2021
from risk.domain.catalogue_check import WasteCatalogues

CST = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="session")
def seed_dir() -> Traversable:
    """The service's reference tables, as packaged (src/risk/data)."""
    path = files("risk") / "data"
    assert path.is_dir(), path
    return path


@pytest.fixture(scope="session")
def waste_csv(seed_dir: Traversable) -> str:
    return (seed_dir / "hazardous_waste_codes_2021.csv").read_text("utf-8")


@pytest.fixture(scope="session")
def list_2021(waste_csv: str) -> WasteCatalogue:
    return catalogue_2021(waste_csv)


@pytest.fixture(scope="session")
def catalogues(list_2021: WasteCatalogue) -> WasteCatalogues:
    return WasteCatalogues([list_2021, CATALOGUE_2025_PLACEHOLDER])


def weekdays_deadline(start: datetime, working_days: int) -> datetime:
    """Test calendar: Monday–Friday only, same clock time `working_days` working days later."""
    current = start
    left = working_days
    while left > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            left -= 1
    return current


@pytest.fixture
def calendar() -> Callable[[datetime, int], datetime]:
    return weekdays_deadline


@pytest.fixture
def at() -> Callable[..., datetime]:
    """at(2024, 3, 1, 9) → an aware Beijing time."""

    def make(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
        return datetime(year, month, day, hour, minute, tzinfo=CST)

    return make
