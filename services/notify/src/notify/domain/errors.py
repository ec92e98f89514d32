"""Domain errors; every message is bilingual (English / 中文) because users see them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an input: where (a field path) and why."""

    field: str
    message: str


class NotifyError(Exception):
    """Base of the notify domain's errors."""


class ValidationFailed(NotifyError):
    """Input that must be refused when it is saved (→ 422)."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in problems))
        self.problems = problems


class NotFound(NotifyError):
    """The named thing does not exist (→ 404)."""


class Conflict(NotifyError):
    """The thing already exists or changed meanwhile (→ 409)."""


class InvalidTransition(NotifyError):
    """A delivery cannot move from its state in the way asked."""


def invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed([Problem(field, message)])
