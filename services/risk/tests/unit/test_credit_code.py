"""统一社会信用代码 (GB 32100-2015)."""

from __future__ import annotations

import pytest

from risk.domain.credit_code import (
    CHARSET,
    WEIGHTS,
    CreditCode,
    check_character,
    is_valid_credit_code,
    make_credit_code,
)
from risk.domain.errors import ValidationError

pytestmark = pytest.mark.unit

# Real, published codes; their check characters were recomputed with the algorithm.
REAL_CODES = [
    "91350100M000100Y43",  # the example printed in GB 32100-2015
    "914403001922038216",  # 华为技术有限公司
    "91440300708461136T",  # 深圳市腾讯计算机系统有限公司
    "91330100716105852F",  # 阿里巴巴（中国）有限公司
    "91110000802100433B",
]


def test_charset_is_the_31_characters_of_the_standard() -> None:
    assert len(CHARSET) == 31
    assert not set("IOSVZ") & set(CHARSET)
    assert CHARSET == "0123456789ABCDEFGHJKLMNPQRTUWXY"


def test_weights_are_the_tabulated_ones() -> None:
    assert WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


@pytest.mark.parametrize("code", REAL_CODES)
def test_real_codes_are_valid(code: str) -> None:
    parsed = CreditCode.parse(code)
    assert parsed.value == code
    assert is_valid_credit_code(code)


def test_parts_are_exposed() -> None:
    code = CreditCode.parse("91350100M000100Y43")
    assert code.registration_authority == "工商（市场监管）"
    assert code.organisation_type == "企业"
    assert code.division_code == "350100"
    assert code.organisation_code == "M000100Y4"
    assert code.organisation_code_check_ok
    assert str(code) == "91350100M000100Y43"


def test_unknown_authority_is_informational_only() -> None:
    code = make_credit_code("Q2500119MA5U1234X")
    assert code.registration_authority is None
    assert code.organisation_type is None


def test_input_is_trimmed_and_upper_cased() -> None:
    assert CreditCode.parse("  91330100716105852f ").value == "91330100716105852F"


def test_check_character_zero_when_sum_is_a_multiple_of_31() -> None:
    # Search a body whose weighted sum is ≡ 0 (mod 31): the check character is then "0", not
    # CHARSET[31].
    for n in range(31):
        body = f"915001190000000{CHARSET[n]}0"
        if check_character(body) == "0":
            assert CreditCode.parse(body + "0")
            break
    else:  # pragma: no cover - the loop covers all 31 residues of position 16
        pytest.fail("no body with check character 0")


@pytest.mark.parametrize("code", REAL_CODES)
def test_every_single_character_change_is_caught(code: str) -> None:
    # Mod 31 with weights coprime to 31 catches every single substitution.
    for position in range(18):
        for char in CHARSET:
            if char == code[position]:
                continue
            broken = code[:position] + char + code[position + 1 :]
            if position in range(2, 8) and not char.isdigit():
                continue  # refused for the division code anyway
            assert not is_valid_credit_code(broken), broken


def test_adjacent_transposition_is_caught() -> None:
    code = "914403001922038216"
    for i in range(16):
        if code[i] != code[i + 1]:
            swapped = code[:i] + code[i + 1] + code[i] + code[i + 2 :]
            assert not is_valid_credit_code(swapped), swapped


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("", "18位"),
        ("91350100M000100Y4", "18位"),
        ("91350100M000100Y433", "18位"),
        ("91350100M000100I43", "第16位“I”"),
        ("91350100M00O100Y43", "第12位“O”"),
        ("91350100M000100Y4S", "第18位“S”"),
        ("913501Z0M000100Y43", "第7位“Z”"),
        ("9135A100M000100Y43", "行政区划码"),
        ("91350100M000100Y44", "校验码错误"),
    ],
)
def test_broken_codes_say_why(raw: str, fragment: str) -> None:
    with pytest.raises(ValidationError) as caught:
        CreditCode.parse(raw)
    assert caught.value.field == "credit_code"
    assert fragment in caught.value.reason_zh
    assert caught.value.reason_en


def test_check_mismatch_names_the_expected_character() -> None:
    with pytest.raises(ValidationError) as caught:
        CreditCode.parse("91350100M000100Y44")
    assert "应为“3”" in caught.value.reason_zh
    assert "expected '3'" in caught.value.reason_en


def test_make_credit_code_completes_a_body() -> None:
    assert make_credit_code("91350100M000100Y4").value == "91350100M000100Y43"


def test_check_character_refuses_bad_bodies() -> None:
    with pytest.raises(ValidationError):
        check_character("123")
    with pytest.raises(ValidationError):
        check_character("9135010OM000100Y4")


def test_org_code_check_is_reported_not_enforced() -> None:
    # A valid credit code whose positions 9–17 fail GB 11714 is still a valid credit code.
    code = make_credit_code("9250011900000000A")
    assert not code.organisation_code_check_ok
