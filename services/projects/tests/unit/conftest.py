"""Fixtures for the projects domain tests: the plan's seed data and a few ready-made rows."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from projects.config import Settings
from projects.domain.errors import LOCAL_TZ
from projects.domain.row import ReserveRow, project_id, subitem_id
from projects.domain.table_files import import_csv
from projects.domain.table_import import ImportAccepted
from projects.domain.values import PLAN_FIELDS, YearSpan

# The plan's appendix preamble and field headings, word for word (tests/data/SOURCE.md).
PLAN_EXCERPT = Path(__file__).resolve().parents[1] / "data" / "plan_reserve_excerpt.txt"


@pytest.fixture(scope="session")
def seed_csv() -> bytes:
    return Settings(environment="test").reserve_table.read_bytes()


@pytest.fixture(scope="session")
def seed_rows(seed_csv: bytes) -> tuple[ReserveRow, ...]:
    result = import_csv(seed_csv)
    assert isinstance(result, ImportAccepted), result
    return result.rows


@pytest.fixture(scope="session")
def indicators_csv() -> bytes:
    return Settings(environment="test").indicators_table.read_bytes()


@pytest.fixture(scope="session")
def plan_text() -> str:
    return PLAN_EXCERPT.read_text(encoding="utf-8")


def _at(day: str, time: str = "09:00") -> datetime:
    """An aware instant in Beijing time (the bureau's calendar)."""
    return datetime.fromisoformat(f"{day}T{time}").replace(tzinfo=LOCAL_TZ)


def _make_row(
    *,
    no: int = 1,
    field_ordinal: int = 2,
    project: str = "水环境质量提升工程",
    name: str = "饮用水源保护项目",
    investment: str = "365",
    years: tuple[int, int] = (2021, 2023),
    lead_units: tuple[str, ...] = ("区生态环境局",),
    source: str = "正在实施项目",
    ordinal: int = 1,
    **extra: object,
) -> ReserveRow:
    field = PLAN_FIELDS[field_ordinal - 1]
    pid = project_id(field, project)
    return ReserveRow(
        subitem_id=subitem_id(pid, name, ordinal),
        project_id=pid,
        no=no,
        field=field,
        project=project,
        name=name,
        content="完成城镇集中式饮用水源地规范化建设。",
        investment_wan=Decimal(investment),
        years=YearSpan(*years),
        lead_units=lead_units,
        source=source,
        **extra,  # type: ignore[arg-type]
    )


AtFn = Callable[..., datetime]
RowFn = Callable[..., ReserveRow]


@pytest.fixture
def at() -> AtFn:
    """at('2025-03-01') → 2025-03-01 09:00 Beijing; at(day, '23:30') for another time."""
    return _at


@pytest.fixture
def make_row() -> RowFn:
    """A sub-item row (default: plan row 20, 饮用水源保护项目); keywords override."""
    return _make_row
