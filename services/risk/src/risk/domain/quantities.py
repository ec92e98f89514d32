"""Waste quantities: exact decimals with a unit, compared in tonnes."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from risk.domain.errors import ValidationError


class Unit(StrEnum):
    """Units the manifests and ledgers use."""

    TONNE = "t"
    KILOGRAM = "kg"


_PER_TONNE = {Unit.TONNE: Decimal(1), Unit.KILOGRAM: Decimal(1000)}


def to_decimal(field: str, value: Decimal | int | str) -> Decimal:
    """Exact decimal from user input; floats are refused because they are not exact."""
    if isinstance(value, float):
        raise ValidationError(field, "数量不得使用浮点数", "quantities must not be floats")
    try:
        result = Decimal(value)
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError(field, "不是有效数字", "not a valid number") from exc
    if not result.is_finite():
        raise ValidationError(field, "数量必须是有限数", "quantity must be finite")
    return result


@dataclass(frozen=True, slots=True)
class Quantity:
    """A non-negative amount with its unit; `Quantity.positive` for the usual input check."""

    amount: Decimal
    unit: Unit = Unit.TONNE

    def __post_init__(self) -> None:
        if self.amount < 0:
            raise ValidationError("quantity", "数量不能为负", "quantity must not be negative")

    @classmethod
    def of(cls, amount: Decimal | int | str, unit: Unit | str = Unit.TONNE) -> Quantity:
        """Parse an amount and a unit (t or kg)."""
        try:
            parsed_unit = Unit(unit)
        except ValueError as exc:
            raise ValidationError("unit", "单位须为 t 或 kg", "unit must be t or kg") from exc
        return cls(to_decimal("quantity", amount), parsed_unit)

    @classmethod
    def positive(cls, amount: Decimal | int | str, unit: Unit | str = Unit.TONNE) -> Quantity:
        """Parse an amount that must be strictly positive (dispatches, stock entries)."""
        q = cls.of(amount, unit)
        if q.amount <= 0:
            raise ValidationError("quantity", "数量必须大于零", "quantity must be positive")
        return q

    @property
    def tonnes(self) -> Decimal:
        """The amount in tonnes, exact."""
        return self.amount / _PER_TONNE[self.unit]

    def __str__(self) -> str:
        return f"{self.amount} {self.unit.value}"


ZERO = Quantity(Decimal(0))
