"""The stored state of a complaint, its history lines, the checks shared by commands, and the
queries and system-side recording (alerts) that are not user commands."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from complaints.domain import deadlines as dl
from complaints.domain import events as ev
from complaints.domain.duplicates import DuplicateProbe
from complaints.domain.errors import DomainError, InvalidTransition, RuleViolation
from complaints.domain.model import (
    SYSTEM_ACTOR,
    Action,
    Actor,
    Category,
    Channel,
    Complainant,
    Location,
    Role,
    Satisfaction,
    Status,
    Urgency,
)
from complaints.domain.policy import DeadlinePolicy, Duration
from complaints.domain.rates import CaseFacts, ReworkFacts
from complaints.domain.transitions import (
    ALLOWED_FROM,
    OPEN,
    PLATFORM_ACTIONS,
    STAGE_OPEN_WHILE,
    check,
)


@dataclass(frozen=True)
class HistoryEntry:
    """One line of the append-only history: who (id and role), when, what, and details."""

    at: datetime
    actor_id: str
    role: Role
    action: Action
    from_status: Status | None
    to_status: Status
    details: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ExtensionRequest:
    """A pending 延期 request, in the unit of the policy's extension maximum."""

    amount: Duration
    reason: str
    requested_at: datetime
    requested_by: str


@dataclass
class ReworkRound:
    """One rework round after 不满意 (reopen): its own reply deadline, and when it was met."""

    reopened_at: datetime
    reply_due: datetime | None  # None: no reply duty (anonymous)
    replied_at: datetime | None = None


def required(text: str, code: str) -> str:
    """``text`` stripped, or RuleViolation(code) when it is blank."""
    if not text.strip():
        raise RuleViolation(code, f"{code.removesuffix('_required')} is required")
    return text.strip()


