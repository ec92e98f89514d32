"""The versioned 国家危险废物名录 and validate(code, on_date)."""

from __future__ import annotations

from datetime import date

import pytest

from risk.domain.catalogue import (
    CATALOGUE_2025_PLACEHOLDER,
    CSV_COLUMNS,
    Hazard,
    WasteCatalogue,
    diff_catalogues,
    loaded_versions,
    parse_catalogue_csv,
)
from risk.domain.catalogue_check import CodeStatus, WasteCatalogues
from risk.domain.errors import ValidationError
from risk.domain.waste_codes import EXISTING_CATEGORIES, WasteCode

pytestmark = pytest.mark.unit

# Per-category counts of the 2021 list, as docs/codes.md states them.
REFERENCE_COUNTS = dict(
    item.split(":")
    for item in (  # noqa: SIM905 - pasted verbatim from docs/codes.md
        "HW01:5 HW02:20 HW03:1 HW04:13 HW05:7 HW06:6 HW07:6 HW08:32 HW09:3 HW10:4 HW11:85 "
        "HW12:20 HW13:8 HW14:1 HW15:4 HW16:8 HW17:21 HW18:4 HW19:1 HW20:1 HW21:13 HW22:4 "
        "HW23:4 HW24:1 HW25:1 HW26:1 HW27:2 HW28:1 HW29:22 HW30:1 HW31:6 HW32:1 HW33:5 "
        "HW34:19 HW35:12 HW36:9 HW37:4 HW38:7 HW39:2 HW40:1 HW45:8 HW46:3 HW47:2 HW48:33 "
        "HW49:11 HW50:44"
    ).split()
)
HEADER = ",".join(CSV_COLUMNS)
D2024, D2025 = date(2024, 6, 1), date(2025, 1, 1)


def test_seed_has_467_codes(list_2021: WasteCatalogue) -> None:
    assert list_2021.entries is not None
    assert len(list_2021.entries) == 467
    assert list_2021.version == "2021" and list_2021.effective_from == date(2021, 1, 1)


def test_seed_categories_are_hw01_40_and_hw45_50(list_2021: WasteCatalogue) -> None:
    categories = set(list_2021.category_counts())
    assert categories == set(EXISTING_CATEGORIES)
    assert categories == {f"HW{n:02d}" for n in [*range(1, 41), *range(45, 51)]}


def test_seed_counts_per_category_match_the_reference(list_2021: WasteCatalogue) -> None:
    assert {k: str(v) for k, v in list_2021.category_counts().items()} == REFERENCE_COUNTS
    assert sum(int(v) for v in REFERENCE_COUNTS.values()) == 467


def test_seed_rows(list_2021: WasteCatalogue) -> None:
    entry = list_2021.get(WasteCode.parse("841-004-01"))
    assert entry is not None
    assert entry.category_name == "医疗废物"
    assert entry.hazards == (
        Hazard.TOXICITY,
        Hazard.CORROSIVITY,
        Hazard.IGNITABILITY,
        Hazard.REACTIVITY,
    )
    assert list_2021.category_names()["HW08"] == "废矿物油与含矿物油废物"
    assert len(list_2021.category_names()) == 46


def test_placeholder_2025_is_described_but_not_loaded() -> None:
    assert not CATALOGUE_2025_PLACEHOLDER.loaded
    assert CATALOGUE_2025_PLACEHOLDER.effective_from == date(2025, 1, 1)
    assert CATALOGUE_2025_PLACEHOLDER.expected_count == 470
    assert CATALOGUE_2025_PLACEHOLDER.get(WasteCode.parse("841-001-01")) is None
    assert CATALOGUE_2025_PLACEHOLDER.category_counts() == {}


def test_in_force_by_date(catalogues: WasteCatalogues) -> None:
    assert catalogues.in_force(date(2020, 12, 31)) is None
    in_2021 = catalogues.in_force(date(2021, 1, 1))
    assert in_2021 is not None and in_2021.version == "2021"
    last_2024 = catalogues.in_force(date(2024, 12, 31))
    assert last_2024 is not None and last_2024.version == "2021"
    first_2025 = catalogues.in_force(D2025)
    assert first_2025 is not None and first_2025.version == "2025"
    assert loaded_versions(catalogues.versions) == ["2021"]


@pytest.mark.parametrize("on", [D2024, D2025, date(2026, 3, 1)])
def test_listed_code_is_accepted(catalogues: WasteCatalogues, on: date) -> None:
    check = catalogues.validate("900-249-08", on)
    assert check.status is CodeStatus.ACCEPTED and check.accepted
    assert check.entry is not None and check.entry.category == "HW08"
    assert check.checked_against == "2021"
    assert check.require().value == "900-249-08"


def test_after_2025_the_fallback_is_explained(catalogues: WasteCatalogues) -> None:
    check = catalogues.validate("900-249-08", D2025)
    assert check.in_force == "2025"
    assert "未加载" in check.reason_zh and "not loaded" in check.reason_en


def test_unlisted_code_before_2025_is_refused(catalogues: WasteCatalogues) -> None:
    check = catalogues.validate("321-035-48", date(2024, 12, 31))
    assert check.status is CodeStatus.REFUSED and not check.accepted
    assert check.code is not None  # well-formed, just not listed
    with pytest.raises(ValidationError) as caught:
        check.require("lines.code")
    assert caught.value.field == "lines.code"


