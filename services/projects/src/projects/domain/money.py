"""Exact money in 万元: parsing, 亿元 conversion and half-up percentages, never via float."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from projects.domain.errors import InvalidValue

WAN_PER_YI = 10_000
# 1 元 = 0.0001 万元: finer amounts are keying errors, not money the plan tracks.
MAX_PLACES = 4
ZERO = Decimal(0)

_PLAIN = re.compile(r"^-?\d+(?:\.\d+)?$")
_GROUPED = re.compile(r"^-?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")


def parse_wan(text: str, *, what: str = "投资额") -> Decimal:
    """Parse a non-negative amount of 万元 with at most 4 decimals; InvalidValue otherwise."""
    # NFKC folds full-width digits and points (５０００．５) typed with a Chinese IME.
    s = unicodedata.normalize("NFKC", text).strip().replace(" ", "")
    if _GROUPED.match(s):
        s = s.replace(",", "")
    if not s:
        raise InvalidValue(f"{what}为空", f"{what} is empty")
    if not _PLAIN.match(s):
        raise InvalidValue(f"{what}不是数字：{text!r}", f"{what} is not a number: {text!r}")
    try:
        value = Decimal(s)
    except InvalidOperation as exc:  # pragma: no cover - the regex admits only decimals
        raise InvalidValue(f"{what}不是数字", f"{what} is not a number") from exc
    return check_wan(value, what=what)


def check_wan(value: Decimal, *, what: str = "投资额") -> Decimal:
    """Return `value` if it is a finite, non-negative amount with at most 4 decimals."""
    if not value.is_finite():
        raise InvalidValue(f"{what}不是有限数", f"{what} is not finite")
    if value < 0:
        raise InvalidValue(f"{what}不能为负数：{value}", f"{what} must not be negative: {value}")
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -MAX_PLACES:
        raise InvalidValue(
            f"{what}小数位超过{MAX_PLACES}位（1元）：{value}",
            f"{what} has more than {MAX_PLACES} decimal places (1 yuan): {value}",
        )
    return value


def wan_to_yi(wan: Decimal) -> Decimal:
    """万元 → 亿元, exact (a decimal shift, no division)."""
    return wan.scaleb(-4)


def format_yi(wan: Decimal, places: int = 4) -> str:
    """亿元 as the plan prints it, e.g. 1081905 万元 → '108.1905'."""
    return str(round_half_up(Fraction(wan_to_yi(wan)), places))


def round_half_up(value: Fraction, places: int) -> Decimal:
    """Round an exact fraction half-up (away from zero) to `places` decimals."""
    scale = 10**places
    scaled = abs(value) * scale
    # floor(x + 1/2) on the exact rational: no binary or 28-digit context rounding on the way.
    units = (scaled.numerator * 2 + scaled.denominator) // (scaled.denominator * 2)
    sign = "-" if value < 0 and units else ""
    digits = str(units).rjust(places + 1, "0")
    if places == 0:
        return Decimal(f"{sign}{digits}")
    return Decimal(f"{sign}{digits[:-places]}.{digits[-places:]}")


def share_percent(part: Decimal, total: Decimal, places: int = 2) -> Decimal:
    """part ÷ total × 100, rounded half-up; 0 when the total is 0."""
    if total == 0:
        return round_half_up(Fraction(0), places)
    return round_half_up(Fraction(part) / Fraction(total) * 100, places)
