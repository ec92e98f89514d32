"""Domain errors and the clock rules every aggregate shares.

Two families, subclasses of the one contract in qingshan_core.errors: `InvalidValue` is bad
input (422), `ConflictError` is a request the current state forbids (409).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from qingshan_core import errors as core

# The bureau works on Beijing time; "today" for deadlines is the local calendar date.
LOCAL_TZ = ZoneInfo("Asia/Shanghai")


class DomainError(core.QingshanError):
    """Base of every rule violation raised by the projects domain."""

    def __init__(self, zh: str, en: str, **problem: Any) -> None:
        super().__init__(zh, en, **problem)
        self.zh = zh
        self.en = en


class InvalidValue(core.RuleViolation, DomainError, ValueError):
    """A value that can never be valid (negative money, years out of order, ...); a 422 on
    `field` (the request body, unless the entrypoint blames a field)."""

    code = "invalid_value"

    def __init__(self, zh: str, en: str, field: str = "body") -> None:
        super().__init__(zh, en, errors=[core.FieldProblem(field, zh, en)])


class ConflictError(core.Conflict, DomainError):
    """A request that the aggregate's current state does not allow."""


class NotInReserve(ConflictError):
    """The sub-item has left the reserve (出库): nothing may change until it re-enters."""

    code = "not_in_reserve"

    def __init__(self, subitem_id: str) -> None:
        super().__init__(f"子项 {subitem_id} 已出库", f"sub-item {subitem_id} has left the reserve")
        self.subitem_id = subitem_id


def require_aware(at: datetime, what: str = "at") -> datetime:
    """Return `at` unchanged, refusing naive datetimes (history must be unambiguous)."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise InvalidValue(f"{what} 缺少时区", f"{what} must be timezone-aware")
    return at


def local_date(at: datetime) -> date:
    """The Beijing calendar date of an aware instant."""
    return require_aware(at).astimezone(LOCAL_TZ).date()
