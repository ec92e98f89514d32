"""The SubItem aggregate root: entry into the reserve, dispatch (调度) and evaluation.

Features are split over subitem_base (state, history), subitem_changes (lifecycle,
adjustments) and this module; `SubItem` is the one class callers use.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from projects.domain.errors import ConflictError, InvalidValue, local_date
from projects.domain.evaluation import (
    EVALUABLE_STAGES,
    Evaluation,
    IndicatorResult,
    check_score,
    grade_for,
)
from projects.domain.events import (
    Evaluated,
    Event,
    FieldChange,
    MilestonePlanned,
    MilestoneSlipped,
    ProgressReported,
    ProgressReportMissed,
    SubItemAdded,
)
from projects.domain.progress import (
    ProgressReport,
    ReportingSchedule,
    check_report_values,
    find_dispatch_issues,
    parse_period,
)
from projects.domain.row import ReserveRow
from projects.domain.stages import Stage
from projects.domain.subitem_changes import ChangeableSubItem


class SubItem(ChangeableSubItem):
    """Aggregate root for one sub-item (子项)."""

    @classmethod
    def add(
        cls, row: ReserveRow, *, by: str, at: datetime, schedule: ReportingSchedule | None = None
    ) -> SubItem:
        """Enter a sub-item into the reserve (入库)."""
        item = cls(row, recorded_at=at, schedule=schedule)
        item._record(at, by, "added", f"入库：{row.name}")
        item.events.append(
            SubItemAdded(
                subitem_id=row.subitem_id,
                at=at,
                project_id=row.project_id,
                field_code=row.field.code,
                name=row.name,
                investment_wan=row.investment_wan,
                stage=row.stage,
                by=by,
            )
        )
        return item

    # -- dispatch (调度) and evaluation ---------------------------------------------------------

    def plan_milestone(self, stage: Stage, due: date, *, by: str, at: datetime) -> None:
        """Plan (or re-plan) the date by which `stage` should be reached."""
        self._require_in_reserve()
        if stage.rank <= self.row.stage.rank:
            raise ConflictError(
                f"「{stage.zh}」阶段已经达到", f"stage {stage.value} is already reached"
            )
        before = str(self.milestones.get(stage, ""))
        change = FieldChange(f"milestone.{stage.value}", before, str(due))
        self._record(at, by, "milestone.planned", f"计划 {due} 前进入「{stage.zh}」", (change,))
        self.milestones[stage] = due
        self.events.append(MilestonePlanned(subitem_id=self.id, at=at, stage=stage, due=due, by=by))

    def report_progress(
        self,
        period: str,
        *,
        percent_complete: Decimal,
        invested_to_date_wan: Decimal,
        note: str = "",
        by: str,
        at: datetime,
    ) -> ProgressReport:
        """Report one period's progress; a second report for a period is a correction."""
        self._require_in_reserve()
        if self.row.stage not in (Stage.IMPLEMENTATION, Stage.COMPLETED):
            raise ConflictError(
                f"「{self.row.stage.zh}」阶段无需调度报告",
                f"no progress reports are taken at stage {self.row.stage.value}",
            )
        p = parse_period(period)
        if p.frequency is not self.schedule.frequency:
            raise InvalidValue(
                f"报告期 {period} 与调度频次不符", f"period {period} does not match the schedule"
            )
        today = local_date(at)
        if p.start > today:
            raise InvalidValue(f"报告期 {period} 尚未开始", f"period {period} has not started")
        check_report_values(percent_complete, invested_to_date_wan)
        correction = p.key in self.reports
        report = ProgressReport(
            p.key,
            percent_complete,
            invested_to_date_wan,
            note,
            by,
            at,
            today > self.schedule.due(p),
        )
        summary = f"{p.key} 调度：完成{percent_complete}%，累计投资{invested_to_date_wan}万元"
        self._record(at, by, "progress.reported", summary + ("（更正）" if correction else ""))
        self.reports[p.key] = report
        self.events.append(
            ProgressReported(
                subitem_id=self.id,
                at=at,
                period=p.key,
                percent_complete=percent_complete,
                invested_to_date_wan=invested_to_date_wan,
                late=report.late,
                correction=correction,
                by=by,
            )
        )
        return report

    def check_dispatch(self, now: datetime) -> list[Event]:
        """Emit events for newly overdue reports and slipped milestones; idempotent."""
        if not self.row.in_reserve:
            return []
        issues = find_dispatch_issues(
            schedule=self.schedule,
            stage_log=self.stage_log,
            milestones=self.milestones,
            reported_periods=self.reports.keys(),
            today=local_date(now),
        )
        new: list[Event] = []
        for miss in issues.missed_reports:
            if self._flag(f"report:{miss.period.key}"):
                new.append(
                    ProgressReportMissed(
                        subitem_id=self.id, at=now, period=miss.period.key, due=miss.due
                    )
                )
        for slip in issues.slipped_milestones:
            if self._flag(f"milestone:{slip.stage.value}:{slip.due}"):
                new.append(
                    MilestoneSlipped(
                        subitem_id=self.id,
                        at=now,
                        stage=slip.stage,
                        due=slip.due,
                        current_stage=self.row.stage,
                        reached_on=slip.reached_on,
                    )
                )
        self.events.extend(new)
        return new

    def evaluate(
        self,
        year: int,
        score: Decimal,
        *,
        indicator_results: Iterable[IndicatorResult] = (),
        note: str = "",
        by: str,
        at: datetime,
    ) -> Evaluation:
        """Record the annual performance evaluation (绩效评价) of a finished item."""
        self._require_in_reserve()
        if self.row.stage not in EVALUABLE_STAGES:
            raise ConflictError(
                f"「{self.row.stage.zh}」阶段不能绩效评价",
                f"stage {self.row.stage.value} cannot be evaluated (complete it first)",
            )
        if not self.row.years.start <= year <= local_date(at).year:
            raise InvalidValue(
                f"评价年度 {year} 不在 {self.row.years.start}–{local_date(at).year} 之间",
                f"evaluation year {year} outside {self.row.years.start}-{local_date(at).year}",
            )
        if year in self.evaluations:
            raise ConflictError(f"{year} 年度已评价", f"year {year} is already evaluated")
        check_score(score)
        ev = Evaluation(year, score, grade_for(score), tuple(indicator_results), note, by, at)
        self._record(at, by, "evaluated", f"{year} 年度绩效评价：{score} 分（{ev.grade.value}）")
        self.evaluations[year] = ev
        self.events.append(
            Evaluated(
                subitem_id=self.id, at=at, year=year, score=score, grade=ev.grade.value, by=by
            )
        )
        return ev
