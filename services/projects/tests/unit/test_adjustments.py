"""Dynamic adjustment (动态调整): request → approve/reject, before/after kept, "as of" roll-ups."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal

import pytest

from projects.domain.adjustments import AdjustmentKind, AdjustmentStatus, Changes
from projects.domain.errors import ConflictError, InvalidValue, NotInReserve
from projects.domain.events import (
    AdjustmentApproved,
    AdjustmentRejected,
    AdjustmentRequested,
    FieldChange,
)
from projects.domain.reserve import rows_as_of
from projects.domain.rollups import RollupBy, rollup
from projects.domain.row import ReserveRow
from projects.domain.stages import STAGE_ORDER, GateEvidence, Stage
from projects.domain.subitem import SubItem
from projects.domain.values import FundingMix, YearSpan

pytestmark = pytest.mark.unit

At = Callable[..., datetime]
MakeRow = Callable[..., ReserveRow]


@pytest.fixture
def item(make_row: MakeRow, at: At) -> SubItem:
    return SubItem.add(make_row(location="大溪河"), by="录入员", at=at("2025-01-02"))


def _scale_up(item: SubItem, at: At, day: str = "2025-02-01") -> str:
    adj = item.request_adjustment(
        AdjustmentKind.SCALE,
        Changes(investment_wan=Decimal("500"), content="扩大至两处水源地"),
        reason="新增水源地",
        by="申请人",
        at=at(day),
    )
    return adj.id


def test_request_keeps_before_and_after_without_applying(item: SubItem, at: At) -> None:
    adj_id = _scale_up(item, at)
    assert item.row.investment_wan == Decimal("365")  # nothing applied yet
    adj = item.adjustments[0]
    assert adj.id == adj_id and adj.status is AdjustmentStatus.PENDING
    assert adj.before == Changes(investment_wan=Decimal("365"), content=item.row.content)
    event = item.events[-1]
    assert isinstance(event, AdjustmentRequested) and event.kind == "scale"
    assert FieldChange("investment_wan", "365", "500") in event.changes
    assert item.history[-1].action == "adjustment.requested"


def test_approval_applies_the_change_with_history(item: SubItem, at: At) -> None:
    adj_id = _scale_up(item, at)
    item.approve_adjustment(adj_id, by="审批人", at=at("2025-02-05"), note="同意")
    assert item.row.investment_wan == Decimal("500")
    assert item.row.content == "扩大至两处水源地"
    adj = item.adjustments[0]
    assert (adj.status, adj.decided_by, adj.decision_note) == (
        AdjustmentStatus.APPROVED,
        "审批人",
        "同意",
    )
    event = item.events[-1]
    assert isinstance(event, AdjustmentApproved)
    assert FieldChange("investment_wan", "365", "500") in event.changes
    entry = item.history[-1]
    assert entry.action == "adjustment.approved" and entry.by == "审批人"
    assert FieldChange("investment_wan", "365", "500") in entry.changes


def test_rejection_changes_nothing_but_history(item: SubItem, at: At) -> None:
    adj_id = _scale_up(item, at)
    item.reject_adjustment(adj_id, reason="依据不足", by="审批人", at=at("2025-02-05"))
    assert item.row.investment_wan == Decimal("365")
    assert item.adjustments[0].status is AdjustmentStatus.REJECTED
    assert isinstance(item.events[-1], AdjustmentRejected)
    with pytest.raises(ConflictError, match="already rejected"):
        item.approve_adjustment(adj_id, by="审批人", at=at("2025-02-06"))


def test_rejection_needs_a_reason(item: SubItem, at: At) -> None:
    adj_id = _scale_up(item, at)
    with pytest.raises(InvalidValue):
        item.reject_adjustment(adj_id, reason="", by="审批人", at=at("2025-02-05"))


def test_decided_twice_or_unknown_is_a_conflict(item: SubItem, at: At) -> None:
    adj_id = _scale_up(item, at)
    item.approve_adjustment(adj_id, by="审批人", at=at("2025-02-05"))
    with pytest.raises(ConflictError, match="already approved"):
        item.reject_adjustment(adj_id, reason="x", by="审批人", at=at("2025-02-06"))
    with pytest.raises(ConflictError, match="no adjustment"):
        item.approve_adjustment("nope", by="审批人", at=at("2025-02-06"))


def test_requester_cannot_approve_own_request(item: SubItem, at: At) -> None:
    adj_id = _scale_up(item, at)
    with pytest.raises(ConflictError, match="self-approve"):
        item.approve_adjustment(adj_id, by="申请人", at=at("2025-02-05"))


@pytest.mark.parametrize(
    ("kind", "changes"),
    [
        (AdjustmentKind.SITE, Changes(investment_wan=Decimal(1))),
        (AdjustmentKind.TECHNICAL, Changes(investment_wan=Decimal(1))),
        (AdjustmentKind.INVESTMENT, Changes(content="新内容")),
        (AdjustmentKind.YEARS, Changes(location="别处")),
        (AdjustmentKind.SCALE, Changes(years=YearSpan(2022, 2025))),
    ],
)
def test_kind_bounds_the_attributes(
    item: SubItem, at: At, kind: AdjustmentKind, changes: Changes
) -> None:
    with pytest.raises(InvalidValue, match="may not change"):
        item.request_adjustment(kind, changes, reason="r", by="申请人", at=at("2025-02-01"))


@pytest.mark.parametrize(
    ("kind", "changes", "attr", "after"),
    [
        (AdjustmentKind.SITE, Changes(location="鱼泉河"), "location", "鱼泉河"),
        (AdjustmentKind.TECHNICAL, Changes(content="改用膜处理工艺"), "content", "改用膜处理工艺"),
        (AdjustmentKind.INVESTMENT, Changes(investment_wan=Decimal("300.5")), "investment_wan",
         Decimal("300.5")),
        (AdjustmentKind.YEARS, Changes(years=YearSpan(2022, 2026)), "years", YearSpan(2022, 2026)),
    ],
)  # fmt: skip
def test_each_kind_applies(
    item: SubItem, at: At, kind: AdjustmentKind, changes: Changes, attr: str, after: object
) -> None:
    adj = item.request_adjustment(kind, changes, reason="r", by="申请人", at=at("2025-02-01"))
    item.approve_adjustment(adj.id, by="审批人", at=at("2025-02-02"))
    assert getattr(item.row, attr) == after


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        (Changes(), "changes nothing"),
        (Changes(investment_wan=Decimal("365")), "equal the current"),
        (Changes(investment_wan=Decimal("-1")), "negative"),
        (Changes(content="  "), "must not be empty"),
    ],
)
def test_bad_requests_are_refused(item: SubItem, at: At, changes: Changes, fragment: str) -> None:
    with pytest.raises(InvalidValue, match=fragment):
        item.request_adjustment(
            AdjustmentKind.SCALE, changes, reason="r", by="申请人", at=at("2025-02-01")
        )
    assert item.adjustments == []


def test_request_needs_a_reason(item: SubItem, at: At) -> None:
    with pytest.raises(InvalidValue):
        item.request_adjustment(
            AdjustmentKind.SITE, Changes(location="别处"), reason="", by="a", at=at("2025-02-01")
        )


def test_funding_may_not_exceed_the_new_investment(make_row: MakeRow, at: At) -> None:
    mix = FundingMix(central=Decimal(300))
    item = SubItem.add(make_row(funding=mix), by="录入员", at=at("2025-01-02"))
    with pytest.raises(InvalidValue, match="exceeds the investment"):
        item.request_adjustment(
            AdjustmentKind.INVESTMENT,
            Changes(investment_wan=Decimal(200)),
            reason="压减",
            by="申请人",
            at=at("2025-02-01"),
        )
    ok = item.request_adjustment(
        AdjustmentKind.INVESTMENT,
        Changes(investment_wan=Decimal(200), funding=FundingMix(central=Decimal(150))),
        reason="压减",
        by="申请人",
        at=at("2025-02-01"),
    )
    item.approve_adjustment(ok.id, by="审批人", at=at("2025-02-02"))
    assert item.row.funding == FundingMix(central=Decimal(150))


def test_stale_request_cannot_be_approved(item: SubItem, at: At) -> None:
    first = _scale_up(item, at)
    second = item.request_adjustment(
        AdjustmentKind.INVESTMENT,
        Changes(investment_wan=Decimal(400)),
        reason="另案",
        by="申请人",
        at=at("2025-02-01"),
    )
    item.approve_adjustment(first, by="审批人", at=at("2025-02-02"))
    with pytest.raises(ConflictError, match="changed since the request"):
        item.approve_adjustment(second.id, by="审批人", at=at("2025-02-03"))


def test_withdrawal_rejects_pending_and_blocks_new_requests(item: SubItem, at: At) -> None:
    adj_id = _scale_up(item, at)
    item.withdraw(reason="不再实施", by="管理员", at=at("2025-02-03"))
    assert item.adjustments[0].status is AdjustmentStatus.REJECTED
    assert any(isinstance(e, AdjustmentRejected) for e in item.events)
    with pytest.raises(NotInReserve):
        _scale_up(item, at, "2025-02-04")
    with pytest.raises(ConflictError):
        item.approve_adjustment(adj_id, by="审批人", at=at("2025-02-04"))


def test_finished_items_cannot_be_adjusted(item: SubItem, at: At) -> None:
    while item.stage is not Stage.COMPLETED:
        nxt = STAGE_ORDER[item.stage.rank + 1]
        item.advance(nxt, GateEvidence(date(2025, 1, 3), "文号"), by="x", at=at("2025-01-03"))
    with pytest.raises(ConflictError, match="final"):
        _scale_up(item, at)


def test_rollup_as_of_before_and_after_an_approved_adjustment(make_row: MakeRow, at: At) -> None:
    a = SubItem.add(make_row(), by="录入员", at=at("2025-01-02"))
    b = SubItem.add(
        make_row(no=2, name="另一子项", investment="100"), by="录入员", at=at("2025-01-02")
    )
    adj_id = _scale_up(a, at)
    a.approve_adjustment(adj_id, by="审批人", at=at("2025-02-05", "15:00"))
    before = rollup(rows_as_of([a, b], at("2025-02-05", "14:59")), RollupBy.FIELD)
    after = rollup(rows_as_of([a, b], at("2025-02-05", "15:00")), RollupBy.FIELD)
    assert before.total.investment_wan == Decimal("465")
    assert after.total.investment_wan == Decimal("600")
    assert rollup(rows_as_of([a, b], at("2025-01-01")), RollupBy.FIELD).total.subitems == 0
