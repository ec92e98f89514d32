"""Domain exceptions: the API maps ValidationError to 422 and InvalidTransition to 409."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every rule the risk domain refuses to break."""


class ValidationError(DomainError):
    """A value that breaks a rule; names the field and says why in Chinese and English."""

    def __init__(self, field: str, reason_zh: str, reason_en: str) -> None:
        super().__init__(f"{field}: {reason_zh} / {reason_en}")
        self.field = field
        self.reason_zh = reason_zh
        self.reason_en = reason_en

    def as_dict(self) -> dict[str, str]:
        """The error as the API body wants it."""
        return {"field": self.field, "reason_zh": self.reason_zh, "reason_en": self.reason_en}


class InvalidTransition(DomainError):
    """An action the aggregate's current state does not allow."""

    def __init__(self, current: str, action: str) -> None:
        super().__init__(
            f"当前状态“{current}”不允许“{action}” / cannot {action} in state {current}"
        )
        self.current = current
        self.action = action


class UnlicensedReceiver(ValidationError):
    """The receiver holds no valid licence covering the waste on the shipment date.

    It carries the refusal event: nothing is saved, but the service layer must still publish
    the event (`risk.manifest.refused_unlicensed`) through the outbox.
    """

    def __init__(self, field: str, reason_zh: str, reason_en: str, event: Any) -> None:
        super().__init__(field, reason_zh, reason_en)
        self.event = event
