"""Value objects: fields, implementation years, source class, lead units, funding mix."""

from __future__ import annotations

from decimal import Decimal

import pytest

from projects.domain.errors import InvalidValue
from projects.domain.values import (
    PLAN_FIELDS,
    FundingMix,
    SourceClass,
    YearSpan,
    classify_source,
    join_lead_units,
    parse_field,
    parse_years,
    split_lead_units,
)

pytestmark = pytest.mark.unit


def test_plan_has_six_fields_with_stable_codes() -> None:
    assert [f.code for f in PLAN_FIELDS] == ["F1", "F2", "F3", "F4", "F5", "F6"]
    assert PLAN_FIELDS[0].label == "一、绿色发展促进工程"
    assert PLAN_FIELDS[5].label == "六、生态环境保护能力提升工程"


@pytest.mark.parametrize(
    "text", ["一、绿色发展促进工程", "绿色发展促进工程", "F1", " 一、绿色发展促进工程 "]
)
def test_parse_field_accepts_label_name_or_code(text: str) -> None:
    assert parse_field(text) is PLAN_FIELDS[0]


def test_parse_field_rejects_unknown_field() -> None:
    with pytest.raises(InvalidValue, match="unknown field"):
        parse_field("七、太空环境保护工程")


def test_parse_field_rejects_mismatched_numeral() -> None:
    with pytest.raises(InvalidValue, match="numeral does not match"):
        parse_field("二、绿色发展促进工程")


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2021-2025", 2021, 2025),
        ("2021-2022", 2021, 2022),
        ("2025", 2025, 2025),
        ("2021", 2021, 2021),
        ("2021—2025", 2021, 2025),
        ("2021–2025", 2021, 2025),
        ("2021~2025", 2021, 2025),
        ("2021～2025", 2021, 2025),
        ("2021－2025", 2021, 2025),
        ("2021至2025", 2021, 2025),
        ("2021年-2025年", 2021, 2025),
        ("2025年", 2025, 2025),
        ("2025年度", 2025, 2025),
        ("２０２１-２０２５", 2021, 2025),
        (" 2021 - 2025 ", 2021, 2025),
        ("2023-2023", 2023, 2023),
    ],
)
def test_parse_years_forms(text: str, start: int, end: int) -> None:
    assert parse_years(text) == YearSpan(start, end)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("2025-2021", "start year after end year"),
        ("1999", "out of range"),
        ("2021-2100", "out of range"),
        ("", "unrecognised"),
        ("21-25", "unrecognised"),
        ("十四五期间", "unrecognised"),
        ("2021/2025", "unrecognised"),
    ],
)
def test_parse_years_rejects(text: str, fragment: str) -> None:
    with pytest.raises(InvalidValue, match=fragment):
        parse_years(text)


def test_year_span_behaviour() -> None:
    span = YearSpan(2021, 2023)
    assert list(span.years) == [2021, 2022, 2023]
    assert span.spans_several
    assert 2022 in span and 2024 not in span and "2022" not in span
    assert str(span) == "2021-2023"
    single = YearSpan(2025, 2025)
    assert str(single) == "2025" and not single.spans_several


@pytest.mark.parametrize(
    ("source", "cls"),
    [
        ("策划项目", SourceClass.PLANNED),
        ("区发展改革委策划项目", SourceClass.PLANNED),
        ("气象局策划", SourceClass.PLANNED),
        ("区发展改革委", SourceClass.DISTRICT_CONFIRMED),
        ("区项目库", SourceClass.DISTRICT_CONFIRMED),
        ("已立项", SourceClass.DISTRICT_CONFIRMED),
        ("农村生活污水治理专项规划", SourceClass.DISTRICT_CONFIRMED),
        ("环评已有项目", SourceClass.DISTRICT_CONFIRMED),
    ],
)
def test_classify_source(source: str, cls: SourceClass) -> None:
    assert classify_source(source) is cls


def test_source_class_labels() -> None:
    assert SourceClass.DISTRICT_CONFIRMED.zh == "区级已初步确定"
    assert SourceClass.PLANNED.zh == "本规划策划"


@pytest.mark.parametrize(
    ("text", "units"),
    [
        ("区生态环境局", ("区生态环境局",)),
        ("区经济信息委、区生态环境局", ("区经济信息委", "区生态环境局")),
        ("区林业局、区发展改革委、区生态环境局", ("区林业局", "区发展改革委", "区生态环境局")),
        ("区林业局，区水利局", ("区林业局", "区水利局")),
        ("区林业局; 区水利局", ("区林业局", "区水利局")),
    ],
)
def test_split_lead_units(text: str, units: tuple[str, ...]) -> None:
    assert split_lead_units(text) == units


@pytest.mark.parametrize(
    ("text", "fragment"),
    [("", "empty"), ("  ", "empty"), ("区林业局、", "empty lead unit"), ("、区林业局", "empty"),
     ("区林业局、区林业局", "repeated")],
)  # fmt: skip
def test_split_lead_units_rejects(text: str, fragment: str) -> None:
    with pytest.raises(InvalidValue, match=fragment):
        split_lead_units(text)


def test_join_lead_units_uses_the_plan_separator() -> None:
    assert join_lead_units(("区林业局", "区水利局")) == "区林业局、区水利局"


def test_funding_mix_total_and_limit() -> None:
    mix = FundingMix(Decimal(100), Decimal(50), Decimal(25), Decimal("0.5"))
    assert mix.total == Decimal("175.5")
    mix.check_within(Decimal("175.5"))  # equal is fine
    with pytest.raises(InvalidValue, match="exceeds the investment"):
        mix.check_within(Decimal(175))


def test_funding_mix_refuses_negative_parts() -> None:
    with pytest.raises(InvalidValue, match="negative"):
        FundingMix(social=Decimal(-1))
