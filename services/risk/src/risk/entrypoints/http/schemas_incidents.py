"""The facts an incident is graded by, as the API takes and shows them."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, Field

from risk.domain.incident_grading import (
    BorderReach,
    EcologicalDamage,
    IncidentFacts,
    IntakeLevel,
    SensitiveReceptor,
)


class FactsIn(BaseModel):
    """突发环境事件分级标准 and 报告办法 第五条 facts, as known so far (all optional)."""

    deaths: int = Field(default=0, ge=0, le=10_000_000)
    poisoned: int = Field(default=0, ge=0, le=10_000_000, description="中毒或重伤")
    evacuated: int = Field(default=0, ge=0, le=100_000_000, description="疏散、转移人员")
    economic_loss_wan: Decimal = Field(
        default=Decimal(0), ge=0, le=Decimal("1e12"), description="直接经济损失（万元）"
    )
    intake_interrupted: IntakeLevel | None = Field(
        default=None,
        description="集中式饮用水水源地取水中断：city 设区的市级以上 / county / township",
    )
    ecological: EcologicalDamage | None = None
    border: BorderReach | None = Field(
        default=None,
        description="影响（或可能影响）跨越的行政边界：national/provincial/prefecture/county",
    )
    sensitive: list[SensitiveReceptor] = Field(
        default_factory=list, description="居民聚居区 residential / 学校 school / 医院 hospital"
    )
    drinking_water: bool = False
    heavy_metals: bool = False
    mass_incident: bool = Field(default=False, description="群体性事件或社会影响较大")

    def to_domain(self) -> IncidentFacts:
        """The domain value."""
        return IncidentFacts(
            deaths=self.deaths,
            poisoned=self.poisoned,
            evacuated=self.evacuated,
            economic_loss_wan=self.economic_loss_wan,
            intake_interrupted=self.intake_interrupted,
            ecological=self.ecological,
            border=self.border,
            sensitive=frozenset(self.sensitive),
            drinking_water=self.drinking_water,
            heavy_metals=self.heavy_metals,
            mass_incident=self.mass_incident,
        )

    @classmethod
    def of(cls, f: IncidentFacts) -> FactsIn:
        """The API form of the domain value."""
        return cls(
            deaths=f.deaths,
            poisoned=f.poisoned,
            evacuated=f.evacuated,
            economic_loss_wan=f.economic_loss_wan,
            intake_interrupted=f.intake_interrupted,
            ecological=f.ecological,
            border=f.border,
            sensitive=sorted(f.sensitive),
            drinking_water=f.drinking_water,
            heavy_metals=f.heavy_metals,
            mass_incident=f.mass_incident,
        )
