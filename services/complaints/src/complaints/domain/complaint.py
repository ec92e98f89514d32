"""The Complaint aggregate: an explicit state machine with an append-only history.

received → assigned → accepted → replied → closed → followed_up; returned (退单) waits for
reassignment like received; merged and withdrawn (撤单 by the platform) are final. Anonymous
cases: handled in full, with the close
deadline as their handling limit, but there is no reply duty (no reply deadline, not counted in
按时回复率; a reply may still be recorded), they may be closed straight from accepted, get no
回访 and are never eligible for a reward.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from complaints.domain import deadlines as dl
from complaints.domain import events as ev
from complaints.domain.errors import RuleViolation
from complaints.domain.merging import check_merge
from complaints.domain.model import (
    Action,
    Actor,
    Category,
    Channel,
    Complainant,
    Location,
    Satisfaction,
    Status,
    Urgency,
)
from complaints.domain.platform import PlatformCommands
from complaints.domain.policy import DeadlinePolicy, Duration
from complaints.domain.state import (
    ExtensionRequest,
    HistoryEntry,
    ReworkRound,
    required,
)
from complaints.domain.transitions import check_intake
from qingshan_core.workdays import WorkCalendar

__all__ = ["Complaint", "ExtensionRequest", "HistoryEntry"]

# No case is older than the platform; far-past instants also break the date arithmetic.
EARLIEST_RECEIPT = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(kw_only=True, eq=False)
class Complaint(PlatformCommands):
    """One complaint case. Build new ones with ``receive``; the constructor rehydrates. The
    platform's own commands (催办/督办, 撤单, 改派) are in domain/platform.py."""

    @classmethod
    def receive(
        cls,
        *,
        id: str,
        tracking_code: str,
        actor: Actor,
        channel: Channel,
        category: Category,
        urgency: Urgency,
        description: str,
        location: Location,
        complainant: Complainant,
        received_at: datetime,
        policy: DeadlinePolicy,
        calendar: WorkCalendar,
        external_id: str | None = None,
        now: datetime | None = None,
    ) -> Complaint:
        """受理: take in a new case under ``policy`` and compute its deadlines."""
        check_intake(actor, channel)
        received_at = calendar.to_local(received_at)
        if now is not None and received_at > calendar.to_local(now):
            raise RuleViolation("received_at_in_future", "received_at is in the future")
        if received_at < EARLIEST_RECEIPT:
            raise RuleViolation("received_at_too_old", "received_at is before 2000")
        deadlines = dl.compute_deadlines(
            policy, received_at, calendar, reply_duty=not complainant.anonymous
        )
        case = cls(
            id=id,
            tracking_code=tracking_code,
            channel=channel,
            external_id=external_id,
            category=category,
            urgency=urgency,
            description=required(description, "description_required"),
            location=location,
            complainant=complainant,
            received_at=received_at,
            policy=policy,
            deadlines=deadlines,
        )
        details = {"channel": channel.value, "policy": f"{policy.id}@{policy.version}"}
        case._log(actor, Action.RECEIVE, received_at, None, {**details, **deadlines.summary()})
        case.events.append(
            ev.ComplaintReceived(
                case.id,
                received_at,
                channel=channel,
                external_id=external_id,
                category=category,
                urgency=urgency,
                anonymous=complainant.anonymous,
                policy_id=policy.id,
                policy_version=policy.version,
                deadlines=deadlines,
            )
        )
        return case

    # --- commands ---------------------------------------------------------------------------

    def assign(self, actor: Actor, unit_id: str, at: datetime, calendar: WorkCalendar) -> None:
        """交办: dispatch to a handling unit; starts its sign-off clock and return window."""
        before = self._begin(actor, Action.ASSIGN, at)
        unit_id = required(unit_id, "unit_id_required")
        self.unit_id, self.status = unit_id, Status.ASSIGNED
        self.first_assigned_at = self.first_assigned_at or at
        self.assigned_at = at
        self.deadlines = dl.on_assignment(self.deadlines, self.policy, at, calendar)
        self._log(
            actor, Action.ASSIGN, at, before, {"unit_id": unit_id, **self.deadlines.summary()}
        )
        self.events.append(
            ev.ComplaintAssigned(self.id, at, unit_id=unit_id, deadlines=self.deadlines)
        )

    def accept(self, actor: Actor, at: datetime) -> None:
        """签收 by the unit holding the case."""
        before = self._begin(actor, Action.ACCEPT, at)
        self.status = Status.ACCEPTED
        self._log(actor, Action.ACCEPT, at, before, {"unit_id": str(self.unit_id)})
        self.events.append(ev.ComplaintAccepted(self.id, at, unit_id=str(self.unit_id)))

    def return_case(self, actor: Actor, reason: str, at: datetime) -> None:
        """退单: the holding unit hands the case back, with a reason, inside the return window."""
        before = self._begin(actor, Action.RETURN, at)
        reason = required(reason, "reason_required")
        if self.deadlines.return_by is None or at > self.deadlines.return_by:
            raise RuleViolation("return_window_closed", "the return window has closed")
        unit = str(self.unit_id)
        self.status, self.unit_id, self.pending_extension = Status.RETURNED, None, None
        self.assigned_at = None  # not assigned until someone assigns it again (交办率)
        self.deadlines = dl.on_unassignment(self.deadlines)
        self._log(actor, Action.RETURN, at, before, {"unit_id": unit, "reason": reason})
        self.events.append(ev.ComplaintReturned(self.id, at, unit_id=unit, reason=reason))

    def request_extension(self, actor: Actor, amount: int, reason: str, at: datetime) -> None:
        """延期申请, before the deadline and within what the policy's maximum has left."""
        before = self._begin(actor, Action.REQUEST_EXTENSION, at)
        reason = required(reason, "reason_required")
        limit = self.policy.extension_max
        if amount < 1 or self.extension_used + amount > limit.amount:
            left = limit.amount - self.extension_used
            raise RuleViolation("extension_too_long", f"at most {left} more ({limit} in all)")
        current = self.deadlines.reply or self.deadlines.close
        if at > current.due:
            raise RuleViolation("deadline_passed", "an extension must be asked before the deadline")
        request = ExtensionRequest(Duration(amount, limit.unit), reason, at, actor.id)
        self.pending_extension = request
        details = {"amount": str(request.amount), "reason": reason}
        self._log(actor, Action.REQUEST_EXTENSION, at, before, details)
        self.events.append(
            ev.ExtensionRequested(
                self.id,
                at,
                unit_id=str(self.unit_id),
                amount=request.amount,
                reason=reason,
            )
        )

    def approve_extension(self, actor: Actor, at: datetime, calendar: WorkCalendar) -> None:
        """Grant the pending extension: reply and close deadlines move; history keeps the old."""
        before = self._begin(actor, Action.APPROVE_EXTENSION, at)
        assert self.pending_extension is not None  # _guard refused otherwise
        amount, old = self.pending_extension.amount, self.deadlines
        self.deadlines = dl.on_extension(old, amount, calendar)
        self.extension_used += amount.amount
        self.pending_extension = None
        if self.rework and self.rework[-1].replied_at is None and self.deadlines.reply:
            self.rework[-1].reply_due = self.deadlines.reply.due  # the round's own deadline
        details = {
            "amount": str(amount),
            **{f"old_{k}": v for k, v in old.summary().items()},
            **self.deadlines.summary(),
        }
        self._log(actor, Action.APPROVE_EXTENSION, at, before, details)
        self.events.append(
            ev.ExtensionApproved(
                self.id,
                at,
                amount=amount,
                old_deadlines=old,
                new_deadlines=self.deadlines,
                notify_complainant=self.reply_duty,  # the complainant must be told, if known
            )
        )

    def reject_extension(self, actor: Actor, reason: str, at: datetime) -> None:
        """Refuse the pending extension; deadlines stay."""
        before = self._begin(actor, Action.REJECT_EXTENSION, at)
        reason = required(reason, "reason_required")
        self.pending_extension = None
        self._log(actor, Action.REJECT_EXTENSION, at, before, {"reason": reason})
        self.events.append(ev.ExtensionRejected(self.id, at, unit_id=self.unit_id, reason=reason))

    def supervise(
        self, actor: Actor, reason: str, at: datetime, deadline: datetime | None = None
    ) -> None:
        """督办 by the bureau's supervisor: the unit holding the case must act on ``reason``
        (督办意见), and answer by ``deadline`` when one is given. The case's deadlines stay;
        the unit's head is told (ComplaintSupervised)."""
        before = self._begin(actor, Action.BUREAU_SUPERVISE, at)
        reason = required(reason, "reason_required")
        if deadline is not None:
            if deadline.tzinfo is None:
                raise ValueError("naive datetime: a deadline needs a time zone")
            if deadline <= at:
                raise RuleViolation(
                    "deadline_not_future", "the reply deadline must be later than now", "deadline"
                )
        unit = str(self.unit_id)
        self.bureau_supervise_count += 1
        details = {"unit_id": unit, "reason": reason, "level": "bureau"}
        if deadline is not None:
            details["deadline"] = deadline.isoformat()
        self._log(actor, Action.BUREAU_SUPERVISE, at, before, details)
        self.events.append(
            ev.ComplaintSupervised(
                self.id,
                at,
                unit_id=unit,
                by=actor.id,
                reason=reason,
                level="bureau",
                deadline=deadline,
                count=self.bureau_supervise_count,
            )
        )

    def reply(self, actor: Actor, text: str, at: datetime) -> None:
        """回复: the unit's answer; a pending extension request lapses."""
        before = self._begin(actor, Action.REPLY, at)
        self.reply_text = required(text, "text_required")
        reply = self.deadlines.reply
        on_time = None if reply is None else at <= reply.due
        if self.first_replied_at is None:
            self.first_replied_at = at
            self.first_reply_due = reply.due if reply else None
        elif self.rework and self.rework[-1].replied_at is None:
            self.rework[-1].replied_at = at
        self.status, self.replied_at = Status.REPLIED, at
        details = {"on_time": str(on_time)}
        if self.pending_extension is not None:
            self.pending_extension = None
            details["extension_request"] = "lapsed"
        self._log(actor, Action.REPLY, at, before, details)
        self.events.append(
            ev.ComplaintReplied(self.id, at, unit_id=str(self.unit_id), on_time=on_time)
        )

    def close(
        self, actor: Actor, at: datetime, *, substantiated: bool | None = None, note: str = ""
    ) -> None:
        """办结; ``substantiated`` (report proved true) drives reward eligibility."""
        before = self._begin(actor, Action.CLOSE, at)
        self.status, self.closed_at, self.substantiated = Status.CLOSED, at, substantiated
        self.pending_extension = None
        self._log(
            actor, Action.CLOSE, at, before, {"substantiated": str(substantiated), "note": note}
        )
        self.events.append(
            ev.ComplaintClosed(self.id, at, unit_id=self.unit_id, substantiated=substantiated)
        )

    def follow_up(self, actor: Actor, satisfaction: Satisfaction, at: datetime) -> None:
        """回访 with the complainant's satisfaction; 不满意 leaves the case open to reopen."""
        before = self._begin(actor, Action.FOLLOW_UP, at)
        self.status, self.satisfaction = Status.FOLLOWED_UP, satisfaction
        self._log(actor, Action.FOLLOW_UP, at, before, {"satisfaction": satisfaction.value})
        self.events.append(ev.ComplaintFollowedUp(self.id, at, satisfaction=satisfaction))

    def reopen(
        self,
        actor: Actor,
        reason: str,
        at: datetime,
        calendar: WorkCalendar,
        unit_id: str | None = None,
    ) -> None:
        """Rework after 不满意: same unit -> accepted, another unit -> assigned (must sign)."""
        before = self._begin(actor, Action.REOPEN, at)
        reason = required(reason, "reason_required")
        target = unit_id or self.unit_id
        if not target:
            raise RuleViolation("unit_id_required", "which unit reworks the case?")
        reassigned = target != self.unit_id
        self.status = Status.ASSIGNED if reassigned else Status.ACCEPTED
        self.unit_id, self.satisfaction, self.replied_at, self.closed_at = target, None, None, None
        self.reopen_count += 1
        self.deadlines = dl.on_reopen(
            self.deadlines,
            self.policy,
            at,
            calendar,
            reply_duty=self.reply_duty,
            reassigned=reassigned,
        )
        rework_reply = self.deadlines.reply
        self.rework.append(ReworkRound(at, rework_reply.due if rework_reply else None))
        details = {"unit_id": target, "reason": reason, **self.deadlines.summary()}
        self._log(actor, Action.REOPEN, at, before, details)
        self.events.append(
            ev.ComplaintReopened(
                self.id,
                at,
                unit_id=target,
                status=self.status,
                reason=reason,
                deadlines=self.deadlines,
            )
        )

    def merge_into(
        self,
        actor: Actor,
        first: Complaint,
        at: datetime,
        reason: str = "",
        place_prefixes: Iterable[str] = (),
    ) -> None:
        """Merge this duplicate into ``first``, the earlier open case about the same problem,
        under the rule in ``merging`` (a missed deadline or another place needs a reason)."""
        before = self._begin(actor, Action.MERGE, at)
        reason = reason.strip()
        details = check_merge(self, first, at, reason, place_prefixes)
        self.status, self.merged_into, self.pending_extension = Status.MERGED, first.id, None
        self.merged_at, self.merge_reason = at, reason or None
        self._log(actor, Action.MERGE, at, before, details)
        self.events.append(ev.ComplaintMerged(self.id, at, into_id=first.id, reason=reason))
