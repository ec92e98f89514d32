"""Domain events (cosmicpython style): plain frozen dataclasses the aggregates append to `events`.

The service layer maps them to the protobuf payloads in proto/ (project.report.overdue is
ProgressReportMissed, project.milestone.slipped is MilestoneSlipped, plan.indicator.off_track
is IndicatorOffTrack).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from projects.domain.stages import Stage, StageSkip


@dataclass(frozen=True)
class FieldChange:
    """One attribute's before/after, rendered as text for history and events."""

    attr: str
    before: str
    after: str


class Event:
    """Base class of every domain event."""


@dataclass(frozen=True, kw_only=True)
class SubItemEvent(Event):
    """An event about one sub-item; `subitem_id` is the Kafka key."""

    subitem_id: str
    at: datetime


@dataclass(frozen=True, kw_only=True)
class SubItemAdded(SubItemEvent):
    """A sub-item entered the reserve (入库), e.g. by import."""

    project_id: str
    field_code: str
    name: str
    investment_wan: Decimal
    stage: Stage
    by: str


@dataclass(frozen=True, kw_only=True)
class SubItemCorrected(SubItemEvent):
    """A re-import corrected attributes no approval governs (序号, 牵头单位, 项目来源)."""

    changes: tuple[FieldChange, ...]
    by: str


@dataclass(frozen=True, kw_only=True)
class SubItemWithdrawn(SubItemEvent):
    """A sub-item left the reserve (出库); it is kept, not deleted."""

    reason: str
    by: str


@dataclass(frozen=True, kw_only=True)
class SubItemReinstated(SubItemEvent):
    """A withdrawn sub-item re-entered the reserve."""

    reason: str
    by: str


@dataclass(frozen=True, kw_only=True)
class StageAdvanced(SubItemEvent):
    """A sub-item passed a gate one stage forward."""

    from_stage: Stage
    to_stage: Stage
    on: date
    document_no: str | None
    by: str
    skipped: tuple[StageSkip, ...] = ()  # 前期工作 stages the item did not need


@dataclass(frozen=True, kw_only=True)
class StageReturned(SubItemEvent):
    """A sub-item went back one of the documented steps (stages.RETURNS)."""

    from_stage: Stage
    to_stage: Stage
    on: date
    reason: str
    by: str


@dataclass(frozen=True, kw_only=True)
class AdjustmentRequested(SubItemEvent):
    """A change of site, scale, technical plan, investment or years was requested."""

    adjustment_id: str
    kind: str
    changes: tuple[FieldChange, ...]
    reason: str
    by: str


@dataclass(frozen=True, kw_only=True)
class AdjustmentApproved(SubItemEvent):
    """An adjustment was approved and applied."""

    adjustment_id: str
    kind: str
    changes: tuple[FieldChange, ...]
    by: str


@dataclass(frozen=True, kw_only=True)
class AdjustmentRejected(SubItemEvent):
    """An adjustment was rejected (or cancelled by 出库)."""

    adjustment_id: str
    kind: str
    reason: str
    by: str


@dataclass(frozen=True, kw_only=True)
class MilestonePlanned(SubItemEvent):
    """A date by which a stage should be reached was (re)planned."""

    stage: Stage
    due: date
    by: str


@dataclass(frozen=True, kw_only=True)
class ProgressReported(SubItemEvent):
    """A periodic progress report (调度) was filed or corrected."""

    period: str
    percent_complete: Decimal
    invested_to_date_wan: Decimal
    late: bool
    correction: bool
    by: str


@dataclass(frozen=True, kw_only=True)
class ProgressReportMissed(SubItemEvent):
    """A period's report is past due (project.report.overdue)."""

    period: str
    due: date


@dataclass(frozen=True, kw_only=True)
class MilestoneSlipped(SubItemEvent):
    """A planned stage was not reached by its date (project.milestone.slipped)."""

    stage: Stage
    due: date
    current_stage: Stage
    reached_on: date | None


@dataclass(frozen=True, kw_only=True)
class Evaluated(SubItemEvent):
    """An annual performance evaluation (绩效评价) was recorded."""

    year: int
    score: Decimal
    grade: str
    by: str


@dataclass(frozen=True, kw_only=True)
class IndicatorEvent(Event):
    """An event about one plan indicator; `indicator_no` is the Kafka key."""

    indicator_no: int
    at: datetime


@dataclass(frozen=True, kw_only=True)
class IndicatorValueRecorded(IndicatorEvent):
    """An indicator's value for a year was entered or corrected."""

    year: int
    value: Decimal
    by: str


@dataclass(frozen=True, kw_only=True)
class IndicatorTargetSet(IndicatorEvent):
    """A target handed down later (由市级下达) was set."""

    year: int | None
    target: Decimal
    by: str


@dataclass(frozen=True, kw_only=True)
class IndicatorOffTrack(IndicatorEvent):
    """A binding indicator moved onto "not met" (plan.indicator.off_track)."""

    name: str
    year: int
    value: Decimal
    target: Decimal
    direction: str
