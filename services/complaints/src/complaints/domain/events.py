"""Domain events the Complaint aggregate records in ``self.events`` (plain dataclasses).

None of them carries the complainant's identity: events leave the service (outbox -> Kafka)
and 环境保护法 第五十七条 / 信访工作条例 第三十条 keep the reporter confidential.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from complaints.domain.deadlines import Deadlines
from complaints.domain.model import Category, Channel, Satisfaction, Status, Urgency
from complaints.domain.policy import Duration, Stage
from qingshan_core.labels import label_of


@dataclass(frozen=True)
class Event:
    """Base of all complaint events; keyed by the aggregate id downstream."""

    complaint_id: str
    occurred_at: datetime


@dataclass(frozen=True, kw_only=True)
class ComplaintReceived(Event):
    """A case was taken in (受理)."""

    channel: Channel
    external_id: str | None
    category: Category
    urgency: Urgency
    anonymous: bool
    policy_id: str
    policy_version: int
    deadlines: Deadlines


@dataclass(frozen=True, kw_only=True)
class ComplaintAssigned(Event):
    """Dispatched (交办/派单) to a handling unit."""

    unit_id: str
    deadlines: Deadlines


@dataclass(frozen=True, kw_only=True)
class ComplaintAccepted(Event):
    """The unit signed for the case (签收)."""

    unit_id: str


@dataclass(frozen=True, kw_only=True)
class ComplaintReturned(Event):
    """The unit returned the case as outside its remit (退单); it awaits reassignment."""

    unit_id: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class ExtensionRequested(Event):
    """The unit asked for more time (延期申请)."""

    unit_id: str
    amount: Duration
    reason: str


@dataclass(frozen=True, kw_only=True)
class ExtensionApproved(Event):
    """Extension granted; ``notify_complainant`` asks notify to tell the reporter."""

    amount: Duration
    old_deadlines: Deadlines
    new_deadlines: Deadlines
    notify_complainant: bool


@dataclass(frozen=True, kw_only=True)
class ExtensionRejected(Event):
    """Extension refused; the old deadlines stand."""

    unit_id: str | None
    reason: str


@dataclass(frozen=True, kw_only=True)
class ComplaintReplied(Event):
    """The unit answered (回复); ``on_time`` is None when there was no reply duty."""

    unit_id: str
    on_time: bool | None


@dataclass(frozen=True, kw_only=True)
class ComplaintClosed(Event):
    """办结."""

    unit_id: str | None
    substantiated: bool | None


@dataclass(frozen=True, kw_only=True)
class ComplaintFollowedUp(Event):
    """回访 result."""

    satisfaction: Satisfaction


@dataclass(frozen=True, kw_only=True)
class ComplaintReopened(Event):
    """不满意 -> rework, back to a unit."""

    unit_id: str
    status: Status
    reason: str
    deadlines: Deadlines


@dataclass(frozen=True, kw_only=True)
class ComplaintMerged(Event):
    """This duplicate was merged into its first case (``reason``: the supervisor's, if any)."""

    into_id: str
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class ComplaintUrged(Event):
    """催办 (level "urge") or 督办 ("supervise") from the platform; counts are totals so far."""

    unit_id: str | None
    level: str
    urge_count: int
    supervise_count: int
    note: str


@dataclass(frozen=True, kw_only=True)
class ComplaintSupervised(Event):
    """督办 by the bureau's supervisor ``by``: the unit must answer ``reason`` (督办意见),
    by ``deadline`` when one is set; ``count`` is the bureau's 督办 on the case so far."""

    unit_id: str
    by: str
    reason: str
    level: str
    deadline: datetime | None
    count: int


@dataclass(frozen=True, kw_only=True)
class ComplaintWithdrawn(Event):
    """撤单: the platform withdrew the order; final."""

    unit_id: str | None
    reason: str


@dataclass(frozen=True, kw_only=True)
class ComplaintRedispatched(Event):
    """改派: the platform sent the order to another unit, which must sign for it."""

    from_unit_id: str | None
    unit_id: str
    reason: str
    deadlines: Deadlines


class AlertLevel(StrEnum):
    """Deadline alert levels, in the order they fire."""

    WARNING = "warning"  # 预警: approaching the deadline
    OVERDUE = "overdue"  # 超期: past it
    UNIT_HEAD = "unit_head"  # 督办 to the handling unit's head
    BUREAU = "bureau"  # 督办 to the bureau's supervisors

    @property
    def label(self) -> str:
        """Chinese label."""
        return label_of("complaints.AlertLevel", self.value)


def alert_key(stage: Stage, level: AlertLevel, due_at: datetime) -> str:
    """Stage, level and the deadline it refers to: a moved deadline gets fresh alerts."""
    return f"{stage.value}/{level.value}/{due_at.isoformat()}"


@dataclass(frozen=True, kw_only=True)
class DeadlineAlert(Event):
    """Base of deadline alerts; ``key`` identifies it so it is raised once only."""

    stage: Stage
    due_at: datetime
    unit_id: str | None
    level: AlertLevel

    @property
    def key(self) -> str:
        """Identity for "raise once"; see alert_key."""
        return alert_key(self.stage, self.level, self.due_at)


@dataclass(frozen=True, kw_only=True)
class DeadlineWarning(DeadlineAlert):
    """complaint.deadline.warning."""


@dataclass(frozen=True, kw_only=True)
class DeadlineOverdue(DeadlineAlert):
    """complaint.deadline.overdue."""


@dataclass(frozen=True, kw_only=True)
class DeadlineEscalated(DeadlineAlert):
    """督办: level is UNIT_HEAD or BUREAU."""
