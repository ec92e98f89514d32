"""REST read models (separate from the domain). Money is exact decimal text: *_wan in 万元."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from projects.domain.adjustments import Adjustment
from projects.domain.evaluation import Evaluation
from projects.domain.progress import ProgressReport
from projects.domain.row import ReserveRow
from projects.domain.stages import next_stage
from projects.domain.subitem import SubItem
from projects.domain.values import FundingMix, join_lead_units


def money(value: object) -> str:
    """Exact decimal text, never exponent form."""
    return format(value, "f")


class FundingRead(BaseModel):
    """资金来源 (万元)."""

    central: str
    municipal: str
    district: str
    social: str

    @classmethod
    def of(cls, f: FundingMix | None) -> FundingRead | None:
        if f is None:
            return None
        return cls(
            central=money(f.central),
            municipal=money(f.municipal),
            district=money(f.district),
            social=money(f.social),
        )


class SubItemRead(BaseModel):
    """A sub-item (子项) as it stands now."""

    id: str
    project_id: str
    project: str
    no: int = Field(description="序号")
    field_code: str
    field_label: str = Field(description="领域, e.g. 一、绿色发展促进工程")
    name: str
    content: str
    investment_wan: str = Field(description="投资额 (万元), exact decimal text")
    years: str = Field(description="实施年度, e.g. 2021-2025")
    start_year: int
    end_year: int
    lead_units: list[str]
    lead_units_text: str
    source: str
    source_class: str = Field(description="district_confirmed | planned")
    source_class_zh: str
    location: str | None
    funding: FundingRead | None
    stage: str
    stage_zh: str
    in_reserve: bool

    @classmethod
    def of(cls, r: ReserveRow) -> SubItemRead:
        return cls(
            id=r.subitem_id,
            project_id=r.project_id,
            project=r.project,
            no=r.no,
            field_code=r.field.code,
            field_label=r.field.label,
            name=r.name,
            content=r.content,
            investment_wan=money(r.investment_wan),
            years=str(r.years),
            start_year=r.years.start,
            end_year=r.years.end,
            lead_units=list(r.lead_units),
            lead_units_text=join_lead_units(r.lead_units),
            source=r.source,
            source_class=r.source_class.value,
            source_class_zh=r.source_class.zh,
            location=r.location,
            funding=FundingRead.of(r.funding),
            stage=r.stage.value,
            stage_zh=r.stage.zh,
            in_reserve=r.in_reserve,
        )


class SubItemPage(BaseModel):
    """A page of sub-items in 序号 order; `total` counts every match."""

    items: list[SubItemRead]
    total: int
    limit: int
    offset: int


class ChangeRead(BaseModel):
    attr: str
    before: str
    after: str


class HistoryRead(BaseModel):
    """One line of the append-only history."""

    at: datetime
    by: str
    action: str
    summary: str
    changes: list[ChangeRead]


class AdjustmentRead(BaseModel):
    """A 动态调整 request and its decision."""

    id: str
    kind: str
    kind_zh: str
    status: str
    reason: str
    changes: list[ChangeRead]
    requested_by: str
    requested_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str

    @classmethod
    def of(cls, a: Adjustment) -> AdjustmentRead:
        changes = [
            ChangeRead(attr=c.attr, before=c.before, after=c.after) for c in a.field_changes()
        ]
        return cls(
            id=a.id,
            kind=a.kind.value,
            kind_zh=a.kind.zh,
            status=a.status.value,
            reason=a.reason,
            changes=changes,
            requested_by=a.requested_by,
            requested_at=a.requested_at,
            decided_by=a.decided_by,
            decided_at=a.decided_at,
            decision_note=a.decision_note,
        )


class ReportRead(BaseModel):
    """One period's progress report (调度)."""

    period: str
    percent_complete: str
    invested_to_date_wan: str
    note: str
    by: str
    at: datetime
    late: bool

    @classmethod
    def of(cls, r: ProgressReport) -> ReportRead:
        return cls(
            period=r.period,
            percent_complete=money(r.percent_complete),
            invested_to_date_wan=money(r.invested_to_date_wan),
            note=r.note,
            by=r.by,
            at=r.at,
            late=r.late,
        )


class IndicatorResultModel(BaseModel):
    """One performance indicator of an evaluation (产出/效益/满意度 …)."""

    name: str = Field(min_length=1)
    target: str = ""
    actual: str = ""
    met: bool


class EvaluationRead(BaseModel):
    """An annual performance evaluation (绩效评价)."""

    year: int
    score: str
    grade: str
    indicator_results: list[IndicatorResultModel]
    note: str
    by: str
    at: datetime

    @classmethod
    def of(cls, e: Evaluation) -> EvaluationRead:
        results = [
            IndicatorResultModel(name=r.name, target=r.target, actual=r.actual, met=r.met)
            for r in e.indicator_results
        ]
        return cls(
            year=e.year,
            score=money(e.score),
            grade=e.grade.value,
            indicator_results=results,
            note=e.note,
            by=e.by,
            at=e.at,
        )


class StageEntry(BaseModel):
    stage: str
    stage_zh: str
    on: date


class SubItemDetail(SubItemRead):
    """A sub-item with its whole record: history, adjustments, reports, milestones, evaluations."""

    version: int
    next_stage: str | None
    next_stage_zh: str | None
    stage_log: list[StageEntry]
    milestones: dict[str, date]
    history: list[HistoryRead]
    adjustments: list[AdjustmentRead]
    reports: list[ReportRead]
    evaluations: list[EvaluationRead]

    @classmethod
    def of_item(cls, item: SubItem, version: int) -> SubItemDetail:
        nxt = next_stage(item.stage)
        history = [
            HistoryRead(
                at=h.at,
                by=h.by,
                action=h.action,
                summary=h.summary,
                changes=[
                    ChangeRead(attr=c.attr, before=c.before, after=c.after) for c in h.changes
                ],
            )
            for h in item.history
        ]
        return cls(
            **SubItemRead.of(item.row).model_dump(),
            version=version,
            next_stage=nxt.value if nxt else None,
            next_stage_zh=nxt.zh if nxt else None,
            stage_log=[StageEntry(stage=s.value, stage_zh=s.zh, on=d) for s, d in item.stage_log],
            milestones={s.value: d for s, d in item.milestones.items()},
            history=history,
            adjustments=[AdjustmentRead.of(a) for a in item.adjustments],
            reports=[
                ReportRead.of(r) for r in sorted(item.reports.values(), key=lambda r: r.period)
            ],
            evaluations=[EvaluationRead.of(e) for _, e in sorted(item.evaluations.items())],
        )
