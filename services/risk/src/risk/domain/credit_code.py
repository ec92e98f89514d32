"""统一社会信用代码 (GB 32100-2015): 18 characters ending in a mod-31 check character."""

from __future__ import annotations

import re
from dataclasses import dataclass

from risk.domain.errors import ValidationError

# GB 32100-2015 代码字符集: digits and upper-case letters without I, O, Z, S, V (easily confused).
CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
# Weights of positions 1–17 are 3^(i-1) mod 31, as tabulated in the standard.
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
LENGTH = 18
_VALUES = {c: i for i, c in enumerate(CHARSET)}
_DIVISION = re.compile(r"^[0-9]{6}$")

# Informational only (never used to refuse a code): the authority table has grown by amendment
# (A 军队, N 农业) and a code from a newer row must not be rejected by an old table.
REGISTRATION_AUTHORITIES = {
    "1": "机构编制",
    "2": "外交",
    "3": "司法行政",
    "4": "文化",
    "5": "民政",
    "6": "旅游",
    "7": "宗教",
    "8": "工会",
    "9": "工商（市场监管）",
    "A": "中央军委改革和编制办公室",
    "N": "农业",
    "Y": "其他",
}
ORGANISATION_TYPES = {
    "91": "企业",
    "92": "个体工商户",
    "93": "农民专业合作社",
    "11": "机关",
    "12": "事业单位",
    "51": "社会团体",
    "52": "民办非企业单位",
    "53": "基金会",
}

# GB 11714 organisation-code check (positions 9–17 of the credit code), informational.
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def check_character(first17: str) -> str:
    """The GB 32100 check character for the first 17 characters."""
    if len(first17) != LENGTH - 1 or any(c not in _VALUES for c in first17):
        raise ValidationError(
            "credit_code",
            "前17位须为代码字符集中的字符",
            "the first 17 characters must come from the code character set",
        )
    total = sum(_VALUES[c] * w for c, w in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def _org_check_ok(org: str) -> bool:
    def value(c: str) -> int:
        return int(c) if c.isdigit() else ord(c) - ord("A") + 10

    rest = 11 - sum(value(c) * w for c, w in zip(org[:8], _ORG_WEIGHTS, strict=True)) % 11
    expected = {10: "X", 11: "0"}.get(rest, str(rest))
    return org[8] == expected


@dataclass(frozen=True, slots=True)
class CreditCode:
    """A valid unified social credit code; build it with `CreditCode.parse`."""

    value: str

    @classmethod
    def parse(cls, raw: str) -> CreditCode:
        """Normalise (trim, upper-case) and validate; raises ValidationError with the reason."""
        code = raw.strip().upper()
        if len(code) != LENGTH:
            raise ValidationError(
                "credit_code",
                f"统一社会信用代码应为18位，实际{len(code)}位",
                "a unified social credit code has 18 characters",
            )
        bad = [(i + 1, c) for i, c in enumerate(code) if c not in _VALUES]
        if bad:
            pos, char = bad[0]
            raise ValidationError(
                "credit_code",
                f"第{pos}位“{char}”不在代码字符集中（不含I、O、S、V、Z）",
                f"character {char!r} at position {pos} is not allowed (I, O, S, V, Z never occur)",
            )
        if not _DIVISION.match(code[2:8]):
            raise ValidationError(
                "credit_code",
                "第3–8位登记管理机关行政区划码应为6位数字",
                "positions 3–8 (administrative division code) must be digits",
            )
        expected = check_character(code[:17])
        if code[17] != expected:
            raise ValidationError(
                "credit_code",
                f"校验码错误：第18位应为“{expected}”，实际为“{code[17]}”",
                f"check character mismatch: expected {expected!r}, got {code[17]!r}",
            )
        return cls(code)

    @property
    def registration_authority(self) -> str | None:
        """登记管理部门 (position 1), when the code is in the known table."""
        return REGISTRATION_AUTHORITIES.get(self.value[0])

    @property
    def organisation_type(self) -> str | None:
        """机构类别 (positions 1–2), when known."""
        return ORGANISATION_TYPES.get(self.value[:2])

    @property
    def division_code(self) -> str:
        """登记管理机关行政区划码 (positions 3–8, GB/T 2260)."""
        return self.value[2:8]

    @property
    def organisation_code(self) -> str:
        """主体标识码 / 组织机构代码 (positions 9–17)."""
        return self.value[8:17]

    @property
    def organisation_code_check_ok(self) -> bool:
        """Whether positions 9–17 also pass the GB 11714 check (not required by GB 32100)."""
        return _org_check_ok(self.organisation_code)

    def __str__(self) -> str:
        return self.value


def is_valid_credit_code(raw: str) -> bool:
    """True when `raw` parses as a unified social credit code."""
    try:
        CreditCode.parse(raw)
    except ValidationError:
        return False
    return True


def make_credit_code(first17: str) -> CreditCode:
    """Complete 17 characters with their check character (for fixtures and data entry aids)."""
    return CreditCode.parse(first17 + check_character(first17.upper()))
