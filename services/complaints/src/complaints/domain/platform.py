"""The closed loop with the city platforms (12345, and the national 12369 platform).

A work order that came from a platform stays the platform's: the district's steps on it go
back (签收, 退单, 延期申请, 回复, 办结, 重办), and the platform's decisions come in — 催办 and
督办, the extension decision, 回访 results, 撤单 and 改派. This module holds the platform's own
commands (a mixin of the aggregate) and which of the district's steps go back, in order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from complaints.domain import deadlines as dl
from complaints.domain import events as ev
from complaints.domain.errors import RuleViolation
from complaints.domain.model import Action, Actor, Channel, Role, Status
from complaints.domain.policy import Duration
from complaints.domain.state import ComplaintState, required
from qingshan_core.labels import label_of
from qingshan_core.workdays import WorkCalendar

PLATFORMS = frozenset({Channel.HOTLINE_12345, Channel.PLATFORM_12369})


class UrgeLevel(StrEnum):
    """How hard the platform pushes: 催办 (a reminder) or 督办 (supervision by the centre)."""

    URGE = "urge"
    SUPERVISE = "supervise"

    @property
    def label(self) -> str:
        """Chinese label."""
        return label_of("complaints.UrgeLevel", self.value)

    @property
    def action(self) -> Action:
        return Action.URGE if self is UrgeLevel.URGE else Action.SUPERVISE


class Step(StrEnum):
    """A district step the platform hears about."""

    ACCEPT = "accept"
    RETURN = "return"
    EXTEND = "extend"
    REPLY = "reply"
    CLOSE = "close"
    REOPEN = "reopen"

    @property
    def label(self) -> str:
        """Chinese label."""
        return label_of("complaints.PlatformStep", self.value)


STEP_OF: dict[Action, Step] = {
    Action.ACCEPT: Step.ACCEPT,
    Action.RETURN: Step.RETURN,
    Action.REQUEST_EXTENSION: Step.EXTEND,
    Action.REPLY: Step.REPLY,
    Action.CLOSE: Step.CLOSE,
    Action.REOPEN: Step.REOPEN,
}


@dataclass(frozen=True)
class OutboundStep:
    """One step to send back; ``seq`` is its place in the case's history."""

    complaint_id: str
    platform: Channel
    order_number: str
    seq: int
    step: Step
    at: datetime
    unit_id: str | None
    deadline: datetime
    reason: str = ""
    extension: Duration | None = None
    reply_text: str = ""
    substantiated: bool | None = None

    @property
    def key(self) -> str:
        """The idempotency key: one per case and step."""
        return step_key(self.complaint_id, self.seq, self.step)


def step_key(complaint_id: str, seq: int, step: Step | str) -> str:
    return f"{complaint_id}:{seq}:{step}"


class PlatformCommands(ComplaintState):
    """What the platform an order came from may do to it, and what goes back to it."""

    @property
    def from_platform(self) -> bool:
        """A work order a platform sent (its channel and its order number)."""
        return self.channel in PLATFORMS and bool(self.external_id)

    @property
    def escalation_level(self) -> UrgeLevel | None:
        """The highest push the platform gave the case so far."""
        if self.supervise_count:
            return UrgeLevel.SUPERVISE
        return UrgeLevel.URGE if self.urge_count else None

    def _platform_only(self) -> None:
        if not self.from_platform:
            raise RuleViolation("not_a_platform_order", "the case did not come from a platform")

    def urge(self, actor: Actor, level: UrgeLevel, note: str, at: datetime) -> None:
        """催办/督办: raise the escalation level; the unit head is told (ComplaintUrged)."""
        before = self._begin(actor, level.action, at)
        self._platform_only()
        if level is UrgeLevel.URGE:
            self.urge_count += 1
        else:
            self.supervise_count += 1
        details = {"level": level.value, "note": note.strip(), "unit_id": self.unit_id or ""}
        self._log(actor, level.action, at, before, details)
        self.events.append(
            ev.ComplaintUrged(
                self.id,
                at,
                unit_id=self.unit_id,
                level=level.value,
                urge_count=self.urge_count,
                supervise_count=self.supervise_count,
                note=note.strip(),
            )
        )

    def withdraw(self, actor: Actor, reason: str, at: datetime) -> None:
        """撤单: the platform takes the order back; the case ends."""
        before = self._begin(actor, Action.WITHDRAW, at)
        self._platform_only()
        reason = required(reason, "reason_required")
        self.status, self.pending_extension = Status.WITHDRAWN, None
        details = {"unit_id": self.unit_id or "", "reason": reason}
        self._log(actor, Action.WITHDRAW, at, before, details)
        self.events.append(ev.ComplaintWithdrawn(self.id, at, unit_id=self.unit_id, reason=reason))

    def redispatch(
        self, actor: Actor, unit_id: str, reason: str, at: datetime, calendar: WorkCalendar
    ) -> None:
        """改派: the order goes to another unit, which must sign for it (a fresh sign-off clock
        and return window; the complainant's clocks keep running)."""
        before = self._begin(actor, Action.REDISPATCH, at)
        self._platform_only()
        unit_id = required(unit_id, "unit_id_required")
        reason = reason.strip() or "改派"
        if unit_id == self.unit_id:
            raise RuleViolation("redispatch_same_unit", "the case is already with that unit")
        old = self.unit_id
        self.unit_id, self.status, self.pending_extension = unit_id, Status.ASSIGNED, None
        self.first_assigned_at = self.first_assigned_at or at
        self.deadlines = dl.on_assignment(self.deadlines, self.policy, at, calendar)
        details = {"from_unit_id": old or "", "unit_id": unit_id, "reason": reason}
        self._log(actor, Action.REDISPATCH, at, before, {**details, **self.deadlines.summary()})
        self.events.append(
            ev.ComplaintRedispatched(
                self.id,
                at,
                from_unit_id=old,
                unit_id=unit_id,
                reason=reason,
                deadlines=self.deadlines,
            )
        )

    def outbound_steps(self, since: int) -> list[OutboundStep]:
        """The district's steps recorded from history entry ``since`` on that go back to the
        platform, in order. What the platform did itself (its role) is not echoed back; the
        reply text and the extension asked for are the case's as the step left them."""
        if not self.from_platform:
            return []
        assert self.external_id is not None
        current = self.deadlines.reply or self.deadlines.close
        out = []
        for seq, h in enumerate(self.history[since:], start=since):
            step = STEP_OF.get(h.action)
            if step is None or h.role is Role.INTEGRATION:
                continue
            sub = h.details.get("substantiated")
            out.append(
                OutboundStep(
                    complaint_id=self.id,
                    platform=self.channel,
                    order_number=self.external_id,
                    seq=seq,
                    step=step,
                    at=h.at,
                    unit_id=h.details.get("unit_id") or self.unit_id,
                    deadline=current.due,
                    reason=h.details.get("reason", ""),
                    extension=self.pending_extension.amount
                    if step is Step.EXTEND and self.pending_extension
                    else None,
                    reply_text=(self.reply_text or "") if step is Step.REPLY else "",
                    substantiated=None if sub in (None, "None") else sub == "True",
                )
            )
        return out
