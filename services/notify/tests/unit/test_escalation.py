"""Escalation decisions for a notice whose acknowledgement deadline passed."""

from datetime import timedelta

import pytest

from notify.domain.escalation import decide, next_step
from notify.domain.model import AckState, Channel, Rule, Target, TargetKind

from .conftest import T0, MakeDelivery

pytestmark = pytest.mark.unit
SUP = (Target(TargetKind.GROUP, "sup"),)
BUREAU = (Target(TargetKind.UNIT, "bureau"),)
RULE = Rule("r1", "r", "x", (Channel.INBOX,), (), ack_within_minutes=15, escalation=(SUP, BUREAU))


def inbox(make: MakeDelivery, who: str, state: AckState, level: int = 0):  # type: ignore[no-untyped-def]
    return make(
        channel=Channel.INBOX,
        recipient=f"person:{who}",
        ack_state=state,
        ack_deadline=T0 + timedelta(minutes=15),
        level=level,
    )


def test_steps() -> None:
    assert next_step(RULE, 0) == SUP
    assert next_step(RULE, 1) == BUREAU
    assert next_step(RULE, 2) is None


def test_nothing_before_the_deadline(make_delivery: MakeDelivery) -> None:
    notice = [inbox(make_delivery, "a", AckState.AWAITING)]
    assert decide(RULE, notice, T0 + timedelta(minutes=14)) is None


def test_nobody_acknowledged_escalates_to_the_next_step(make_delivery: MakeDelivery) -> None:
    notice = [
        inbox(make_delivery, "a", AckState.AWAITING),
        inbox(make_delivery, "b", AckState.AWAITING),
    ]
    d = decide(RULE, notice, T0 + timedelta(minutes=15))
    assert d is not None and len(d.escalate) == 2 and d.targets == SUP and d.to_level == 1


def test_someone_acknowledged_closes_the_rest(make_delivery: MakeDelivery) -> None:
    notice = [
        inbox(make_delivery, "a", AckState.AWAITING),
        inbox(make_delivery, "b", AckState.ACKNOWLEDGED),
    ]
    d = decide(RULE, notice, T0 + timedelta(minutes=20))
    assert d is not None and d.escalate == () and d.cover == (notice[0].id,)


def test_after_the_last_step_there_is_nowhere_to_go(make_delivery: MakeDelivery) -> None:
    notice = [inbox(make_delivery, "a", AckState.AWAITING, level=2)]
    d = decide(RULE, notice, T0 + timedelta(minutes=20))
    assert d is not None and d.escalate and d.targets is None
