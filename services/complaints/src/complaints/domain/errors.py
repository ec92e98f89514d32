"""Domain exceptions: the API maps InvalidTransition 409, Forbidden 403, RuleViolation 422."""

from __future__ import annotations

from complaints.domain.model import Action, Role, Status


class DomainError(Exception):
    """Base of every complaints domain error."""


class InvalidTransition(DomainError):
    """The action is not possible in the complaint's current state."""

    def __init__(self, current_state: Status, action: Action) -> None:
        """Record the state and the refused action (the API returns the state with 409)."""
        super().__init__(f"cannot {action.value} a complaint in state {current_state.value}")
        self.current_state = current_state
        self.action = action


class Forbidden(DomainError):
    """The actor's role (or unit) may not perform the action."""

    def __init__(self, role: Role, action: Action, reason: str = "role not allowed") -> None:
        """Record who was refused what, and why."""
        super().__init__(f"{role.value} may not {action.value}: {reason}")
        self.role = role
        self.action = action
        self.reason = reason


class RuleViolation(DomainError):
    """A business rule refused the command; ``code`` is stable for clients to translate."""

    def __init__(self, code: str, message: str) -> None:
        """Keep a stable machine code next to the human message."""
        super().__init__(message)
        self.code = code
        self.message = message
