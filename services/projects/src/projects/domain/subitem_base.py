"""The SubItem aggregate's state, append-only history and "as of" revisions.

Every change is appended to `history` (who, when, what, before/after) and, when it changes the
row, to `revisions`, which is what `as_of` replays. Nothing is ever deleted. Times are aware
datetimes and must not go backwards, so "as of" answers are unambiguous.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime

from projects.domain.adjustments import ADJUSTABLE_STAGES, Adjustment
from projects.domain.errors import ConflictError, InvalidValue, NotInReserve, local_date
from projects.domain.errors import require_aware as _aware
from projects.domain.evaluation import Evaluation
from projects.domain.events import Event, FieldChange
from projects.domain.progress import ProgressReport, ReportingSchedule
from projects.domain.row import ReserveRow
from projects.domain.stages import Stage


@dataclass(frozen=True)
class HistoryEntry:
    """One line of the append-only history."""

    at: datetime
    by: str
    action: str
    summary: str
    changes: tuple[FieldChange, ...] = ()


def need_text(value: str, zh: str, en: str) -> str:
    """Return `value`, refusing blank text (reasons, actors)."""
    if not value.strip():
        raise InvalidValue(f"{zh}不能为空", f"{en} must not be empty")
    return value


class SubItemBase:
    """State and history shared by the SubItem aggregate's feature mixins."""

    def __init__(
        self, row: ReserveRow, *, recorded_at: datetime, schedule: ReportingSchedule | None = None
    ) -> None:
        _aware(recorded_at, "recorded_at")
        self.row = row
        self.schedule = schedule or ReportingSchedule()
        self.events: list[Event] = []
        self.history: list[HistoryEntry] = []
        self.revisions: list[tuple[datetime, ReserveRow]] = [(recorded_at, row)]
        # (stage entered, real-world date); the first entry is the stage it was recorded at.
        self.stage_log: list[tuple[Stage, date]] = [(row.stage, local_date(recorded_at))]
        self.adjustments: list[Adjustment] = []
        self.reports: dict[str, ProgressReport] = {}
        self.milestones: dict[Stage, date] = {}
        self.evaluations: dict[int, Evaluation] = {}
        # Dispatch findings already announced: makes check_dispatch idempotent.
        self.flagged: set[str] = set()

    @property
    def id(self) -> str:
        """The stable sub-item id."""
        return self.row.subitem_id

    @property
    def stage(self) -> Stage:
        """The current maturity stage."""
        return self.row.stage

    def as_of(self, at: datetime) -> ReserveRow | None:
        """The row as it stood at `at`; None if the item was not yet recorded then."""
        _aware(at)
        found: ReserveRow | None = None
        for when, row in self.revisions:
            if when > at:
                break
            found = row
        return found

    # -- internals -------------------------------------------------------------------------

    def _flag(self, key: str) -> bool:
        if key in self.flagged:
            return False
        self.flagged.add(key)
        return True

    def _require_in_reserve(self) -> None:
        if not self.row.in_reserve:
            raise NotInReserve(self.id)

    def _require_adjustable(self) -> None:
        self._require_in_reserve()
        if self.row.stage not in ADJUSTABLE_STAGES:
            raise ConflictError(
                f"「{self.row.stage.zh}」阶段不能调整", f"stage {self.row.stage.value} is final"
            )

    def _set_stage(self, target: Stage, on: date, at: datetime, by: str, summary: str) -> None:
        change = FieldChange("stage", self.row.stage.value, target.value)
        self._record(at, by, "stage.changed", summary, (change,))
        self._set_row(at, dataclasses.replace(self.row, stage=target))
        self.stage_log.append((target, on))

    def _set_row(self, at: datetime, row: ReserveRow) -> None:
        self.row = row
        self.revisions.append((at, row))

    def _record(
        self,
        at: datetime,
        by: str,
        action: str,
        summary: str,
        changes: tuple[FieldChange, ...] = (),
    ) -> None:
        _aware(at)
        need_text(by, "操作人", "actor")
        last = self.history[-1].at if self.history else self.revisions[0][0]
        if at < last:
            raise InvalidValue(
                f"时间 {at} 早于上一条记录 {last}", f"time {at} is before the last record {last}"
            )
        self.history.append(HistoryEntry(at, by, action, summary, changes))
