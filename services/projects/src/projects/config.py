"""Settings of the projects service (environment variables prefixed QINGSHAN_PROJECTS_)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from projects.domain.progress import Frequency
from qingshan_core.reference import ReferenceTable
from qingshan_core.settings import ServiceSettings

RESERVE_TABLE = "reserve_projects.csv"
INDICATORS_TABLE = "plan_indicators_2025.csv"


class Settings(ServiceSettings):
    """Every field can be set as QINGSHAN_PROJECTS_<FIELD>, e.g. QINGSHAN_PROJECTS_MONGO_URI."""

    model_config = SettingsConfigDict(env_prefix="QINGSHAN_PROJECTS_", extra="ignore")

    service_name: str = "projects"
    http_port: int = 8002
    grpc_port: int = 50052
    # The plan's tables (src/projects/data, SOURCE.md there), loaded at start into an empty
    # store; a path replaces the package's copy. A table that cannot be loaded stops the start.
    seed_reserve_csv: Path | None = None
    seed_indicators_csv: Path | None = None
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

    @property
    def reserve_table(self) -> ReferenceTable:
        return ReferenceTable("projects", RESERVE_TABLE, self.seed_reserve_csv)

    @property
    def indicators_table(self) -> ReferenceTable:
        return ReferenceTable("projects", INDICATORS_TABLE, self.seed_indicators_csv)
