"""REST request bodies. Money and scores are decimals: send them as strings ("365.5") to keep
them exact; stages may be given as codes (implementation) or in Chinese (实施)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, Field

from projects.domain.adjustments import AdjustmentKind
from projects.entrypoints.http.schemas import IndicatorResultModel

Text = Field(min_length=1, max_length=2000)


class SkipIn(BaseModel):
    """A 前期工作 stage the item does not need."""

    stage: str = Field(examples=["可研"])
    reason: str = Field(min_length=1, max_length=2000)
    document_no: str = Field(min_length=1, max_length=200, description="依据文件编号")


class AdvanceRequest(BaseModel):
    """Pass the next gate: the real-world date and, where the gate needs one, the document."""

    to_stage: str = Field(description="目标阶段, e.g. feasibility / 可研", examples=["可研"])
    on: date = Field(description="批复/开工/完工日期 (not in the future)")
    document_no: str | None = Field(default=None, description="批复文号 / 中标通知书编号 …")
    note: str = ""
    skip: list[SkipIn] = Field(
        default_factory=list,
        max_length=3,
        description="跳过的前期工作阶段（可研、初设、招投标），每个须有原因和依据文件编号",
    )


class ReturnRequest(BaseModel):
    """One of the documented steps back (可研 → 储备, 完工 → 实施)."""

    to_stage: str
    on: date
    reason: str = Text


class ReasonRequest(BaseModel):
    """A reason (出库, 重新入库, 驳回)."""

    reason: str = Text


class MilestoneRequest(BaseModel):
    """Plan the date by which a stage should be reached."""

    stage: str
    due: date


class FundingModel(BaseModel):
    """资金来源 (万元)."""

    central: Decimal = Decimal(0)
    municipal: Decimal = Decimal(0)
    district: Decimal = Decimal(0)
    social: Decimal = Decimal(0)


class AdjustmentCreate(BaseModel):
    """A 动态调整 request: its kind bounds which attributes it may change."""

    kind: AdjustmentKind = Field(description="site | scale | technical | investment | years")
    reason: str = Text
    content: str | None = None
    investment_wan: Decimal | None = Field(default=None, description="新投资额 (万元)")
    years: str | None = Field(default=None, description="新实施年度, e.g. 2022-2026")
    location: str | None = None
    funding: FundingModel | None = None


class ApproveRequest(BaseModel):
    """Approval of a pending adjustment."""

    note: str = ""


class ProgressCreate(BaseModel):
    """One period's progress report (调度)."""

    period: str = Field(description="2025-03 (monthly) or 2025-Q1 (quarterly)")
    percent_complete: Decimal = Field(description="完成百分比 0–100")
    invested_to_date_wan: Decimal = Field(description="累计完成投资 (万元)")
    note: str = Field(default="", description="存在问题")


class EvaluationCreate(BaseModel):
    """An annual performance evaluation (绩效评价)."""

    year: int = Field(ge=2000, le=2099)
    score: Decimal = Field(description="0–100")
    indicator_results: list[IndicatorResultModel] = []
    note: str = ""


class IndicatorValueCreate(BaseModel):
    """A year's value of a plan indicator."""

    year: int = Field(ge=2000, le=2099)
    value: Decimal
    note: str = ""


class IndicatorTargetCreate(BaseModel):
    """A target handed down later (由市级下达); year omitted: every year."""

    target: Decimal
    year: int | None = Field(default=None, ge=2000, le=2099)
