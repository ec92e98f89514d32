"""Escalation: a notice that needs acknowledgement and gets none in time goes up the chain."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from notify.domain.delivery import Delivery
from notify.domain.model import AckState, Rule, Target


@dataclass(frozen=True, slots=True)
class EscalationDecision:
    """What to do with one notice whose acknowledgement deadline passed."""

    cover: tuple[str, ...]  # acknowledged by someone else: stop waiting on these
    escalate: tuple[str, ...]  # nobody acknowledged: these are escalated …
    targets: tuple[Target, ...] | None  # … to these (None: the chain has no further step)
    to_level: int


def next_step(rule: Rule, level: int) -> tuple[Target, ...] | None:
    """The targets of escalation step `level` + 1, or None after the last step."""
    return rule.escalation[level] if level < len(rule.escalation) else None


def decide(rule: Rule, notice: Sequence[Delivery], now: datetime) -> EscalationDecision | None:
    """Decide for one notice (every delivery of one rule, event and level), or None when no
    deadline has passed yet."""
    overdue = tuple(
        d.id
        for d in notice
        if d.ack_state is AckState.AWAITING and d.ack_deadline is not None and d.ack_deadline <= now
    )
    if not overdue:
        return None
    level = notice[0].level
    if any(d.ack_state is AckState.ACKNOWLEDGED for d in notice):
        return EscalationDecision(overdue, (), None, level)
    return EscalationDecision((), overdue, next_step(rule, level), level + 1)
