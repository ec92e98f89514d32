"""Manifest lines and the comparison of what was shipped with what the receiver confirmed."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from risk.domain.errors import ValidationError
from risk.domain.events import DiscrepancyLine
from risk.domain.quantities import ZERO, Quantity
from risk.domain.waste_codes import WasteCode


@dataclass(frozen=True, slots=True)
class ManifestLine:
    """One waste code and the quantity dispatched (must be positive)."""

    code: WasteCode
    quantity: Quantity

    def __post_init__(self) -> None:
        if self.quantity.amount <= 0:
            raise ValidationError("lines.quantity", "转移数量必须大于零", "must be positive")


@dataclass(frozen=True, slots=True)
class ReceiptLine:
    """What the receiver confirms for one code: accepted and rejected (拒收) quantities."""

    code: WasteCode
    received: Quantity
    rejected: Quantity = ZERO


class DiscrepancyKind(StrEnum):
    """Kinds of difference the receiver's confirmation can show."""

    QUANTITY = "数量不符"
    UNEXPECTED_CODE = "种类不符（联单未载明）"
    MISSING_CODE = "未收到"
    PARTIAL_REJECTION = "部分拒收"
    FULL_REJECTION = "全部拒收"


def unique_codes(field: str, codes: Sequence[WasteCode]) -> None:
    """Refuse the same code twice in one list: one line per code keeps the comparison exact."""
    if len(set(codes)) != len(codes):
        raise ValidationError(field, "同一废物代码只能出现一次", "each waste code may appear once")


def compare(
    shipped: Iterable[ManifestLine],
    received: Iterable[ReceiptLine],
    tolerance_t: Decimal = Decimal(0),
) -> tuple[DiscrepancyLine, ...]:
    """Every difference, code by code; a receipt larger than dispatched is one, not an error."""
    sent = {line.code: line.quantity.tonnes for line in shipped}
    got = {line.code: line for line in received}
    found: list[DiscrepancyLine] = []
    for code, sent_t in sorted(sent.items()):
        line = got.get(code)
        if line is None:
            found.append(_line(DiscrepancyKind.MISSING_CODE, code, sent_t, Decimal(0), Decimal(0)))
            continue
        recv_t, rej_t = line.received.tonnes, line.rejected.tonnes
        if rej_t > 0:
            kind = (
                DiscrepancyKind.FULL_REJECTION if recv_t == 0 else DiscrepancyKind.PARTIAL_REJECTION
            )
            found.append(_line(kind, code, sent_t, recv_t, rej_t))
        if abs(recv_t + rej_t - sent_t) > tolerance_t:
            found.append(_line(DiscrepancyKind.QUANTITY, code, sent_t, recv_t, rej_t))
    for code, line in sorted(got.items()):
        if code not in sent:
            found.append(
                _line(
                    DiscrepancyKind.UNEXPECTED_CODE,
                    code,
                    Decimal(0),
                    line.received.tonnes,
                    line.rejected.tonnes,
                )
            )
    return tuple(found)


def _line(
    kind: DiscrepancyKind, code: WasteCode, sent: Decimal, got: Decimal, rejected: Decimal
) -> DiscrepancyLine:
    return DiscrepancyLine(
        kind=kind.name.lower(),
        kind_zh=kind.value,
        waste_code=code.value,
        shipped_t=sent,
        received_t=got,
        rejected_t=rejected,
    )
