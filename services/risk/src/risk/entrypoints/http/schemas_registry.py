"""Request/response models of the registry (separate from the domain objects)."""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, Field, PlainSerializer, WithJsonSchema

from risk.domain.enterprises import Enterprise
from risk.domain.grading_label import MediumResult
from risk.service_layer.grading_input import GradingSpec, MediumSpec, SubstanceSpec

Dec = Annotated[str, Field(pattern=r"^[0-9]+(\.[0-9]+)?$", examples=["12.5"])]
DECIMAL_TEXT = r"^-?[0-9]+(\.[0-9]+)?$"


def _coordinate(value: Any) -> Any:
    """A JSON number, or (as before) a decimal string, to the exact decimal it was written as."""
    if isinstance(value, bool):
        raise ValueError("坐标应为数字 / a coordinate is a number")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("坐标应为有限数字 / a coordinate is a finite number")
        return Decimal(repr(value))  # the shortest text that reads back as this number
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, str) and not re.fullmatch(DECIMAL_TEXT, value):
        raise ValueError("坐标应为十进制数 / a coordinate is a decimal number")
    return value


# WGS 84 degrees: a JSON number in and out; a decimal string is still accepted on input.
Coordinate = Annotated[
    Decimal,
    BeforeValidator(_coordinate),
    PlainSerializer(float, return_type=float, when_used="json"),
    WithJsonSchema(
        {
            "anyOf": [{"type": "number"}, {"type": "string", "pattern": DECIMAL_TEXT}],
            "examples": [107.1],
        },
        mode="validation",
    ),
    WithJsonSchema({"type": "number", "examples": [107.1]}, mode="serialization"),
]


class Location(BaseModel):
    """WGS 84 longitude and latitude in degrees, JSON numbers (RFC 7946 order)."""

    lon: Coordinate
    lat: Coordinate


class RiskSourceCreate(BaseModel):
    """Register an enterprise (risk source)."""

    name: str = Field(min_length=1, max_length=200)
    credit_code: str | None = Field(default=None, examples=["91500119MA5YE0009X"])
    park_cluster: str | None = None
    lists: list[str] = Field(default_factory=list)
    location: Location | None = None
    address: str | None = None
    industry: str | None = None


class RiskSourceUpdate(BaseModel):
    """Change profile fields; only the fields sent are changed."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    credit_code: str | None = None
    park_cluster: str | None = None
    lists: list[str] | None = None
    location: Location | None = None
    address: str | None = None
    industry: str | None = None


class MediumGradeRead(BaseModel):
    """One medium's result."""

    medium: str
    level: str
    q: str
    m: str | None
    e: str | None


class GradingRead(BaseModel):
    """The latest HJ 941 grading."""

    level: str
    level_en: str
    label: str
    colour: str
    combined: str
    upgraded: bool
    penalised: bool
    air: MediumGradeRead
    water: MediumGradeRead
    graded_at: datetime | None
    rules_version: int = 0  # the HJ 941 configuration version used


class RiskSourceRead(BaseModel):
    """A registered enterprise."""

    id: str
    name: str
    credit_code: str | None
    park_cluster: str | None
    lists: list[str]
    location: Location | None
    address: str | None
    industry: str | None
    grading: GradingRead | None


class RiskSourceList(BaseModel):
    """A page of risk sources."""

    items: list[RiskSourceRead]
    total: int


class SubstanceIn(BaseModel):
    """q (maximum on site) and Q (critical quantity, 附录A), tonnes, exact decimals."""

    name: str
    max_amount_t: Dec
    critical_quantity_t: Dec
    share: Dec = "1"


class MediumIn(BaseModel):
    """Give each class directly (q_class/m_class/e_class) or the inputs it comes from."""

    q_class: str | None = Field(default=None, examples=["Q1"])
    q_value: Dec | None = None
    substances: list[SubstanceIn] = Field(default_factory=list)
    m_class: str | None = Field(default=None, examples=["M1"])
    measures: dict[str, str] | None = None
    e_class: str | None = Field(default=None, examples=["E2"])
    population_5km: int | None = Field(default=None, ge=0)
    population_500m: int | None = Field(default=None, ge=0)
    special_protection: bool = False
    receptors: list[str] | None = None
    crosses_national_border: bool = False
    crosses_provincial_border: bool = False

    def spec(self) -> MediumSpec:
        """The service-layer input."""
        return MediumSpec(
            q_class=self.q_class,
            q_value=None if self.q_value is None else _d(self.q_value),
            substances=tuple(
                SubstanceSpec(s.name, _d(s.max_amount_t), _d(s.critical_quantity_t), _d(s.share))
                for s in self.substances
            ),
            m_class=self.m_class,
            measures=self.measures,
            e_class=self.e_class,
            population_5km=self.population_5km,
            population_500m=self.population_500m,
            special_protection=self.special_protection,
            receptors=None if self.receptors is None else tuple(self.receptors),
            crosses_national_border=self.crosses_national_border,
            crosses_provincial_border=self.crosses_provincial_border,
        )


def _d(text: str) -> Decimal:
    return Decimal(text)


class GradingCreate(BaseModel):
    """An HJ 941-2018 assessment of both media."""

    air: MediumIn
    water: MediumIn
    process_units: list[str] = Field(default_factory=list, examples=[["hazardous"]])
    penalty_dates: list[date] = Field(default_factory=list)
    assessed_on: date | None = None

    def spec(self) -> GradingSpec:
        """The service-layer input."""
        return GradingSpec(
            air=self.air.spec(),
            water=self.water.spec(),
            process_units=tuple(self.process_units),
            penalty_dates=tuple(self.penalty_dates),
            assessed_on=self.assessed_on,
        )


def read_source(e: Enterprise) -> RiskSourceRead:
    """The response body of an enterprise."""
    g = e.grading
    grading = None
    if g is not None:
        grading = GradingRead(
            level=g.level.value,
            level_en=g.level.english,
            label=g.label,
            colour=g.colour,
            combined=g.combined.value,
            upgraded=g.upgraded,
            penalised=g.penalised,
            air=_medium(g.air),
            water=_medium(g.water),
            rules_version=g.rules_version,
            graded_at=e.graded_at,
        )
    return RiskSourceRead(
        id=e.source_id,
        name=e.name,
        credit_code=e.credit_code.value if e.credit_code else None,
        park_cluster=e.park_cluster,
        lists=sorted(e.lists),
        location=Location(lon=e.location.lon, lat=e.location.lat) if e.location else None,
        address=e.address,
        industry=e.industry,
        grading=grading,
    )


def _medium(m: MediumResult) -> MediumGradeRead:
    return MediumGradeRead(
        medium=m.medium.value,
        level=m.level.value,
        q=m.q.value,
        m=m.m.value if m.m else None,
        e=m.e.value if m.e else None,
    )
