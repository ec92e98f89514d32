"""应急预案: filed within 20 working days of signing, reviewed at least every 3 years.

企业事业单位突发环境事件应急预案备案管理办法（试行）(环发〔2015〕4号).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from risk.domain.aggregate import Aggregate
from risk.domain.clock import WorkingDayDeadline, add_years_dt, require_aware
from risk.domain.credit_code import CreditCode
from risk.domain.errors import InvalidTransition, ValidationError
from risk.domain.events import (
    EmergencyPlanFiled,
    EmergencyPlanFilingDueSoon,
    EmergencyPlanFilingOverdue,
    EmergencyPlanRegistered,
    EmergencyPlanReviewDueSoon,
    EmergencyPlanReviewed,
    EmergencyPlanReviewOverdue,
)


class PlanStatus(StrEnum):
    PENDING_FILING = "待备案"
    FILED = "已备案"
    SUPERSEDED = "已废止"


@dataclass(frozen=True)
class PlanRules:
    """Limits and how long before each one to warn."""

    filing_working_days: int = 20
    review_years: int = 3
    filing_warning: timedelta = timedelta(days=5)
    review_warning: timedelta = timedelta(days=90)


DEFAULT_PLAN_RULES = PlanRules()


class EmergencyPlan(Aggregate):
    """One signed plan of one enterprise; a revision is a new plan superseding this one."""

    def __init__(
        self,
        plan_id: str,
        enterprise: CreditCode,
        title: str,
        signed_at: datetime,
        file_by: datetime,
    ) -> None:
        super().__init__()
        self.plan_id = plan_id
        self.enterprise = enterprise
        self.title = title
        self.signed_at = signed_at
        self.file_by = file_by
        self.status = PlanStatus.PENDING_FILING
        self.filing_number: str | None = None
        self.filed_at: datetime | None = None
        self.review_by: datetime | None = None
        self.last_reviewed_at: datetime | None = None
        # Each warning goes out once per deadline; a new review cycle re-arms the review ones.
        self.notices_sent: set[str] = set()

    @classmethod
    def register(
        cls,
        *,
        plan_id: str,
        enterprise: CreditCode,
        title: str,
        signed_at: datetime,
        working_day_deadline: WorkingDayDeadline,
        rules: PlanRules = DEFAULT_PLAN_RULES,
        by: str | None = None,
    ) -> EmergencyPlan:
        """A plan signed and published (签署发布); the filing clock starts then."""
        require_aware("signed_at", signed_at)
        if not title.strip():
            raise ValidationError("title", "须填写预案名称", "title is required")
        file_by = working_day_deadline(signed_at, rules.filing_working_days)
        plan = cls(plan_id, enterprise, title.strip(), signed_at, file_by)
        event = EmergencyPlanRegistered(
            at=signed_at, plan_id=plan_id, credit_code=enterprise.value, file_by=file_by
        )
        plan._record(signed_at, "register", event, by=by)
        return plan

    def file(
        self,
        filing_number: str,
        filed_at: datetime,
        rules: PlanRules = DEFAULT_PLAN_RULES,
        by: str | None = None,
    ) -> None:
        """备案 with the county bureau; late filing is recorded, not refused."""
        if self.status is not PlanStatus.PENDING_FILING:
            raise InvalidTransition(self.status.value, "file")
        require_aware("filed_at", filed_at)
        if not filing_number.strip():
            raise ValidationError("filing_number", "须填写备案编号", "filing number is required")
        if filed_at < self.signed_at:
            raise ValidationError("filed_at", "备案时间早于签署时间", "filed before signed")
        self.status = PlanStatus.FILED
        self.filing_number = filing_number.strip()
        self.filed_at = filed_at
        self.review_by = add_years_dt(filed_at, rules.review_years)
        event = EmergencyPlanFiled(
            at=filed_at,
            plan_id=self.plan_id,
            credit_code=self.enterprise.value,
            filing_number=self.filing_number,
            late=filed_at > self.file_by,
            review_by=self.review_by,
        )
        self._record(filed_at, "file", event, by=by)

    def record_review(
        self, at: datetime, rules: PlanRules = DEFAULT_PLAN_RULES, by: str | None = None
    ) -> None:
        """回顾性评估 done: the next one is due `review_years` later."""
        if self.status is not PlanStatus.FILED:
            raise InvalidTransition(self.status.value, "review")
        require_aware("at", at)
        assert self.filed_at is not None
        if at < self.filed_at:
            raise ValidationError("reviewed_at", "评估时间早于备案时间", "reviewed before filed")
        self.last_reviewed_at = at
        self.review_by = add_years_dt(at, rules.review_years)
        self.notices_sent -= {"review_due_soon", "review_overdue"}
        event = EmergencyPlanReviewed(
            at=at, plan_id=self.plan_id, credit_code=self.enterprise.value, review_by=self.review_by
        )
        self._record(at, "review", event, by=by)

    def supersede(self, at: datetime, by: str | None = None) -> None:
        """Replaced by a revised plan: no more deadlines for this one."""
        if self.status is PlanStatus.SUPERSEDED:
            raise InvalidTransition(self.status.value, "supersede")
        require_aware("at", at)
        self.status = PlanStatus.SUPERSEDED
        self._record(at, "supersede", by=by)

    def check_deadlines(self, now: datetime, rules: PlanRules = DEFAULT_PLAN_RULES) -> None:
        """Record due-soon and overdue events, each once per deadline."""
        require_aware("now", now)
        code = self.enterprise.value
        if self.status is PlanStatus.PENDING_FILING:
            due = self.file_by
            if now > due:
                self._once(
                    now,
                    "filing_overdue",
                    EmergencyPlanFilingOverdue(
                        at=now, plan_id=self.plan_id, credit_code=code, file_by=due
                    ),
                )
            elif now >= due - rules.filing_warning:
                self._once(
                    now,
                    "filing_due_soon",
                    EmergencyPlanFilingDueSoon(
                        at=now, plan_id=self.plan_id, credit_code=code, file_by=due
                    ),
                )
        elif self.status is PlanStatus.FILED:
            assert self.review_by is not None
            review = self.review_by
            if now > review:
                self._once(
                    now,
                    "review_overdue",
                    EmergencyPlanReviewOverdue(
                        at=now, plan_id=self.plan_id, credit_code=code, review_by=review
                    ),
                )
            elif now >= review - rules.review_warning:
                self._once(
                    now,
                    "review_due_soon",
                    EmergencyPlanReviewDueSoon(
                        at=now, plan_id=self.plan_id, credit_code=code, review_by=review
                    ),
                )

    def _once(
        self,
        now: datetime,
        key: str,
        event: EmergencyPlanFilingOverdue
        | EmergencyPlanFilingDueSoon
        | EmergencyPlanReviewOverdue
        | EmergencyPlanReviewDueSoon,
    ) -> None:
        if key in self.notices_sent:
            return
        self.notices_sent.add(key)
        self._record(now, key, event)
