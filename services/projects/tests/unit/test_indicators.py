"""The plan's 18 indicators (专栏2): parsing, baselines, targets and explicit directions."""

from __future__ import annotations

from decimal import Decimal

import pytest

from projects.domain.errors import InvalidValue
from projects.domain.indicators import (
    Direction,
    Indicator,
    IndicatorKind,
    derive_direction,
    parse_baseline,
    parse_indicators,
    parse_target,
)
from projects.domain.table_import import ImportRejected

pytestmark = pytest.mark.unit

H, L = Direction.HIGHER_IS_BETTER, Direction.LOWER_IS_BETTER
# no → (direction, binding?, baseline, cumulative baseline?, target or None if pending)
EXPECTED = {
    1: (H, True, "354", False, "330"),
    2: (L, True, "26", False, "30"),
    3: (H, True, "100", False, "100"),
    4: (H, True, "100", False, "100"),
    5: (H, True, "21.6", True, None),
    6: (H, True, "7.0", True, None),
    7: (H, True, "7.7", True, None),
    8: (H, True, "9.5", True, None),
    9: (H, True, None, False, "95"),
    10: (H, False, None, False, "95"),
    11: (H, True, "100", False, "100"),
    12: (H, True, "100", False, "100"),
    13: (H, True, "55.2", False, "58"),
    14: (H, True, "22.81", False, None),
    15: (H, False, "39.5", False, "40"),
    16: (H, False, "12.96", False, "15"),
    17: (H, True, "20.5", True, None),
    18: (L, True, "0.668", False, "0.65"),
}


@pytest.fixture(scope="module")
def indicators(indicators_csv: bytes) -> dict[int, Indicator]:
    parsed = parse_indicators(indicators_csv)
    assert not isinstance(parsed, ImportRejected), parsed
    return {i.no: i for i in parsed}


def test_all_18_indicators(indicators: dict[int, Indicator]) -> None:
    assert sorted(indicators) == list(range(1, 19))
    assert sum(i.kind is IndicatorKind.BINDING for i in indicators.values()) == 15
    assert indicators[2].name == "细颗粒物（PM2.5）年均浓度" and indicators[2].unit == "微克/立方米"
    assert indicators[1].note == "2020 value inflated by COVID-19 effects"


@pytest.mark.parametrize("no", sorted(EXPECTED))
def test_each_indicator(indicators: dict[int, Indicator], no: int) -> None:
    direction, binding, baseline, cumulative, target = EXPECTED[no]
    ind = indicators[no]
    assert ind.direction is direction, ind.direction_basis
    assert ind.direction_basis  # why, kept as data
    assert (ind.kind is IndicatorKind.BINDING) is binding
    assert ind.baseline.value == (Decimal(baseline) if baseline else None)
    assert ind.baseline.cumulative is cumulative
    assert ind.target.value == (Decimal(target) if target else None)
    assert ind.target.pending is (target is None)


def test_target_forms() -> None:
    assert parse_target("≥330").comparator == "≥"
    assert parse_target(">=330").comparator == "≥"
    assert parse_target("＞＝330").value == Decimal(330)  # full-width, typed with an IME
    assert parse_target("≤35").comparator == "≤"
    assert parse_target("不低于95").value == Decimal(95)
    assert parse_target("不高于0.65").comparator == "≤"
    assert parse_target("由市级下达").pending
    assert parse_target("以国务院最终审批面积为准").pending
    for bad in ["", "约30", "abc"]:
        with pytest.raises(InvalidValue):
            parse_target(bad)


def test_baseline_forms() -> None:
    assert parse_baseline("【21.6】").cumulative
    assert parse_baseline("[7.0]").value == Decimal("7.0")
    assert parse_baseline("－").value is None and parse_baseline("").value is None
    with pytest.raises(InvalidValue):
        parse_baseline("约350")


def test_comparator_beats_wording() -> None:
    direction, basis = derive_direction("某浓度", parse_target("≥10"))
    assert direction is H and "≥" in basis


def test_undecidable_direction_is_refused() -> None:
    with pytest.raises(InvalidValue, match="cannot derive"):
        derive_direction("区域评估指数", parse_target("80"))


def test_meets_respects_direction(indicators: dict[int, Indicator]) -> None:
    pm25, days = indicators[2], indicators[1]
    assert pm25.meets(Decimal(30), Decimal(30)) and not pm25.meets(Decimal("30.1"), Decimal(30))
    assert days.meets(Decimal(330), Decimal(330)) and not days.meets(Decimal(329), Decimal(330))


HEADER = "no,category,name,unit,kind,value_2020,target_2025,note"


def _parse(*lines: str, header: str = HEADER) -> object:
    return parse_indicators(("\n".join([header, *lines]) + "\n").encode())


def test_explicit_direction_column_wins() -> None:
    parsed = _parse("1,c,区域评估指数,分,binding,70,80,,lower", header=HEADER + ",direction")
    assert isinstance(parsed, tuple)
    assert parsed[0].direction is L and "explicit" in parsed[0].direction_basis


def test_bad_indicator_file_lists_every_problem() -> None:
    parsed = _parse(
        "x,c,森林覆盖率,%,binding,55,58,",
        "2,c,,%,binding,55,58,",
        "3,c,森林覆盖率,%,mandatory,55,58,",
        "4,c,森林覆盖率,%,binding,abc,58,",
        "5,c,区域评估指数,分,binding,70,80,",
        "6,c,森林覆盖率,%,binding,55,58,",
        "6,c,森林覆盖率,%,binding,55,58,",
    )
    assert isinstance(parsed, ImportRejected)
    assert [(i.row, i.column) for i in parsed.issues] == [
        (2, "no"),
        (3, "name"),
        (4, "kind"),
        (5, "value_2020"),
        (6, "direction"),
        (8, "no"),
    ]


def test_missing_columns_and_empty_files() -> None:
    parsed = _parse("1,c,n,%,binding,1,2", header="no,category,name,unit,kind,value_2020,target")
    assert isinstance(parsed, ImportRejected) and parsed.issues[0].column == "target_2025"
    assert isinstance(_parse(), ImportRejected)
    assert isinstance(parse_indicators(b"\xff\xfe"), ImportRejected)
