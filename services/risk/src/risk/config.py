"""Settings of the risk service (environment variables prefixed QINGSHAN_RISK_)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from qingshan_core.settings import ServiceSettings


def default_seed_dir() -> Path:
    """`<workspace>/../shared/seed-data`: the workspace root is the directory whose
    pyproject.toml declares [tool.uv.workspace] (found from this file, not the cwd)."""
    for parent in Path(__file__).resolve().parents:
        pyproject = parent / "pyproject.toml"
        if pyproject.is_file() and "[tool.uv.workspace]" in pyproject.read_text("utf-8"):
            return parent.parent / "shared" / "seed-data"
    return Path("shared") / "seed-data"


class Settings(ServiceSettings):
    """Every field can be set as QINGSHAN_RISK_<FIELD>, e.g. QINGSHAN_RISK_MONGO_URI."""

    model_config = SettingsConfigDict(env_prefix="QINGSHAN_RISK_", extra="ignore")

    service_name: str = "risk"
    http_port: int = 8003
    grpc_port: int = 50053

    seed_dir: Path = Field(default_factory=default_seed_dir)
    # Each file defaults to its name inside seed_dir.
    waste_catalogue_2021_csv: Path | None = None
    soil_enterprises_csv: Path | None = None
    park_clusters_csv: Path | None = None
    seed_on_start: bool = True

    sweep_interval_seconds: float = Field(default=60.0, gt=0)
    sweep_batch: int = Field(default=200, gt=0)
    # How often a replica reads the rule configuration documents again (admins change them).
    rules_refresh_seconds: float = Field(default=30.0, gt=0)

    # Rules (DOMAIN.md rules table); the HJ 941 numbers live in risk.domain.grading_rules.
    manifest_confirm_working_days: int = Field(default=5, ge=1)
    licence_expiry_warning_days: int = Field(default=90, ge=0)
    producer_storage_limit_years: int | None = Field(default=None, ge=1)
    plan_filing_working_days: int = Field(default=20, ge=1)
    plan_review_years: int = Field(default=3, ge=1)
    river_neighbours: dict[str, list[str]] = Field(default_factory=lambda: {"大溪河": ["武隆区"]})

    def seed_file(self, name: str, override: Path | None) -> Path:
        """A seed file: the explicit setting, else `seed_dir/name`."""
        return override or self.seed_dir / name
