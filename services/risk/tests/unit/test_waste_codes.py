"""危险废物代码 shape and categories."""

from __future__ import annotations

import pytest

from risk.domain.errors import ValidationError
from risk.domain.waste_codes import EXISTING_CATEGORIES, WasteCode, category_exists, parse_category

pytestmark = pytest.mark.unit


def test_existing_categories() -> None:
    assert len(EXISTING_CATEGORIES) == 46
    for n in range(1, 41):
        assert category_exists(f"HW{n:02d}")
    for n in range(45, 51):
        assert category_exists(f"HW{n:02d}")
    for n in (0, 41, 42, 43, 44, 51, 52, 99):
        assert not category_exists(f"HW{n:02d}")


def test_parts() -> None:
    code = WasteCode.parse(" 900-249-08 ")
    assert code.value == "900-249-08"
    assert (code.industry, code.sequence, code.category) == ("900", "249", "HW08")
    assert not code.is_medical
    assert WasteCode.parse("841-001-01").is_medical
    assert WasteCode.parse("900-000-08").is_identified_waste
    assert str(code) == "900-249-08"


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "900-249-8",
        "900249-08",
        "90-0249-08",
        "900-249-08-1",
        "900–249–08",  # en dashes
        "９００-２４９-０８",  # full-width digits
        "HW08",
        "900-2a9-08",
        " 900 - 249 - 08",
    ],
)
def test_malformed_codes(raw: str) -> None:
    with pytest.raises(ValidationError) as caught:
        WasteCode.parse(raw)
    assert "NNN-NNN-NN" in caught.value.reason_zh
    assert caught.value.field == "waste_code"


@pytest.mark.parametrize("category", ["00", "41", "42", "43", "44", "51", "77", "99"])
def test_non_existing_categories(category: str) -> None:
    with pytest.raises(ValidationError) as caught:
        WasteCode.parse(f"900-000-{category}")
    assert f"HW{category}" in caught.value.reason_zh
    assert "does not exist" in caught.value.reason_en


def test_field_name_is_passed_through() -> None:
    with pytest.raises(ValidationError) as caught:
        WasteCode.parse("x", field="lines.code")
    assert caught.value.field == "lines.code"


@pytest.mark.parametrize(
    ("raw", "expected"), [("HW08", "HW08"), ("hw8", "HW08"), (" HW50", "HW50")]
)
def test_parse_category(raw: str, expected: str) -> None:
    assert parse_category(raw) == expected


@pytest.mark.parametrize("raw", ["HW41", "HW44", "HW51", "HW00", "H08", "HW108", "08"])
def test_parse_category_refuses(raw: str) -> None:
    with pytest.raises(ValidationError):
        parse_category(raw)
