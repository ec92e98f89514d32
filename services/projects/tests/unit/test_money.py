"""Exact money: parsing 万元, 亿元 conversion, half-up percentages."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from projects.domain.errors import InvalidValue
from projects.domain.money import (
    check_wan,
    format_yi,
    parse_wan,
    round_half_up,
    share_percent,
    wan_to_yi,
)

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5000", Decimal("5000")),
        (" 365 ", Decimal("365")),
        ("0", Decimal("0")),
        ("0.035", Decimal("0.035")),
        ("1234.5678", Decimal("1234.5678")),
        ("1,000,000", Decimal("1000000")),
        ("５０００", Decimal("5000")),  # full-width digits from a Chinese IME
        ("5000．5", Decimal("5000.5")),
    ],
)
def test_parse_wan_accepts_plain_decimals(text: str, expected: Decimal) -> None:
    value = parse_wan(text)
    assert value == expected
    assert isinstance(value, Decimal)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("-5", "negative"),
        ("abc", "not a number"),
        ("5千", "not a number"),
        ("1e3", "not a number"),
        ("NaN", "not a number"),
        ("Infinity", "not a number"),
        ("1,00", "not a number"),
        ("0.00001", "decimal places"),
    ],
)
def test_parse_wan_rejects_with_bilingual_reason(text: str, fragment: str) -> None:
    with pytest.raises(InvalidValue) as info:
        parse_wan(text)
    assert fragment in info.value.en
    assert info.value.zh  # a Chinese reason too


def test_check_wan_refuses_non_finite() -> None:
    with pytest.raises(InvalidValue):
        check_wan(Decimal("NaN"))
    with pytest.raises(InvalidValue):
        check_wan(Decimal("Infinity"))


def test_wan_to_yi_is_an_exact_shift() -> None:
    assert wan_to_yi(Decimal("1081905")) == Decimal("108.1905")
    assert wan_to_yi(Decimal("350")) == Decimal("0.035")
    assert wan_to_yi(Decimal("0.0001")) == Decimal("0.00000001")


@pytest.mark.parametrize(
    ("wan", "text"),
    [
        ("1081905", "108.1905"),
        ("436350", "43.6350"),
        ("350", "0.0350"),
        ("4250", "0.4250"),
        ("0", "0.0000"),
        ("0.5", "0.0001"),  # 0.00005 亿元 rounds half-up
        ("0.4999", "0.0000"),
    ],
)
def test_format_yi_prints_four_places_like_the_plan(wan: str, text: str) -> None:
    assert format_yi(Decimal(wan)) == text


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (Fraction(1, 8), 2, "0.13"),  # 0.125 → half up
        (Fraction(-1, 8), 2, "-0.13"),  # away from zero
        (Fraction(1, 3), 4, "0.3333"),
        (Fraction(2, 3), 4, "0.6667"),
        (Fraction(5, 2), 0, "3"),
        (Fraction(0), 2, "0.00"),
        (Fraction(-1, 1000), 2, "0.00"),  # no negative zero
    ],
)
def test_round_half_up_on_exact_fractions(value: Fraction, places: int, expected: str) -> None:
    assert str(round_half_up(value, places)) == expected


def test_share_percent_matches_the_preamble() -> None:
    total = Decimal("1081905")
    assert share_percent(Decimal("820855"), total) == Decimal("75.87")
    assert share_percent(Decimal("261050"), total) == Decimal("24.13")


def test_share_percent_of_nothing_is_zero() -> None:
    assert share_percent(Decimal(0), Decimal(0)) == Decimal("0.00")


def test_share_percent_rounds_exact_halves_up() -> None:
    # 1/8 = 12.5%: with 1 place it must be 12.5, with 0 places 13 (not banker's 12).
    assert share_percent(Decimal(1), Decimal(8), places=0) == Decimal("13")
    assert share_percent(Decimal(1), Decimal(8), places=1) == Decimal("12.5")
