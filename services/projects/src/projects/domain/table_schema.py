"""The reserve table's columns: header names (English keys as in the seed CSV, or the plan's
Chinese headings), and how a row is written back out.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from projects.domain.row import ReserveRow
from projects.domain.stages import Stage
from projects.domain.values import join_lead_units


@dataclass(frozen=True)
class Column:
    """A column of the table: key, Chinese heading, required or not."""

    key: str
    zh: str
    required: bool


COLUMNS: tuple[Column, ...] = (
    Column("no", "序号", True),
    Column("field", "领域", True),
    Column("project", "项目名称", True),
    Column("subitem", "子项名称", True),
    Column("content", "项目内容", True),
    Column("investment_wan", "投资额(万元)", True),
    Column("years", "实施年度", True),
    Column("lead_units", "牵头单位", True),
    Column("source", "项目来源", True),
    Column("location", "建设地点", False),
    Column("funding_central", "中央资金(万元)", False),
    Column("funding_municipal", "市级资金(万元)", False),
    Column("funding_district", "区级资金(万元)", False),
    Column("funding_social", "社会资本(万元)", False),
    Column("stage", "成熟度阶段", False),
)
BY_KEY: dict[str, Column] = {c.key: c for c in COLUMNS}
REQUIRED_KEYS: tuple[str, ...] = tuple(c.key for c in COLUMNS if c.required)
FUNDING_KEYS: tuple[str, ...] = (
    "funding_central",
    "funding_municipal",
    "funding_district",
    "funding_social",
)

HeaderStyle = Literal["en", "zh"]


def normalise_header(text: str) -> str:
    """Fold width, case and spaces so '投资额（万元）' and 'Investment_Wan ' both match."""
    return "".join(unicodedata.normalize("NFKC", text).lower().split())


# Spellings seen in retyped copies of the plan's table, beside the key and the heading.
_EXTRA_ALIASES: dict[str, str] = {
    "子项": "subitem",
    "项目": "project",
    "投资额": "investment_wan",
    "投资(万元)": "investment_wan",
    "实施年限": "years",
    "阶段": "stage",
    "成熟度": "stage",
}
ALIASES: dict[str, str] = {
    **{normalise_header(k): v for k, v in _EXTRA_ALIASES.items()},
    **{normalise_header(c.key): c.key for c in COLUMNS},
    **{normalise_header(c.zh): c.key for c in COLUMNS},
}


def resolve_header(cell: str) -> str | None:
    """The column key a header cell names, None if unknown."""
    return ALIASES.get(normalise_header(cell))


def export_columns(rows: Sequence[ReserveRow]) -> list[str]:
    """The required columns, plus each optional one that some row actually fills."""
    keys = list(REQUIRED_KEYS)
    if any(r.location for r in rows):
        keys.append("location")
    if any(r.funding is not None for r in rows):
        keys.extend(FUNDING_KEYS)
    if any(r.stage is not Stage.RESERVE for r in rows):
        keys.append("stage")
    return keys


def header_cells(keys: Sequence[str], style: HeaderStyle = "en") -> list[str]:
    """Header row in English keys (as the seed CSV) or the plan's Chinese headings."""
    return [k if style == "en" else BY_KEY[k].zh for k in keys]


def cell_value(row: ReserveRow, key: str) -> str:
    """One cell of a row, as text in the plan's spelling."""
    funding = row.funding
    values: dict[str, str] = {
        "no": str(row.no),
        "field": row.field.label,
        "project": row.project,
        "subitem": row.name,
        "content": row.content,
        "investment_wan": str(row.investment_wan),
        "years": str(row.years),
        "lead_units": join_lead_units(row.lead_units),
        "source": row.source,
        "location": row.location or "",
        "funding_central": str(funding.central) if funding else "",
        "funding_municipal": str(funding.municipal) if funding else "",
        "funding_district": str(funding.district) if funding else "",
        "funding_social": str(funding.social) if funding else "",
        "stage": row.stage.zh,
    }
    return values[key]
