"""The risk service's reference tables come with the package; without one it refuses to start."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from risk.config import PARK_CLUSTERS, SOIL_ENTERPRISES, WASTE_CATALOGUE_2021, Settings
from risk.domain.catalogue import catalogue_2021
from risk.domain.seeds import parse_park_clusters, parse_soil_key_enterprises

pytestmark = pytest.mark.unit


def test_the_packaged_tables_are_the_defaults_and_complete() -> None:
    s = Settings(environment="test")
    assert "package data" in s.reference(WASTE_CATALOGUE_2021).location
    entries = catalogue_2021(s.reference(WASTE_CATALOGUE_2021).read_text()).entries
    assert entries is not None and len(entries) == 467
    assert len(parse_soil_key_enterprises(s.reference(SOIL_ENTERPRISES).read_text())) == 10
    assert len(parse_park_clusters(s.reference(PARK_CLUSTERS).read_text())) == 4


def test_a_folder_or_a_file_setting_replaces_a_table(tmp_path: Path) -> None:
    folder = Settings(environment="test", seed_dir=tmp_path)
    assert folder.reference(PARK_CLUSTERS).location == str(tmp_path / PARK_CLUSTERS)
    one = Settings(environment="test", seed_dir=tmp_path, park_clusters_csv=tmp_path / "mine.csv")
    assert one.reference(PARK_CLUSTERS).location == str(tmp_path / "mine.csv")
    assert one.reference(SOIL_ENTERPRISES).location == str(tmp_path / SOIL_ENTERPRISES)


def _start(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """`python -m risk` as a deployment starts it (no store is reached before the tables)."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("QINGSHAN_RISK_")}
    ports = {
        "QINGSHAN_RISK_HTTP_PORT": "0",
        "QINGSHAN_RISK_GRPC_PORT": "0",
        "QINGSHAN_RISK_ENVIRONMENT": "test",
    }
    return subprocess.run(
        [sys.executable, "-m", "risk"],
        env=base | ports | env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_without_its_waste_catalogue_the_service_refuses_to_start(tmp_path: Path) -> None:
    missing = tmp_path / "gone" / WASTE_CATALOGUE_2021
    run = _start(tmp_path, QINGSHAN_RISK_WASTE_CATALOGUE_2021_CSV=str(missing))
    assert run.returncode != 0
    assert f"risk: refused to start: reference data {missing}" in run.stderr
    assert "startup.refused" in run.stdout + run.stderr


def test_a_broken_waste_catalogue_is_refused_naming_the_file(tmp_path: Path) -> None:
    broken = tmp_path / "codes.csv"
    broken.write_text("code,category\n841-001-01,HW01\n", encoding="utf-8")
    run = _start(tmp_path, QINGSHAN_RISK_WASTE_CATALOGUE_2021_CSV=str(broken))
    assert run.returncode != 0
    assert f"reference data {broken}:" in run.stderr
