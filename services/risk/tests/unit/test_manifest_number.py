"""转移联单编号."""

from __future__ import annotations

import pytest

from risk.domain.errors import ValidationError
from risk.domain.manifest_number import PROVINCE_CODES, ManifestNumber

pytestmark = pytest.mark.unit


def test_parts() -> None:
    number = ManifestNumber.parse(" 20245001000123 ")
    assert number.value == "20245001000123"
    assert (number.year, number.province, number.city, number.serial) == (
        2024,
        "50",
        "01",
        "000123",
    )
    assert str(number) == "20245001000123"


def test_province_list_is_gb_t_2260() -> None:
    assert len(PROVINCE_CODES) == 34
    assert {"11", "50", "65", "71", "81", "82"} <= PROVINCE_CODES


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("", "14位"),
        ("2024500100012", "14位"),
        ("202450010001234", "14位"),
        ("2024500100012A", "14位"),
        ("２０２４５００１０００１２３", "14位"),
        ("2024-50-01-000123", "14位"),
        ("19995001000123", "年份"),
        ("21005001000123", "年份"),
        ("20242001000123", "省级"),
        ("20249901000123", "省级"),
        ("20245000000123", "市级"),
        ("20245001000000", "流水号"),
    ],
)
def test_invalid_numbers(raw: str, fragment: str) -> None:
    with pytest.raises(ValidationError) as caught:
        ManifestNumber.parse(raw)
    assert caught.value.field == "manifest_number"
    assert fragment in caught.value.reason_zh


def test_numbers_order() -> None:
    assert ManifestNumber.parse("20245001000001") < ManifestNumber.parse("20245001000002")
