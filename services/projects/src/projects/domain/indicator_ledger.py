"""The binding-indicator ledger (约束性指标台账): yearly values, targets set later, and status.

Each year's value is judged against that year's target if one was set, else the target set for
all years, else the plan's 2025 target: meeting the end-of-plan level is what "on track" means
until the city hands down yearly targets. Pending targets (由市级下达) judge nothing until set.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from projects.domain.errors import ConflictError, InvalidValue, require_aware
from projects.domain.events import (
    Event,
    IndicatorOffTrack,
    IndicatorTargetSet,
    IndicatorValueRecorded,
)
from projects.domain.indicators import Direction, Indicator, IndicatorKind
from projects.domain.values import MAX_YEAR, MIN_YEAR


class Status(StrEnum):
    """An indicator's standing in a year."""

    MET = "met"
    NOT_MET = "not_met"
    NO_DATA = "no_data"
    TARGET_PENDING = "target_pending"


@dataclass(frozen=True)
class Measurement:
    """A value entered by the indicator's owner for one year."""

    year: int
    value: Decimal
    by: str
    at: datetime
    note: str = ""


@dataclass(frozen=True)
class IndicatorStatus:
    """An indicator's standing in one year."""

    indicator_no: int
    name: str
    year: int
    value: Decimal | None
    target: Decimal | None
    direction: Direction
    status: Status


@dataclass(frozen=True)
class LedgerEntry:
    """One line of the ledger's append-only history."""

    at: datetime
    by: str
    indicator_no: int
    action: str
    year: int | None
    before: str
    after: str


class IndicatorLedger:
    """Aggregate: the plan's indicators and what was measured against them."""

    def __init__(self, indicators: Iterable[Indicator]) -> None:
        self.indicators: dict[int, Indicator] = {i.no: i for i in indicators}
        self.values: dict[tuple[int, int], Measurement] = {}
        # (indicator, year) → target; year None applies to every year without its own.
        self.targets: dict[tuple[int, int | None], Decimal] = {}
        self.history: list[LedgerEntry] = []
        self.events: list[Event] = []

    def indicator(self, no: int) -> Indicator:
        """The indicator numbered `no`; ConflictError if the ledger has none."""
        try:
            return self.indicators[no]
        except KeyError:
            raise ConflictError(f"无此指标：{no}", f"no indicator {no}") from None

    def target_for(self, no: int, year: int) -> Decimal | None:
        """The target `year` is judged against, None while pending."""
        if (no, year) in self.targets:
            return self.targets[(no, year)]
        if (no, None) in self.targets:
            return self.targets[(no, None)]
        return self.indicator(no).target.value

    def status(self, no: int, year: int) -> IndicatorStatus:
        """Met / not met / no data / target pending for one indicator and year."""
        ind = self.indicator(no)
        m = self.values.get((no, year))
        target = self.target_for(no, year)
        if m is None:
            status = Status.NO_DATA
        elif target is None:
            status = Status.TARGET_PENDING
        else:
            status = Status.MET if ind.meets(m.value, target) else Status.NOT_MET
        value = m.value if m else None
        return IndicatorStatus(no, ind.name, year, value, target, ind.direction, status)

    def statuses(self, year: int) -> list[IndicatorStatus]:
        """Every indicator's status for `year`, in indicator order."""
        return [self.status(no, year) for no in sorted(self.indicators)]

    def record(
        self, no: int, year: int, value: Decimal, *, by: str, at: datetime, note: str = ""
    ) -> IndicatorStatus:
        """Enter (or correct) a year's value; a binding indicator going off track emits."""
        self.indicator(no)
        _check_year(year)
        if not value.is_finite():
            raise InvalidValue(f"指标值不是有限数：{value}", f"value is not finite: {value}")
        old = self.values.get((no, year))
        before = self.status(no, year).status
        self._log(at, by, no, "value.recorded", year, str(old.value) if old else "", str(value))
        self.values[(no, year)] = Measurement(year, value, by, at, note)
        self.events.append(
            IndicatorValueRecorded(indicator_no=no, at=at, year=year, value=value, by=by)
        )
        return self._reassess(no, year, before, at)

    def set_target(
        self, no: int, target: Decimal, *, by: str, at: datetime, year: int | None = None
    ) -> None:
        """Set a target handed down later (由市级下达), for one year or for all years."""
        self.indicator(no)
        if year is not None:
            _check_year(year)
        if not target.is_finite():
            raise InvalidValue(f"目标值不是有限数：{target}", f"target is not finite: {target}")
        years = [y for (n, y) in self.values if n == no and (year is None or y == year)]
        before = {y: self.status(no, y).status for y in years}
        old = self.targets.get((no, year))
        self._log(at, by, no, "target.set", year, str(old) if old is not None else "", str(target))
        self.targets[(no, year)] = target
        self.events.append(
            IndicatorTargetSet(indicator_no=no, at=at, year=year, target=target, by=by)
        )
        for y in sorted(years):
            self._reassess(no, y, before[y], at)

    def _reassess(self, no: int, year: int, before: Status, at: datetime) -> IndicatorStatus:
        now = self.status(no, year)
        ind = self.indicators[no]
        # Only the move onto "not met" is news; re-entering the same bad value is not.
        if (
            ind.kind is IndicatorKind.BINDING
            and now.status is Status.NOT_MET
            and before is not Status.NOT_MET
            and now.value is not None
            and now.target is not None
        ):
            self.events.append(
                IndicatorOffTrack(
                    indicator_no=no,
                    at=at,
                    name=ind.name,
                    year=year,
                    value=now.value,
                    target=now.target,
                    direction=ind.direction.value,
                )
            )
        return now

    def _log(
        self, at: datetime, by: str, no: int, action: str, year: int | None, before: str, after: str
    ) -> None:
        require_aware(at)
        if not by.strip():
            raise InvalidValue("操作人不能为空", "actor must not be empty")
        self.history.append(LedgerEntry(at, by, no, action, year, before, after))


def _check_year(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise InvalidValue(f"年份超出范围：{year}", f"year out of range: {year}")
