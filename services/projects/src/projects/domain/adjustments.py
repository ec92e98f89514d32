"""Dynamic adjustment (动态调整): which changes each kind of request may carry, and applying them.

"确需调整建设地点、建设规模、技术方案的应当按程序适时调整" — site, scale and technical plan, plus
(issue 4) investment and years. A request names its kind; the kind bounds the attributes it may
touch, so an approver of a "site" change is never surprised by a new budget.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from projects.domain.errors import InvalidValue
from projects.domain.events import FieldChange
from projects.domain.money import check_wan
from projects.domain.row import ReserveRow
from projects.domain.stages import Stage
from projects.domain.values import FundingMix, YearSpan


class AdjustmentKind(StrEnum):
    """What is being adjusted."""

    SITE = "site"
    SCALE = "scale"
    TECHNICAL = "technical"
    INVESTMENT = "investment"
    YEARS = "years"

    @property
    def zh(self) -> str:
        """The Chinese name of the kind."""
        return _KIND_ZH[self]


_KIND_ZH = {
    AdjustmentKind.SITE: "建设地点",
    AdjustmentKind.SCALE: "建设规模",
    AdjustmentKind.TECHNICAL: "技术方案",
    AdjustmentKind.INVESTMENT: "投资",
    AdjustmentKind.YEARS: "实施年度",
}

# Scale is content and money together (a bigger plant costs more); a technical change rewrites
# the content only; a pure budget change keeps the content.
ALLOWED_ATTRS: dict[AdjustmentKind, frozenset[str]] = {
    AdjustmentKind.SITE: frozenset({"location"}),
    AdjustmentKind.SCALE: frozenset({"content", "investment_wan", "funding"}),
    AdjustmentKind.TECHNICAL: frozenset({"content"}),
    AdjustmentKind.INVESTMENT: frozenset({"investment_wan", "funding"}),
    AdjustmentKind.YEARS: frozenset({"years"}),
}

# Once finished (完工 and after) there is nothing left to adjust; the record is history.
ADJUSTABLE_STAGES = frozenset(
    {
        Stage.RESERVE,
        Stage.FEASIBILITY,
        Stage.PRELIMINARY_DESIGN,
        Stage.TENDERING,
        Stage.IMPLEMENTATION,
    }
)

_ATTRS = ("content", "investment_wan", "years", "location", "funding")


@dataclass(frozen=True, kw_only=True)
class Changes:
    """Proposed (or previous) values; None means 'not part of this adjustment'."""

    content: str | None = None
    investment_wan: Decimal | None = None
    years: YearSpan | None = None
    location: str | None = None
    funding: FundingMix | None = None

    def attrs(self) -> frozenset[str]:
        """The attributes this change set carries."""
        return frozenset(a for a in _ATTRS if getattr(self, a) is not None)


class AdjustmentStatus(StrEnum):
    """Where a request stands."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


@dataclass
class Adjustment:
    """One request and its decision; `before` is the state the request was made against."""

    id: str
    kind: AdjustmentKind
    after: Changes
    before: Changes
    reason: str
    requested_by: str
    requested_at: datetime
    status: AdjustmentStatus = AdjustmentStatus.PENDING
    decided_by: str | None = None
    decided_at: datetime | None = None
    decision_note: str = ""

    def field_changes(self) -> tuple[FieldChange, ...]:
        """Before/after of every attribute the request touches, as text."""
        return tuple(
            FieldChange(a, render(getattr(self.before, a)), render(getattr(self.after, a)))
            for a in _ATTRS
            if a in self.after.attrs()
        )


def render(value: object) -> str:
    """Text form of an adjustable value for history entries."""
    if value is None:
        return ""
    if isinstance(value, FundingMix):
        return (
            f"中央{value.central}/市级{value.municipal}/区级{value.district}/社会资本{value.social}"
        )
    return str(value)


def current_values(row: ReserveRow, attrs: frozenset[str]) -> Changes:
    """The row's present values of `attrs`, as a Changes (unset where the row has None)."""
    return Changes(**{a: getattr(row, a) for a in attrs})


def validate_request(row: ReserveRow, kind: AdjustmentKind, after: Changes) -> None:
    """Refuse empty, out-of-kind, no-op or inconsistent changes."""
    attrs = after.attrs()
    if not attrs:
        raise InvalidValue("调整申请没有任何变更", "the adjustment changes nothing")
    extra = attrs - ALLOWED_ATTRS[kind]
    if extra:
        raise InvalidValue(
            f"「{kind.zh}」调整不能变更：{'、'.join(sorted(extra))}",
            f"a {kind.value} adjustment may not change: {', '.join(sorted(extra))}",
        )
    if all(getattr(after, a) == getattr(row, a) for a in attrs):
        raise InvalidValue("调整后的值与现值相同", "the proposed values equal the current ones")
    if after.content is not None and not after.content.strip():
        raise InvalidValue("项目内容不能为空", "content must not be empty")
    if after.location is not None and not after.location.strip():
        raise InvalidValue("建设地点不能为空", "location must not be empty")
    if after.investment_wan is not None:
        check_wan(after.investment_wan)
    result = apply_changes(row, after)
    if result.funding is not None:
        result.funding.check_within(result.investment_wan)


def apply_changes(row: ReserveRow, after: Changes) -> ReserveRow:
    """The row with the given attributes replaced."""
    return dataclasses.replace(row, **{a: getattr(after, a) for a in after.attrs()})
