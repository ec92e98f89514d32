"""ReserveRow ↔ document. Money is stored as exact decimal text (FerretDB 1.x has no Decimal128)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from projects.domain.row import ReserveRow
from projects.domain.stages import Stage
from projects.domain.values import PLAN_FIELDS, Field, FundingMix, YearSpan

Doc = dict[str, Any]
FIELDS_BY_CODE: dict[str, Field] = {f.code: f for f in PLAN_FIELDS}
_FUNDING = ("central", "municipal", "district", "social")


def money(value: Decimal) -> str:
    """Exact decimal text, never in exponent form."""
    return format(value, "f")


def funding_to_doc(funding: FundingMix | None) -> Doc | None:
    if funding is None:
        return None
    return {k: money(getattr(funding, k)) for k in _FUNDING}


def funding_from_doc(doc: Doc | None) -> FundingMix | None:
    if doc is None:
        return None
    return FundingMix(*(Decimal(doc[k]) for k in _FUNDING))


def years_to_doc(years: YearSpan | None) -> list[int] | None:
    return None if years is None else [years.start, years.end]


def years_from_doc(doc: list[int] | None) -> YearSpan | None:
    return None if doc is None else YearSpan(int(doc[0]), int(doc[1]))


def row_to_doc(row: ReserveRow) -> Doc:
    """The row as a document (the field by its code)."""
    return {
        "subitem_id": row.subitem_id,
        "project_id": row.project_id,
        "no": row.no,
        "field": row.field.code,
        "project": row.project,
        "name": row.name,
        "content": row.content,
        "investment_wan": money(row.investment_wan),
        "years": years_to_doc(row.years),
        "lead_units": list(row.lead_units),
        "source": row.source,
        "location": row.location,
        "funding": funding_to_doc(row.funding),
        "stage": row.stage.value,
        "in_reserve": row.in_reserve,
    }


def row_from_doc(doc: Doc) -> ReserveRow:
    """The row a document holds."""
    years = years_from_doc(doc["years"])
    assert years is not None
    return ReserveRow(
        subitem_id=doc["subitem_id"],
        project_id=doc["project_id"],
        no=int(doc["no"]),
        field=FIELDS_BY_CODE[doc["field"]],
        project=doc["project"],
        name=doc["name"],
        content=doc["content"],
        investment_wan=Decimal(doc["investment_wan"]),
        years=years,
        lead_units=tuple(doc["lead_units"]),
        source=doc["source"],
        location=doc.get("location"),
        funding=funding_from_doc(doc.get("funding")),
        stage=Stage(doc["stage"]),
        in_reserve=bool(doc["in_reserve"]),
    )


def query_fields(row: ReserveRow) -> Doc:
    """Top-level copies of what lists and filters query (indexes need plain paths)."""
    return {
        "no": row.no,
        "field": row.field.code,
        "project_id": row.project_id,
        "stage": row.stage.value,
        "in_reserve": row.in_reserve,
        "lead_units": list(row.lead_units),
        "year_start": row.years.start,
        "year_end": row.years.end,
        "source_class": row.source_class.value,
    }
