"""Domain exceptions, subclasses of the one contract in qingshan_core.errors: ValidationError
answers 422 naming the field, InvalidTransition 409 with the current state."""

from __future__ import annotations

from typing import Any

from qingshan_core import errors as core


class DomainError(core.QingshanError):
    """Base of every rule the risk domain refuses to break."""


class ValidationError(core.RuleViolation, DomainError):
    """A value that breaks a rule; names the field and says why in Chinese and English."""

    code = "invalid_value"

    def __init__(self, field: str, reason_zh: str, reason_en: str) -> None:
        loc: dict[str, Any] = {"loc": ["body", *field.split(".")], "type": "domain_rule"}
        super().__init__(
            f"{field}：{reason_zh}",
            f"{field}: {reason_en}",
            errors=[core.FieldProblem(field, reason_zh, reason_en, loc)],
        )
        self.reason_zh = reason_zh
        self.reason_en = reason_en

    def as_dict(self) -> dict[str, str]:
        """The error as the API body wants it."""
        return {"field": self.field or "", "reason_zh": self.reason_zh, "reason_en": self.reason_en}


class InvalidTransition(core.InvalidTransition, DomainError):
    """An action the aggregate's current state does not allow."""

    def __init__(self, current: str, action: str) -> None:
        super().__init__(
            f"当前状态“{current}”不允许“{action}”",
            f"cannot {action} in state {current}",
            current={"state": current},
            extra={"action": action},
        )
        self.current = current
        self.action = action


class UnlicensedReceiver(ValidationError):
    """The receiver holds no valid licence covering the waste on the shipment date.

    It carries the refusal event: nothing is saved, but the service layer must still publish
    the event (`risk.manifest.refused_unlicensed`) through the outbox.
    """

    code = "unlicensed_receiver"

    def __init__(self, field: str, reason_zh: str, reason_en: str, event: Any) -> None:
        super().__init__(field, reason_zh, reason_en)
        self.extra |= {"refused": True, "event": "risk.manifest.refused_unlicensed"}
        self.event = event
