"""国家危险废物名录 as versioned data: which codes are in force on a date.

The 2021 list (部令第15号, 467 codes) is loaded from the seed CSV. The 2025 list (部令第36号, in
force 2025-01-01, 470 codes) is known to exist but its table is not available, so it is a
placeholder: until it is loaded, codes the 2021 list lacks are accepted with a warning from
2025-01-01 on (they may be the new tin-smelting or split codes).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from types import MappingProxyType

from risk.domain.errors import ValidationError
from risk.domain.waste_codes import EXISTING_CATEGORIES, WasteCode


class Hazard(StrEnum):
    """危险特性."""

    TOXICITY = "T"
    CORROSIVITY = "C"
    IGNITABILITY = "I"
    REACTIVITY = "R"
    INFECTIVITY = "In"


@dataclass(frozen=True, slots=True)
class CatalogueEntry:
    """One row of a list."""

    code: WasteCode
    category: str
    category_name: str
    industry_code: str
    hazards: tuple[Hazard, ...]


@dataclass(frozen=True)
class WasteCatalogue:
    """One version of the list; `entries is None` means its table is not loaded."""

    version: str
    title: str
    order: str
    effective_from: date
    entries: Mapping[str, CatalogueEntry] | None
    expected_count: int | None = None
    # 名录第六条 (both 2021 and 2025): 900-000-×× for waste classified by identification.
    accepts_identified_waste: bool = True

    @property
    def loaded(self) -> bool:
        """Whether the code table is present."""
        return self.entries is not None

    def get(self, code: WasteCode) -> CatalogueEntry | None:
        """The entry for a code, if the table is loaded and lists it."""
        return None if self.entries is None else self.entries.get(code.value)

    def category_counts(self) -> dict[str, int]:
        """Codes per category (for diffing one version against another)."""
        counts: dict[str, int] = {}
        for entry in (self.entries or {}).values():
            counts[entry.category] = counts.get(entry.category, 0) + 1
        return dict(sorted(counts.items()))

    def category_names(self) -> dict[str, str]:
        """HWxx → 类别名称 as the table gives them."""
        return {e.category: e.category_name for e in (self.entries or {}).values()}


CSV_COLUMNS = ("code", "category", "category_name", "industry_code", "hazard_characteristics")


def parse_catalogue_csv(
    text: str,
    *,
    version: str,
    title: str,
    order: str,
    effective_from: date,
    expected_count: int | None = None,
) -> WasteCatalogue:
    """Build a catalogue from CSV text in the seed's format; every row is checked."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if tuple(reader.fieldnames or ()) != CSV_COLUMNS:
        raise ValidationError(
            "catalogue", f"表头应为{','.join(CSV_COLUMNS)}", f"header must be {CSV_COLUMNS}"
        )
    entries: dict[str, CatalogueEntry] = {}
    for line, row in enumerate(reader, start=2):
        entry = _entry(line, row)
        if entry.code.value in entries:
            raise _row_error(line, f"代码{entry.code}重复", f"duplicate code {entry.code}")
        entries[entry.code.value] = entry
    if expected_count is not None and len(entries) != expected_count:
        raise ValidationError(
            "catalogue",
            f"{title}应有{expected_count}种，实际{len(entries)}种",
            f"{version} list should have {expected_count} codes, found {len(entries)}",
        )
    return WasteCatalogue(
        version, title, order, effective_from, MappingProxyType(entries), expected_count
    )


def _entry(line: int, row: dict[str, str]) -> CatalogueEntry:
    values = {k: (row.get(k) or "").strip() for k in CSV_COLUMNS}
    try:
        code = WasteCode.parse(values["code"])
    except ValidationError as exc:
        raise _row_error(line, exc.reason_zh, exc.reason_en) from exc
    if values["category"] != code.category or values["category"] not in EXISTING_CATEGORIES:
        raise _row_error(line, "类别与代码不符", f"category does not match code {code}")
    if values["industry_code"] != code.industry:
        raise _row_error(line, "行业代码与代码不符", f"industry code does not match code {code}")
    if not values["category_name"]:
        raise _row_error(line, "缺少类别名称", "missing category name")
    try:
        hazards = tuple(Hazard(h) for h in values["hazard_characteristics"].split("/"))
    except ValueError as exc:
        raise _row_error(
            line, "危险特性应为T/C/I/R/In", "hazards must be T, C, I, R or In"
        ) from exc
    return CatalogueEntry(code, code.category, values["category_name"], code.industry, hazards)


def _row_error(line: int, zh: str, en: str) -> ValidationError:
    return ValidationError(f"catalogue.line{line}", f"第{line}行：{zh}", f"line {line}: {en}")


def catalogue_2021(csv_text: str) -> WasteCatalogue:
    """The 2021 list from hazardous_waste_codes_2021.csv (must hold exactly 467 codes)."""
    return parse_catalogue_csv(
        csv_text,
        version="2021",
        title="国家危险废物名录（2021年版）",
        order="部令第15号",
        effective_from=date(2021, 1, 1),
        expected_count=467,
    )


# The order number is [C] (third-party citations); the date and count are [V].
CATALOGUE_2025_PLACEHOLDER = WasteCatalogue(
    version="2025",
    title="国家危险废物名录（2025年版）",
    order="部令第36号",
    effective_from=date(2025, 1, 1),
    entries=None,
    expected_count=470,
)


@dataclass(frozen=True, slots=True)
class CatalogueDiff:
    """Codes added and removed between two loaded versions."""

    added: frozenset[str]
    removed: frozenset[str]


def diff_catalogues(old: WasteCatalogue, new: WasteCatalogue) -> CatalogueDiff:
    """What changed; for 2021→2025 expect 5 added and 2 removed."""
    if old.entries is None or new.entries is None:
        raise ValidationError("catalogue", "名录未加载，无法比较", "both tables must be loaded")
    return CatalogueDiff(
        added=frozenset(new.entries) - frozenset(old.entries),
        removed=frozenset(old.entries) - frozenset(new.entries),
    )


def loaded_versions(catalogues: Iterable[WasteCatalogue]) -> list[str]:
    """Versions whose tables are present."""
    return [c.version for c in catalogues if c.loaded]
