"""Reference tables: the package's own copy or an override file; a table that cannot be read is
an error naming it, and a service whose wiring hits one refuses to start."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import FastAPI

from qingshan_core.reference import ReferenceDataMissing, ReferenceTable
from qingshan_core.runtime import Runtime
from qingshan_core.service import build_app
from qingshan_core.settings import ServiceSettings

pytestmark = pytest.mark.unit


def test_an_override_file_is_read_instead_of_the_package_copy(tmp_path: Path) -> None:
    table = tmp_path / "codes.csv"
    table.write_bytes("\ufeffcode\n841-001-01\n".encode())
    ref = ReferenceTable("qingshan_core", "codes.csv", table)
    assert ref.read_text() == "code\n841-001-01\n"  # a byte-order mark is dropped
    assert ref.location == str(table)


def test_a_missing_table_names_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "codes.csv"
    with pytest.raises(ReferenceDataMissing) as err:
        ReferenceTable("qingshan_core", "codes.csv", missing).read_bytes()
    assert err.value.location == str(missing) and str(missing) in str(err.value)
    with pytest.raises(ReferenceDataMissing) as packaged:
        ReferenceTable("qingshan_core", "codes.csv").read_text()
    assert "qingshan_core/data/codes.csv (package data)" in str(packaged.value)


def test_a_table_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    table = tmp_path / "gbk.csv"
    table.write_bytes("代码".encode("gbk"))
    with pytest.raises(ReferenceDataMissing, match="not UTF-8"):
        ReferenceTable("qingshan_core", "gbk.csv", table).read_text()


async def test_a_wiring_that_cannot_load_its_data_stops_the_start(tmp_path: Path) -> None:
    missing = tmp_path / "codes.csv"
    started = []

    async def wire(runtime: Runtime, app: FastAPI) -> None:
        ReferenceTable("qingshan_core", "codes.csv", missing).read_bytes()
        started.append(True)

    app = build_app(
        title="t",
        description="t",
        settings=lambda: ServiceSettings(service_name="t", log_json=False, environment="test"),
        wire=wire,
    )
    with pytest.raises(ReferenceDataMissing):
        async with app.router.lifespan_context(app):
            pytest.fail("the app started without its reference data")
    assert started == [] and str(missing) in app.state.startup_refused
    assert not hasattr(app.state, "runtime")
