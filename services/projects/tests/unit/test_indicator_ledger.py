"""The indicator ledger (约束性指标台账): yearly values, status by direction, off-track events."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

import pytest

from projects.domain.errors import ConflictError, InvalidValue
from projects.domain.events import IndicatorOffTrack, IndicatorTargetSet, IndicatorValueRecorded
from projects.domain.indicator_ledger import IndicatorLedger, Status
from projects.domain.indicators import parse_indicators
from projects.domain.table_import import ImportRejected

pytestmark = pytest.mark.unit

At = Callable[..., datetime]


@pytest.fixture
def ledger(indicators_csv: bytes) -> IndicatorLedger:
    parsed = parse_indicators(indicators_csv)
    assert not isinstance(parsed, ImportRejected)
    return IndicatorLedger(parsed)


def _off_track(ledger: IndicatorLedger) -> list[IndicatorOffTrack]:
    return [e for e in ledger.events if isinstance(e, IndicatorOffTrack)]


def test_no_data_until_recorded(ledger: IndicatorLedger) -> None:
    statuses = ledger.statuses(2023)
    assert len(statuses) == 18 and {s.status for s in statuses} == {Status.NO_DATA}


@pytest.mark.parametrize(
    ("no", "value", "status"),
    [
        (1, "330", Status.MET),  # 优良天数 ≥330
        (1, "329", Status.NOT_MET),
        (2, "30", Status.MET),  # PM2.5 ≤30
        (2, "30.1", Status.NOT_MET),
        (2, "22", Status.MET),
        (13, "58", Status.MET),  # 森林覆盖率 ≥58
        (13, "57.9", Status.NOT_MET),
        (18, "0.650", Status.MET),  # 单位GDP能耗 ≤0.65
        (18, "0.66", Status.NOT_MET),
        (11, "100", Status.MET),
        (11, "99.9", Status.NOT_MET),
        (5, "12", Status.TARGET_PENDING),  # 由市级下达
        (14, "23", Status.TARGET_PENDING),  # 以国务院最终审批面积为准
    ],
)
def test_status_respects_direction(
    ledger: IndicatorLedger, at: At, no: int, value: str, status: Status
) -> None:
    s = ledger.record(no, 2024, Decimal(value), by="监测站", at=at("2025-01-10"))
    assert s.status is status and s.value == Decimal(value)
    assert ledger.status(no, 2024) == s
    assert isinstance(ledger.events[0], IndicatorValueRecorded)


def test_binding_off_track_emits_once(ledger: IndicatorLedger, at: At) -> None:
    ledger.record(2, 2024, Decimal(31), by="监测站", at=at("2025-01-10"))
    [event] = _off_track(ledger)
    assert (event.indicator_no, event.year, event.value, event.target) == (
        2,
        2024,
        Decimal(31),
        Decimal(30),
    )
    assert event.direction == "lower_is_better" and event.name.startswith("细颗粒物")
    ledger.record(2, 2024, Decimal(32), by="监测站", at=at("2025-01-11"))  # still off track
    assert len(_off_track(ledger)) == 1
    ledger.record(2, 2024, Decimal(29), by="监测站", at=at("2025-01-12"))  # back on track
    ledger.record(2, 2024, Decimal(31), by="监测站", at=at("2025-01-13"))  # off again: news
    assert len(_off_track(ledger)) == 2
    assert [h.before for h in ledger.history] == ["", "31", "32", "29"]


def test_expected_indicators_do_not_emit(ledger: IndicatorLedger, at: At) -> None:
    s = ledger.record(15, 2024, Decimal(30), by="住建委", at=at("2025-01-10"))
    assert s.status is Status.NOT_MET and _off_track(ledger) == []


def test_target_handed_down_later(ledger: IndicatorLedger, at: At) -> None:
    ledger.record(5, 2024, Decimal(8), by="生态环境局", at=at("2025-01-10"))
    assert _off_track(ledger) == []
    ledger.set_target(5, Decimal(10), by="市生态环境局", at=at("2025-02-01"))
    assert isinstance(ledger.events[-2], IndicatorTargetSet)
    [event] = _off_track(ledger)
    assert (event.year, event.target) == (2024, Decimal(10))
    assert ledger.status(5, 2024).status is Status.NOT_MET
    assert ledger.status(5, 2025).status is Status.NO_DATA
    s = ledger.record(5, 2025, Decimal(10), by="生态环境局", at=at("2026-01-10"))
    assert s.status is Status.MET  # 10% reduction meets a 10% reduction target


def test_year_specific_target_overrides(ledger: IndicatorLedger, at: At) -> None:
    ledger.set_target(13, Decimal(56), year=2022, by="林业局", at=at("2022-01-05"))
    assert ledger.target_for(13, 2022) == Decimal(56)
    assert ledger.target_for(13, 2023) == Decimal(58)
    assert ledger.record(13, 2022, Decimal("56.5"), by="林业局", at=at("2023-01-05")).status is (
        Status.MET
    )
    assert ledger.record(13, 2023, Decimal(57), by="林业局", at=at("2024-01-05")).status is (
        Status.NOT_MET
    )


def test_bad_entries(ledger: IndicatorLedger, at: At) -> None:
    with pytest.raises(ConflictError):
        ledger.record(19, 2024, Decimal(1), by="x", at=at("2025-01-10"))
    with pytest.raises(InvalidValue):
        ledger.record(1, 1999, Decimal(1), by="x", at=at("2025-01-10"))
    with pytest.raises(InvalidValue):
        ledger.record(1, 2024, Decimal("NaN"), by="x", at=at("2025-01-10"))
    with pytest.raises(InvalidValue):
        ledger.record(1, 2024, Decimal(1), by=" ", at=at("2025-01-10"))
    with pytest.raises(InvalidValue):
        ledger.record(1, 2024, Decimal(1), by="x", at=datetime(2025, 1, 10))
    with pytest.raises(InvalidValue):
        ledger.set_target(5, Decimal("Infinity"), by="x", at=at("2025-01-10"))
    assert ledger.values == {} and ledger.events == []
