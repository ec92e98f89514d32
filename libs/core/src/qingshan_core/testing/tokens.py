"""Development tokens for in-process test harnesses (the services accept them in `test`)."""

from __future__ import annotations

from qingshan_core.auth import TokenCodec


class SignsDevelopmentTokens:
    """A harness holding a `codec`: `auth(role)` is the Authorization header of a development
    token for that role (the subject `<role>-1` unless named; a unit handler's unit)."""

    codec: TokenCodec

    def auth(self, role: str, unit: str | None = None, sub: str | None = None) -> dict[str, str]:
        """Headers signed as `role` (Role members are strings too)."""
        token = self.codec.issue(sub or f"{role}-1", role, unit=unit)
        return {"Authorization": f"Bearer {token}"}
