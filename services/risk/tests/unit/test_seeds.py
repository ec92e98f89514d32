"""Seed parsing: 专栏7 soil-key enterprises and the park clusters."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from importlib.resources.abc import Traversable

import pytest

from risk.domain.credit_code import make_credit_code
from risk.domain.enterprises import Enterprise
from risk.domain.errors import ValidationError
from risk.domain.events import RiskGraded
from risk.domain.grading import MediumInput, grade_enterprise
from risk.domain.grading_types import EClass, MClass, QClass
from risk.domain.seeds import ParkRiskLevel, parse_park_clusters, parse_soil_key_enterprises

pytestmark = pytest.mark.unit


def test_soil_key_enterprises(seed_dir: Traversable) -> None:
    entries = parse_soil_key_enterprises(
        (seed_dir / "soil_key_supervised_enterprises.csv").read_text("utf-8")
    )
    assert len(entries) == 10
    assert [e.no for e in entries] == list(range(1, 11))
    assert entries[0].name == "重庆市南川区先锋氧化铝有限公司"
    assert entries[-1].name == "重庆市南川区水江氧化铝有限公司"
    assert {e.list_name for e in entries} == {"土壤污染防治重点监控企业（专栏7）"}


def test_park_clusters(seed_dir: Traversable) -> None:
    clusters = parse_park_clusters((seed_dir / "industrial_park_clusters.csv").read_text("utf-8"))
    assert [(c.name, c.risk_level) for c in clusters] == [
        ("龙岩组团", ParkRiskLevel.SLIGHT),
        ("大观组团", ParkRiskLevel.MINOR),
        ("南平组团", ParkRiskLevel.GENERAL),
        ("水江组团", ParkRiskLevel.MAJOR),
    ]
    assert clusters[3].main_industries == ("化工", "能源", "材料")
    assert [c.risk_level.rank for c in clusters] == [0, 1, 2, 3]


SOIL_HEADER = "no,name,list\n"
PARK_HEADER = "cluster,main_industries,environmental_risk_level,risk_level_en\n"


@pytest.mark.parametrize(
    "text",
    [
        "id,name,list\n1,a,b\n",
        SOIL_HEADER + "2,a,b\n",
        SOIL_HEADER + "1,a,b\n3,c,b\n",
        SOIL_HEADER + "1,a,b\n2,a,b\n",
        SOIL_HEADER + "1,,b\n",
        SOIL_HEADER + "１,a,b\n",
    ],
)
def test_bad_soil_lists(text: str) -> None:
    with pytest.raises(ValidationError):
        parse_soil_key_enterprises(text)


@pytest.mark.parametrize(
    "text",
    [
        PARK_HEADER + "甲组团,化工,很大,major\n",
        PARK_HEADER + "甲组团,化工,较大,general\n",
        PARK_HEADER + "甲组团,化工,较大,major\n甲组团,能源,一般,general\n",
        PARK_HEADER + "甲组团,,较大,major\n",
        "cluster,level\n甲,较大\n",
    ],
)
def test_bad_park_lists(text: str) -> None:
    with pytest.raises(ValidationError):
        parse_park_clusters(text)


def test_bom_is_ignored() -> None:
    assert len(parse_soil_key_enterprises("\ufeff" + SOIL_HEADER + "1,a,b\n")) == 1


def test_enterprise_from_seed_and_grading(
    seed_dir: Traversable, at: Callable[..., datetime]
) -> None:
    entry = parse_soil_key_enterprises(
        (seed_dir / "soil_key_supervised_enterprises.csv").read_text("utf-8")
    )[0]
    enterprise = Enterprise.from_soil_seed(entry)
    assert enterprise.lists == {"土壤污染防治重点监控企业（专栏7）"}
    result = grade_enterprise(
        MediumInput(QClass.Q1, MClass.M1, EClass.E2), MediumInput(QClass.Q2, MClass.M1, EClass.E1)
    )
    with pytest.raises(ValidationError):
        enterprise.record_grading(result, at(2024, 1, 1))
    enterprise.assign_credit_code(make_credit_code("91500119MA5YE0009"), at(2024, 1, 1))
    enterprise.record_grading(result, at(2024, 1, 2), by="检查员")
    event = enterprise.events[-1]
    assert isinstance(event, RiskGraded)
    assert event.label == "较大[一般-大气(Q1-M1-E2)+较大-水(Q2-M1-E1)]"
    assert event.level == "较大" and not event.upgraded
    assert enterprise.grading is result
    assert [h.action for h in enterprise.history] == ["assign_credit_code", "grade"]


def test_enterprise_needs_a_name() -> None:
    with pytest.raises(ValidationError):
        Enterprise(name=" ")