@pytest.mark.parametrize("on", [D2025, date(2025, 7, 1), date(2030, 1, 1)])
def test_unlisted_code_from_2025_is_accepted_with_warning(
    catalogues: WasteCatalogues, on: date
) -> None:
    # Could be one of the four new tin-smelting codes or the split code of the 2025 list.
    check = catalogues.validate("321-035-48", on)
    assert check.status is CodeStatus.ACCEPTED_WITH_WARNING
    assert check.accepted and check.entry is None
    assert check.in_force == "2025" and check.checked_against == "2021"
    assert "人工核对" in check.reason_zh and "warning" in check.reason_en


@pytest.mark.parametrize("on", [D2024, D2025])
@pytest.mark.parametrize("raw", ["900-249-41", "900-249-44", "900-249-51", "900-000-99"])
def test_non_existing_category_is_always_refused(
    catalogues: WasteCatalogues, raw: str, on: date
) -> None:
    check = catalogues.validate(raw, on)
    assert check.status is CodeStatus.REFUSED and check.code is None


@pytest.mark.parametrize("on", [D2024, D2025])
@pytest.mark.parametrize("raw", ["90024908", "900-249-8", "HW08", ""])
def test_malformed_is_always_refused(catalogues: WasteCatalogues, raw: str, on: date) -> None:
    check = catalogues.validate(raw, on)
    assert check.status is CodeStatus.REFUSED
    with pytest.raises(ValidationError):
        check.require()


def test_before_any_list_is_refused(catalogues: WasteCatalogues) -> None:
    check = catalogues.validate("900-249-08", date(2020, 6, 1))
    assert check.status is CodeStatus.REFUSED
    assert check.in_force is None


@pytest.mark.parametrize("on", [D2024, D2025])
def test_identified_waste_code_is_accepted(catalogues: WasteCatalogues, on: date) -> None:
    check = catalogues.validate("900-000-34", on)
    assert check.status is CodeStatus.ACCEPTED
    assert "900-000" in check.reason_zh


def test_every_seed_code_is_accepted_in_2024(
    catalogues: WasteCatalogues, list_2021: WasteCatalogue
) -> None:
    assert list_2021.entries is not None
    for code in list_2021.entries:
        assert catalogues.validate(code, D2024).status is CodeStatus.ACCEPTED


def _fake_2025(list_2021: WasteCatalogue) -> WasteCatalogue:
    # A stand-in with the announced shape (−2 +5), only to exercise loading a later version.
    assert list_2021.entries is not None
    rows = [HEADER]
    removed = {"321-002-48", "321-003-48"}
    for code, e in list_2021.entries.items():
        if code not in removed:
            hazards = "/".join(h.value for h in e.hazards)
            rows.append(f"{code},{e.category},{e.category_name},{e.industry_code},{hazards}")
    for n in range(35, 40):
        rows.append(f"321-0{n}-48,HW48,有色金属采选和冶炼废物,321,T")
    return parse_catalogue_csv(
        "\n".join(rows),
        version="2025",
        title="国家危险废物名录（2025年版）",
        order="部令第36号",
        effective_from=D2025,
        expected_count=470,
    )


def test_loading_a_later_list_makes_it_strict(
    catalogues: WasteCatalogues, list_2021: WasteCatalogue
) -> None:
    later = _fake_2025(list_2021)
    loaded = catalogues.with_version(later)
    assert [c.version for c in loaded.versions] == ["2021", "2025"]
    assert loaded.validate("321-035-48", D2025).status is CodeStatus.ACCEPTED
    assert loaded.validate("321-040-48", D2025).status is CodeStatus.REFUSED
    assert loaded.validate("321-002-48", D2025).status is CodeStatus.REFUSED
    assert loaded.validate("321-002-48", D2024).status is CodeStatus.ACCEPTED
    diff = diff_catalogues(list_2021, later)
    assert len(diff.added) == 5 and len(diff.removed) == 2


def test_diff_needs_both_tables(list_2021: WasteCatalogue) -> None:
    with pytest.raises(ValidationError):
        diff_catalogues(list_2021, CATALOGUE_2025_PLACEHOLDER)


def test_two_versions_on_one_date_are_refused(list_2021: WasteCatalogue) -> None:
    with pytest.raises(ValidationError):
        WasteCatalogues([list_2021, list_2021])


def _parse(text: str, expected: int | None = None) -> WasteCatalogue:
    return parse_catalogue_csv(
        text, version="t", title="测试", order="-", effective_from=D2024, expected_count=expected
    )


def test_bom_is_ignored() -> None:
    catalogue = _parse("\ufeff" + HEADER + "\n900-249-08,HW08,废矿物油与含矿物油废物,900,T/I\n")
    assert catalogue.entries is not None and list(catalogue.entries) == ["900-249-08"]


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ("900-249-8,HW08,x,900,T", "line 2"),
        ("900-249-41,HW41,x,900,T", "does not exist"),
        ("900-249-08,HW09,x,900,T", "category does not match"),
        ("900-249-08,HW08,x,901,T", "industry code"),
        ("900-249-08,HW08,,900,T", "category name"),
        ("900-249-08,HW08,x,900,X", "hazards"),
        ("900-249-08,HW08,x,900,T\n900-249-08,HW08,x,900,T", "line 3: duplicate"),
    ],
)
def test_bad_rows_are_refused_with_the_line(body: str, fragment: str) -> None:
    with pytest.raises(ValidationError) as caught:
        _parse(HEADER + "\n" + body + "\n")
    assert fragment in caught.value.reason_en


def test_bad_header_and_count_are_refused() -> None:
    with pytest.raises(ValidationError):
        _parse("code,category\n900-249-08,HW08\n")
    with pytest.raises(ValidationError) as caught:
        _parse(HEADER + "\n900-249-08,HW08,x,900,T\n", expected=467)
    assert "467" in caught.value.reason_en
