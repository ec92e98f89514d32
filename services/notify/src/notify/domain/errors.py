"""Domain errors, subclasses of the one contract in qingshan_core.errors.

Messages are written "English / 中文[: key]"; each error carries both languages apart.
"""

from __future__ import annotations

from dataclasses import dataclass

from qingshan_core import errors as core


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an input: where (a field path) and why."""

    field: str
    message: str


def zh_en(message: str) -> tuple[str, str]:
    """("中文[: key]", "English[: key]") from "English / 中文[: key]" (the key is in both)."""
    zh, en = core.bilingual(message)
    _, colon, key = zh.rpartition(": ")
    if colon and key and zh != en and key not in en:
        en = f"{en}: {key}"
    return zh, en


class NotifyError(core.QingshanError):
    """Base of the notify domain's errors."""

    def __init__(self, message: str) -> None:
        super().__init__(*zh_en(message))


class ValidationFailed(core.RuleViolation, NotifyError):
    """Input that must be refused when it is saved (→ 422, every field named)."""

    code = "invalid_value"

    def __init__(self, problems: list[Problem]) -> None:
        items = [core.FieldProblem(p.field, *zh_en(p.message)) for p in problems]
        core.QingshanError.__init__(  # not NotifyError's: both languages are known here
            self,
            "；".join(f"{i.field}：{i.detail}" for i in items),
            "; ".join(f"{i.field}: {i.detail_en}" for i in items),
            errors=items,
        )
        self.problems = problems


class NotFound(core.NotFound, NotifyError):
    """The named thing does not exist (→ 404)."""


class Conflict(core.Conflict, NotifyError):
    """The thing already exists or changed meanwhile (→ 409)."""


class InvalidTransition(core.InvalidTransition, NotifyError):
    """A delivery cannot move from its state in the way asked."""


def invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed([Problem(field, message)])