@dataclass(kw_only=True, eq=False)
class ComplaintState:
    """What a complaint stores (the repository rehydrates it with the constructor) and the
    checks every command runs; the commands live on Complaint."""

    id: str
    tracking_code: str = field(repr=False)
    channel: Channel
    external_id: str | None = None
    category: Category
    urgency: Urgency
    description: str = field(repr=False)
    location: Location
    complainant: Complainant = field(repr=False)
    received_at: datetime
    policy: DeadlinePolicy
    deadlines: dl.Deadlines
    status: Status = Status.RECEIVED
    unit_id: str | None = None
    first_assigned_at: datetime | None = None
    # The assignment in force: a return (退单) clears it until the case is assigned again.
    assigned_at: datetime | None = None
    first_replied_at: datetime | None = None
    first_reply_due: datetime | None = None  # frozen at the first reply, for 按时回复率
    replied_at: datetime | None = None
    reply_text: str | None = field(default=None, repr=False)
    closed_at: datetime | None = None
    substantiated: bool | None = None
    satisfaction: Satisfaction | None = None
    pending_extension: ExtensionRequest | None = None
    extension_used: int = 0
    merged_into: str | None = None
    merged_at: datetime | None = None
    merge_reason: str | None = None  # the supervisor's written reason, where the rule needs one
    reopen_count: int = 0
    rework: list[ReworkRound] = field(default_factory=list)
    # 催办 / 督办 received from the platform the order came from.
    urge_count: int = 0
    supervise_count: int = 0
    # 督办 issued by the bureau's own supervisors (kept apart from the platform's).
    bureau_supervise_count: int = 0
    raised_alerts: set[str] = field(default_factory=set)
    history: list[HistoryEntry] = field(default_factory=list)
    events: list[ev.Event] = field(default_factory=list, repr=False)

    # --- derived facts ----------------------------------------------------------------------

    @property
    def policy_id(self) -> str:
        """Id of the policy the case started under."""
        return self.policy.id

    @property
    def policy_version(self) -> int:
        """Version of the policy the case started under."""
        return self.policy.version

    @property
    def reply_duty(self) -> bool:
        """Anonymous reports are handled but owe nobody a reply."""
        return not self.complainant.anonymous

    @property
    def reward_eligible(self) -> bool:
        """有奖举报: only a named report that proved true."""
        return not self.complainant.anonymous and self.substantiated is True

    @property
    def is_open(self) -> bool:
        """Still being worked on (not closed, followed up or merged)."""
        return self.status in OPEN

    def facts(self) -> CaseFacts:
        """What the rate calculations need from this case."""
        reply = self.deadlines.reply
        return CaseFacts(
            complaint_id=self.id,
            unit_id=self.unit_id,
            received_at=self.received_at,
            assign_by=self.deadlines.assign.due,
            assigned_at=self.assigned_at,
            reply_by=self.first_reply_due or (reply.due if reply else None),
            first_replied_at=self.first_replied_at,
            merged=self.status is Status.MERGED,
            rework=tuple(ReworkFacts(r.reply_due, r.replied_at) for r in self.rework),
            withdrawn=self.status is Status.WITHDRAWN,
            urges=self.urge_count,
            supervisions=self.supervise_count,
            bureau_supervisions=self.bureau_supervise_count,
        )

    def missed_stages(self, at: datetime) -> list[dl.StageDeadline]:
        """Stage deadlines passed at ``at`` whose obligation is still to be met."""
        return [
            d
            for d in self.deadlines.stages()
            if self.status in STAGE_OPEN_WHILE[d.stage] and d.due < at
        ]

    def duplicate_probe(self) -> DuplicateProbe:
        """What duplicate detection compares."""
        return DuplicateProbe(
            complaint_id=self.id,
            category=self.category,
            town=self.location.town,
            address=self.location.address,
            phone_hash=self.complainant.phone_hash,
            received_at=self.received_at,
            open=self.is_open,
            lat=self.location.lat,
            lon=self.location.lon,
        )

    def allowed_actions(self, actor: Actor) -> list[Action]:
        """The actions ``actor`` could take right now (for UIs and 409 messages)."""
        allowed: list[Action] = []
        for action in ALLOWED_FROM:
            if action is Action.RAISE_ALERT or action in PLATFORM_ACTIONS:
                continue  # the monitor's own, or the platform's (its own API)
            try:
                check(actor, action, self.status, self.unit_id)
                self._guard(action)
            except DomainError:
                continue
            allowed.append(action)
        return allowed

    def record_alerts(self, alerts: Iterable[ev.DeadlineAlert]) -> list[ev.DeadlineAlert]:
        """Record alerts not raised before (by key) and return just those: idempotent."""
        fresh = []
        for alert in alerts:
            if alert.complaint_id != self.id:
                raise ValueError(f"alert for {alert.complaint_id} recorded on {self.id}")
            if alert.key in self.raised_alerts:
                continue
            self.raised_alerts.add(alert.key)
            fresh.append(alert)
            details = {"stage": alert.stage.value, "level": alert.level.value}
            details["due_at"] = alert.due_at.isoformat()
            self._log(SYSTEM_ACTOR, Action.RAISE_ALERT, alert.occurred_at, self.status, details)
            self.events.append(alert)
        return fresh

    # --- internals --------------------------------------------------------------------------

    def _guard(self, action: Action) -> None:
        """State conditions beyond the plain status table."""
        no_pending = self.pending_extension is None
        if action in (Action.APPROVE_EXTENSION, Action.REJECT_EXTENSION) and no_pending:
            raise InvalidTransition(self.status, action)
        if action is Action.REQUEST_EXTENSION and not no_pending:
            raise RuleViolation("extension_pending", "an extension request is already pending")
        if action is Action.CLOSE and self.status is Status.ACCEPTED and self.reply_duty:
            raise InvalidTransition(self.status, action)  # reply first
        if action is Action.FOLLOW_UP and self.complainant.anonymous:
            raise RuleViolation("anonymous_no_follow_up", "an anonymous reporter cannot be called")
        if action is Action.REOPEN and self.satisfaction is not Satisfaction.DISSATISFIED:
            raise InvalidTransition(self.status, action)  # 满意/基本满意 end the case

    def _begin(self, actor: Actor, action: Action, at: datetime) -> Status:
        check(actor, action, self.status, self.unit_id)
        self._guard(action)
        if at.tzinfo is None:
            raise ValueError("naive datetime: actions need a time-zone-aware time")
        if at < self.received_at:
            raise RuleViolation("before_receipt", "an action cannot predate the receipt")
        return self.status

    def _log(
        self,
        actor: Actor,
        action: Action,
        at: datetime,
        before: Status | None,
        details: Mapping[str, str],
    ) -> None:
        entry = HistoryEntry(at, actor.id, actor.role, action, before, self.status, dict(details))
        self.history.append(entry)
