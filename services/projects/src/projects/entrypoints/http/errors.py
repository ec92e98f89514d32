"""Bad input blamed on a request field, and what the routers document besides success.

Every error (projects.domain.errors, the use cases' NotFound/Forbidden/Busy/StateConflict/
ImportRefused, the core's) is a qingshan_core.errors subclass, rendered as problem details by
qingshan_core.problems (installed by the app factory): nothing is mapped here.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from projects.domain.errors import InvalidValue
from qingshan_core.errors import FieldProblem, RuleViolation
from qingshan_core.problems import ERRORS, MALFORMED, NOT_FOUND, Problem, conflict

ErrorOut = Problem

__all__ = ["ERRORS", "MALFORMED", "NOT_FOUND", "ErrorOut", "FieldError", "blame", "conflict"]


class FieldError(RuleViolation):
    """Bad input blamed on one request field (422 naming it)."""

    code = "invalid_value"

    def __init__(self, field: str, zh: str, en: str) -> None:
        super().__init__(zh, en, errors=[FieldProblem(field, zh, en)])
        self.zh, self.en = zh, en


@contextmanager
def blame(field: str) -> Iterator[None]:
    """Report a domain InvalidValue raised inside the block as a 422 on `field`."""
    try:
        yield
    except InvalidValue as err:
        raise FieldError(field, err.zh, err.en) from err


def aware_instant(at: datetime | None) -> datetime | None:
    """`at` unchanged if it carries a timezone; a 422 on `as_of` otherwise."""
    if at is not None and at.tzinfo is None:
        raise FieldError(
            "as_of",
            "as_of 须带时区，例如 2025-03-01T00:00:00+08:00",
            "as_of needs a timezone, e.g. 2025-03-01T00:00:00+08:00",
        )
    return at
