"""Settings of the risk service (environment variables prefixed QINGSHAN_RISK_)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from qingshan_core.reference import ReferenceTable
from qingshan_core.settings import ServiceSettings

WASTE_CATALOGUE_2021 = "hazardous_waste_codes_2021.csv"
SOIL_ENTERPRISES = "soil_key_supervised_enterprises.csv"
PARK_CLUSTERS = "industrial_park_clusters.csv"


class Settings(ServiceSettings):
    """Every field can be set as QINGSHAN_RISK_<FIELD>, e.g. QINGSHAN_RISK_MONGO_URI."""

    model_config = SettingsConfigDict(env_prefix="QINGSHAN_RISK_", extra="ignore")

    service_name: str = "risk"
    http_port: int = 8003
    grpc_port: int = 50053

    # Reference tables (src/risk/data, SOURCE.md there): the package's own copies, unless
    # seed_dir names a folder of replacements or a file setting names one table's replacement.
    seed_dir: Path | None = None
    waste_catalogue_2021_csv: Path | None = None
    soil_enterprises_csv: Path | None = None
    park_clusters_csv: Path | None = None
    seed_on_start: bool = True

    sweep_interval_seconds: float = Field(default=60.0, gt=0)
    sweep_batch: int = Field(default=200, gt=0)
    # How often a replica reads the rule configuration documents again (admins change them).
    rules_refresh_seconds: float = Field(default=30.0, gt=0)

    # Rules (docs/deadlines.md); the HJ 941 numbers live in risk.domain.grading_rules.
    manifest_confirm_working_days: int = Field(default=5, ge=1)
    licence_expiry_warning_days: int = Field(default=90, ge=0)
    producer_storage_limit_years: int | None = Field(default=None, ge=1)
    plan_filing_working_days: int = Field(default=20, ge=1)
    plan_review_years: int = Field(default=3, ge=1)
    river_neighbours: dict[str, list[str]] = Field(default_factory=lambda: {"大溪河": ["武隆区"]})

    # The risk map for the public (role public): off by default (403); when on, a layer of
    # counts per grid cell, without names, credit codes or exact positions.
    public_map_enabled: bool = False
    public_map_cell_degrees: float = Field(default=0.05, gt=0, le=1)

    def reference(self, name: str) -> ReferenceTable:
        """A reference table: its file setting, else `seed_dir/name`, else the package's copy."""
        override = {
            WASTE_CATALOGUE_2021: self.waste_catalogue_2021_csv,
            SOIL_ENTERPRISES: self.soil_enterprises_csv,
            PARK_CLUSTERS: self.park_clusters_csv,
        }.get(name)
        if override is None and self.seed_dir is not None:
            override = self.seed_dir / name
        return ReferenceTable("risk", name, override)
