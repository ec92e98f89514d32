"""Settings of the projects service (environment variables prefixed QINGSHAN_PROJECTS_)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from projects.domain.progress import Frequency
from qingshan_core.settings import ServiceSettings


def _repo_root() -> Path:
    """The repository holding this package (the directory with uv.lock), else the cwd."""
    for parent in Path(__file__).resolve().parents:
        if (parent / "uv.lock").is_file():
            return parent
    return Path.cwd()


def default_seed_dir() -> Path:
    """`<repo>/../shared/seed-data`, where the plan's tables live beside the repository."""
    return _repo_root().parent / "shared" / "seed-data"


class Settings(ServiceSettings):
    """Every field can be set as QINGSHAN_PROJECTS_<FIELD>, e.g. QINGSHAN_PROJECTS_MONGO_URI."""

    model_config = SettingsConfigDict(env_prefix="QINGSHAN_PROJECTS_", extra="ignore")

    service_name: str = "projects"
    http_port: int = 8002
    grpc_port: int = 50052
    # Loaded at start when the reserve is empty; a missing file is skipped with a warning.
    seed_reserve_csv: Path | None = Field(
        default_factory=lambda: default_seed_dir() / "reserve_projects.csv"
    )
    seed_indicators_csv: Path | None = Field(
        default_factory=lambda: default_seed_dir() / "plan_indicators_2025.csv"
    )
    seed_on_start: bool = True
    # Progress dispatch (调度): how often sub-items in 实施 report and how long a report may lag.
    report_frequency: Frequency = Frequency.MONTHLY
    report_grace_days: int = Field(default=10, ge=0)
    dispatch_interval_seconds: float = Field(default=3600.0, gt=0)
    dispatch_first_delay_seconds: float = Field(default=30.0, ge=0)
    # Roll-ups and listings read an in-process snapshot refreshed this often (0: always read
    # the store). FerretDB scans whole collections for any query; see adapters/row_cache.py.
    rows_cache_seconds: float = Field(default=30.0, ge=0)
    import_max_bytes: int = Field(default=10 * 1024 * 1024, gt=0)
