"""Exact roll-ups of the reserve and the preamble's figures, now or "as of" a past instant."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from projects.domain.money import format_yi, wan_to_yi
from projects.domain.rollups import Rollup, RollupBy
from projects.entrypoints.http.deps import context
from projects.entrypoints.http.errors import ERRORS, aware_instant
from projects.entrypoints.http.schemas import money
from projects.service_layer import queries
from projects.service_layer.context import Context
from qingshan_core.auth import Staff

router = APIRouter(prefix="/v1", tags=["roll-ups 汇总"], responses=ERRORS)
Ctx = Annotated[Context, Depends(context)]


class GroupRead(BaseModel):
    """One group: counts and investment (万元 exact, 亿元 exact and as the plan prints it)."""

    key: str
    label: str
    projects: int
    subitems: int
    investment_wan: str
    investment_yi: str
    yi_text: str = Field(description="亿元 to 4 places, half-up, e.g. 108.1905")
    share_pct: str | None = Field(description="占总投资 %, 2 places; null when groups overlap")
    shared_subitems: int = Field(description="sub-items also counted in another group")


class TotalRead(BaseModel):
    """The total, each sub-item counted once."""

    projects: int
    subitems: int
    investment_wan: str
    investment_yi: str
    yi_text: str


class RollupRead(BaseModel):
    """A roll-up and its once-counted total."""

    by: RollupBy
    as_of: datetime | None
    include_withdrawn: bool
    overlapping: bool = Field(description="a sub-item may sit in several groups")
    note_zh: str
    note_en: str
    groups: list[GroupRead]
    total: TotalRead

    @classmethod
    def of(cls, r: Rollup, as_of: datetime | None, include_withdrawn: bool) -> RollupRead:
        t = r.total
        return cls(
            by=r.by,
            as_of=as_of,
            include_withdrawn=include_withdrawn,
            overlapping=r.overlapping,
            note_zh=r.note_zh,
            note_en=r.note_en,
            groups=[
                GroupRead(
                    key=g.key,
                    label=g.label,
                    projects=g.projects,
                    subitems=g.subitems,
                    investment_wan=money(g.investment_wan),
                    investment_yi=money(g.investment_yi),
                    yi_text=g.yi_text,
                    share_pct=None if g.share_pct is None else money(g.share_pct),
                    shared_subitems=g.shared_subitems,
                )
                for g in r.groups
            ],
            total=TotalRead(
                projects=t.projects,
                subitems=t.subitems,
                investment_wan=money(t.investment_wan),
                investment_yi=money(wan_to_yi(t.investment_wan)),
                yi_text=format_yi(t.investment_wan),
            ),
        )


@router.get("/rollups", response_model=RollupRead)
async def get_rollup(
    ctx: Ctx,
    _: Staff,
    by: Annotated[RollupBy, Query(description="field|project|lead_unit|year|source_class|stage")],
    as_of: Annotated[datetime | None, Query(description="ISO instant with timezone")] = None,
    include_withdrawn: bool = False,
) -> RollupRead:
    """Exact roll-up (counts, 万元/亿元); lead unit and year groups overlap, totals count once."""
    when = aware_instant(as_of)
    r = await queries.get_rollup(ctx, by, as_of=when, include_withdrawn=include_withdrawn)
    return RollupRead.of(r, when, include_withdrawn)


class PreambleRead(BaseModel):
    """The reserve preamble (第九章 项目储备库 说明) as the plan words it, from the rows."""

    total_sentence: str
    field_sentences: list[str]
    field_headings: list[str]
    source_sentence: str
    by_field: RollupRead
    by_source_class: RollupRead


@router.get("/rollups/preamble", response_model=PreambleRead)
async def get_preamble(
    ctx: Ctx,
    _: Staff,
    as_of: Annotated[datetime | None, Query(description="ISO instant with timezone")] = None,
) -> PreambleRead:
    """The preamble's figures worded as the plan words them (108.1905亿元 …)."""
    when = aware_instant(as_of)
    p = await queries.get_preamble(ctx, as_of=when)
    return PreambleRead(
        total_sentence=p.total_sentence(),
        field_sentences=p.field_sentences(),
        field_headings=p.field_headings(),
        source_sentence=p.source_sentence(),
        by_field=RollupRead.of(p.by_field, when, False),
        by_source_class=RollupRead.of(p.by_source, when, False),
    )
