"""What a re-import may change on a recorded sub-item, and what must go through an adjustment.

A re-imported row that differs from the stored one is a table correction only for attributes
no approval governs: 序号 (rows inserted elsewhere renumber the table), 牵头单位 and 项目来源.
Content, investment, years, site and funding are exactly what 动态调整 governs
("确需调整建设地点、建设规模、技术方案的应当按程序适时调整"): a spreadsheet must not bypass the
request/approve step, so such a row is refused with the adjustment to file instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from projects.domain.adjustments import AdjustmentKind, render
from projects.domain.events import FieldChange
from projects.domain.row import ReserveRow
from projects.domain.values import join_lead_units

CORRECTABLE: tuple[str, ...] = ("no", "lead_units", "source")

# Attribute → (Chinese name, the adjustment kind that changes it).
ADJUSTMENT_ONLY: dict[str, tuple[str, AdjustmentKind]] = {
    "content": ("项目内容", AdjustmentKind.TECHNICAL),
    "investment_wan": ("投资额", AdjustmentKind.INVESTMENT),
    "years": ("实施年度", AdjustmentKind.YEARS),
    "location": ("建设地点", AdjustmentKind.SITE),
    "funding": ("资金来源", AdjustmentKind.INVESTMENT),
}


@dataclass(frozen=True)
class RefusedChange:
    """An attribute a re-import tried to change that only an adjustment may change."""

    attr: str
    zh: str
    en: str


def _text(attr: str, row: ReserveRow) -> str:
    value = getattr(row, attr)
    if attr == "lead_units":
        return join_lead_units(value)
    return render(value)


def table_changes(
    old: ReserveRow, new: ReserveRow
) -> tuple[tuple[FieldChange, ...], tuple[RefusedChange, ...]]:
    """Split the differences of a re-imported row into corrections and refused changes."""
    corrections = tuple(
        FieldChange(a, _text(a, old), _text(a, new))
        for a in CORRECTABLE
        if getattr(old, a) != getattr(new, a)
    )
    refused: list[RefusedChange] = []
    for attr, (zh, kind) in ADJUSTMENT_ONLY.items():
        before, after = getattr(old, attr), getattr(new, attr)
        if before != after:
            refused.append(
                RefusedChange(
                    attr,
                    f"子项已入库，{zh}由「{render(before)}」改为「{render(after)}」须提交"
                    f"「{kind.zh}」动态调整申请并经批准，不能通过导入修改",
                    f"the sub-item is recorded: changing {attr} needs a {kind.value} "
                    "adjustment request and its approval, not an import",
                )
            )
    return corrections, tuple(refused)
