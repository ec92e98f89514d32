"""Enterprises as risk sources: identity, list memberships and their HJ 941 grading history."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from risk.domain.aggregate import Aggregate
from risk.domain.clock import require_aware
from risk.domain.credit_code import CreditCode
from risk.domain.errors import ValidationError
from risk.domain.events import RiskGraded
from risk.domain.geo import GeoPoint
from risk.domain.grading import GradingResult
from risk.domain.seeds import SoilKeyEnterprise


class Enterprise(Aggregate):
    """A registered enterprise; seed entries may lack a credit code until one is entered."""

    def __init__(
        self,
        *,
        name: str,
        credit_code: CreditCode | None = None,
        park_cluster: str | None = None,
        lists: Iterable[str] = (),
        location: GeoPoint | None = None,
    ) -> None:
        super().__init__()
        if not name.strip():
            raise ValidationError("name", "须填写企业名称", "name is required")
        self.name = name.strip()
        self.credit_code = credit_code
        self.park_cluster = park_cluster
        self.lists = frozenset(lists)
        self.location = location
        self.grading: GradingResult | None = None
        self.graded_at: datetime | None = None

    @classmethod
    def from_soil_seed(cls, entry: SoilKeyEnterprise) -> Enterprise:
        """An enterprise of 专栏7, member of that list."""
        return cls(name=entry.name, lists=[entry.list_name])

    def assign_credit_code(self, code: CreditCode, at: datetime, by: str | None = None) -> None:
        """Enter (or correct) the credit code."""
        require_aware("at", at)
        self.credit_code = code
        self._record(at, "assign_credit_code", detail=code.value, by=by)

    def record_grading(self, result: GradingResult, at: datetime, by: str | None = None) -> None:
        """Keep the latest grading; every grading stays in the history."""
        require_aware("at", at)
        if self.credit_code is None:
            raise ValidationError(
                "credit_code", "定级前须登记统一社会信用代码", "grading needs a credit code"
            )
        self.grading = result
        self.graded_at = at
        event = RiskGraded(
            at=at,
            credit_code=self.credit_code.value,
            level=result.level.value,
            label=result.label,
            upgraded=result.upgraded,
        )
        self._record(at, "grade", event, detail=result.label, by=by)
