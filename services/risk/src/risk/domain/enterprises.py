"""Enterprises as risk sources: identity, list memberships and their HJ 941 grading history."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import cast

from risk.domain.aggregate import Aggregate
from risk.domain.clock import require_aware
from risk.domain.credit_code import CreditCode
from risk.domain.errors import ValidationError
from risk.domain.events import RiskGraded
from risk.domain.geo import GeoPoint
from risk.domain.grading import GradingResult
from risk.domain.registry_events import EnterpriseRegistered, EnterpriseUpdated
from risk.domain.seeds import SoilKeyEnterprise

# Profile fields `update_profile` may change (the credit code has its own method).
PROFILE_FIELDS = ("name", "address", "industry", "park_cluster", "lists", "location")


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
        source_id: str = "",
        address: str | None = None,
        industry: str | None = None,
    ) -> None:
        super().__init__()
        if not name.strip():
            raise ValidationError("name", "须填写企业名称", "name is required")
        self.source_id = source_id
        self.name = name.strip()
        self.credit_code = credit_code
        self.park_cluster = park_cluster
        self.lists = frozenset(lists)
        self.location = location
        self.address = address
        self.industry = industry
        self.grading: GradingResult | None = None
        self.graded_at: datetime | None = None

    @classmethod
    def from_soil_seed(cls, entry: SoilKeyEnterprise) -> Enterprise:
        """An enterprise of 专栏7, member of that list."""
        return cls(name=entry.name, lists=[entry.list_name])

    @classmethod
    def register(
        cls,
        *,
        source_id: str,
        name: str,
        at: datetime,
        credit_code: CreditCode | None = None,
        park_cluster: str | None = None,
        lists: Iterable[str] = (),
        location: GeoPoint | None = None,
        address: str | None = None,
        industry: str | None = None,
        by: str | None = None,
    ) -> Enterprise:
        """Enter an enterprise into the registry (records EnterpriseRegistered)."""
        require_aware("at", at)
        enterprise = cls(
            source_id=source_id,
            name=name,
            credit_code=credit_code,
            park_cluster=park_cluster,
            lists=lists,
            location=location,
            address=address,
            industry=industry,
        )
        event = EnterpriseRegistered(
            at=at,
            source_id=source_id,
            credit_code=credit_code.value if credit_code else None,
            name=enterprise.name,
            park_cluster=park_cluster,
            lists=tuple(sorted(enterprise.lists)),
            industry=industry,
        )
        enterprise._record(at, "register", event, by=by)
        return enterprise

    def update_profile(
        self, at: datetime, changes: dict[str, object], by: str | None = None
    ) -> tuple[str, ...]:
        """Change profile fields (see PROFILE_FIELDS); returns the fields that really changed."""
        require_aware("at", at)
        unknown = sorted(set(changes) - set(PROFILE_FIELDS))
        if unknown:
            raise ValidationError(unknown[0], "不可修改的字段", "field cannot be changed here")
        if "name" in changes and not str(changes["name"] or "").strip():
            raise ValidationError("name", "须填写企业名称", "name is required")
        changed: list[str] = []
        for key in PROFILE_FIELDS:
            if key not in changes:
                continue
            value = changes[key]
            if key == "lists":  # null clears them, like an empty list
                value = frozenset(cast("Iterable[str]", value or ()))
            elif key == "name":
                value = str(value).strip()
            if getattr(self, key) != value:
                setattr(self, key, value)
                changed.append(key)
        if changed:
            self._updated(at, tuple(changed), by)
        return tuple(changed)

    def _updated(
        self, at: datetime, changed: tuple[str, ...], by: str | None, action: str = "update"
    ) -> None:
        event = EnterpriseUpdated(
            at=at,
            source_id=self.source_id,
            credit_code=self.credit_code.value if self.credit_code else None,
            changed_fields=changed,
        )
        self._record(at, action, event, detail=",".join(changed), by=by)

    def assign_credit_code(self, code: CreditCode, at: datetime, by: str | None = None) -> None:
        """Enter (or correct) the credit code."""
        require_aware("at", at)
        if self.credit_code == code:
            return
        self.credit_code = code
        self._updated(at, ("credit_code",), by, action="assign_credit_code")

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
            rules_version=result.rules_version,
        )
        detail = f"{result.label} (HJ 941 v{result.rules_version})"
        self._record(at, "grade", event, detail=detail, by=by)
