"""The delivery state machine and its deterministic id."""

from datetime import timedelta

import pytest

from notify.domain.delivery import (
    MAX_HISTORY,
    DeliveryFailed,
    DeliveryResent,
    NoticeEscalated,
    delivery_id,
    resend_id,
)
from notify.domain.errors import InvalidTransition
from notify.domain.model import AckState, Channel, Status
from notify.domain.resilience import RetryPolicy

from .conftest import T0, MakeDelivery

pytestmark = pytest.mark.unit
LEASE = timedelta(seconds=60)
POLICY = RetryPolicy(max_attempts=3, base_seconds=10, factor=2, jitter=0)


def test_id_is_deterministic_per_event_recipient_channel_and_level() -> None:
    a = delivery_id("ev-1", "person:a", Channel.SMS)
    assert a == delivery_id("ev-1", "person:a", Channel.SMS, 0)
    others = {
        delivery_id("ev-2", "person:a", Channel.SMS),
        delivery_id("ev-1", "person:b", Channel.SMS),
        delivery_id("ev-1", "person:a", Channel.EMAIL),
        delivery_id("ev-1", "person:a", Channel.SMS, 1),
    }
    assert a not in others and len(others) == 4


def test_claim_needs_a_due_open_delivery(make_delivery: MakeDelivery) -> None:
    d = make_delivery(next_attempt_at=T0 + timedelta(seconds=5))
    with pytest.raises(InvalidTransition):
        d.claim(T0, LEASE)
    d.claim(T0 + timedelta(seconds=5), LEASE)
    assert d.status is Status.SENDING
    assert d.next_attempt_at == T0 + timedelta(seconds=65)  # lease: due again if we die
    assert d.due(T0 + timedelta(seconds=65))


def test_success_records_the_receipt(make_delivery: MakeDelivery) -> None:
    d = make_delivery()
    d.claim(T0, LEASE)
    d.succeeded(T0, "HTTP 200", 200, 12)
    assert d.status is Status.SENT and d.sent_at == T0 and d.next_attempt_at is None
    assert d.attempt_count == 1
    assert d.history[-1].outcome == "sent" and d.history[-1].status_code == 200
    assert d.ack_state is AckState.NONE  # only inbox items wait for acknowledgement


def test_inbox_item_with_ack_deadline(make_delivery: MakeDelivery) -> None:
    d = make_delivery(channel=Channel.INBOX, ack_within_minutes=15)
    d.claim(T0, LEASE)
    d.succeeded(T0, "stored")
    assert d.ack_state is AckState.AWAITING
    assert d.ack_deadline == T0 + timedelta(minutes=15)
    assert d.acknowledge(T0, "alice") is True
    assert d.acknowledge(T0, "alice") is False
    assert d.ack_state is AckState.ACKNOWLEDGED


def test_transient_failures_back_off_then_give_up(make_delivery: MakeDelivery) -> None:
    d = make_delivery()
    now = T0
    for expected in (10, 20):
        d.claim(now, LEASE)
        d.failed(now, "HTTP 500", permanent=False, policy=POLICY, rand=0.5)
        assert d.status is Status.RETRYING
        assert d.next_attempt_at == now + timedelta(seconds=expected)
        now = d.next_attempt_at
    d.claim(now, LEASE)
    d.failed(now, "HTTP 500", permanent=False, policy=POLICY, rand=0.5)
    assert d.status is Status.FAILED and d.attempt_count == 3
    [event] = d.events
    assert isinstance(event, DeliveryFailed) and "HTTP 500" in event.reason
    assert event.attempts == 3


def test_permanent_failure_gives_up_at_once(make_delivery: MakeDelivery) -> None:
    d = make_delivery()
    d.claim(T0, LEASE)
    d.failed(T0, "HTTP 404", permanent=True, policy=POLICY, rand=0.5)
    assert d.status is Status.FAILED and d.attempt_count == 1
    assert "permanent" in d.events[0].reason  # type: ignore[union-attr]


def test_deferral_is_not_an_attempt(make_delivery: MakeDelivery) -> None:
    d = make_delivery()
    d.claim(T0, LEASE)
    d.defer(T0, T0 + timedelta(minutes=1), "rate limit")
    assert d.status is Status.PENDING and d.attempt_count == 0
    assert d.next_attempt_at == T0 + timedelta(minutes=1)
    assert d.history[-1].outcome == "deferred"


def test_history_is_bounded(make_delivery: MakeDelivery) -> None:
    d = make_delivery()
    for i in range(MAX_HISTORY + 5):
        d.claim(d.next_attempt_at or T0, LEASE)
        d.defer(T0, T0 + timedelta(seconds=i), "busy")
    assert len(d.history) == MAX_HISTORY


def test_digest_items_fold_into_their_digest(make_delivery: MakeDelivery) -> None:
    d = make_delivery(status=Status.DIGEST, digest_key="k")
    d.fold_into("dg-1")
    assert d.status is Status.DIGESTED and d.digest_id == "dg-1" and d.final
    with pytest.raises(InvalidTransition):
        d.fold_into("dg-2")


def test_escalation_marks(make_delivery: MakeDelivery) -> None:
    d = make_delivery(channel=Channel.INBOX, ack_within_minutes=5)
    with pytest.raises(InvalidTransition):
        d.mark_escalated()
    d.claim(T0, LEASE)
    d.succeeded(T0, "stored")
    note = NoticeEscalated(d.notice, T0, d.event_id, d.event_type, "r1", 0, 1, ("group:x",))
    d.mark_escalated(note)
    assert d.ack_state is AckState.ESCALATED and d.events == [note]
    other = make_delivery(channel=Channel.INBOX, recipient="person:b", ack_within_minutes=5)
    other.claim(T0, LEASE)
    other.succeeded(T0, "stored")
    other.cover()
    assert other.ack_state is AckState.COVERED


def test_only_delivered_inbox_items_can_be_acknowledged(make_delivery: MakeDelivery) -> None:
    with pytest.raises(InvalidTransition):
        make_delivery(channel=Channel.INBOX).acknowledge(T0, "a")
    d = make_delivery(channel=Channel.SMS)
    d.claim(T0, LEASE)
    d.succeeded(T0, "ok")
    with pytest.raises(InvalidTransition):
        d.acknowledge(T0, "a")


def test_a_dead_letter_is_resent_once_as_a_new_due_delivery(make_delivery: MakeDelivery) -> None:
    d = make_delivery()
    with pytest.raises(InvalidTransition):
        d.resend(T0, "admin:a")  # not failed: nothing to resend
    d.claim(T0, timedelta(seconds=30))
    d.failed(T0, "HTTP 500", permanent=True, policy=RetryPolicy(), rand=0.5)
    with pytest.raises(InvalidTransition):
        d.resend(T0, "admin:a")  # failed, but not on the dead-letter topic yet
    d.dead_lettered = True
    d.events.clear()
    later = T0 + timedelta(hours=1)
    new = d.resend(later, "admin:a", "13900000000")
    assert new.id == resend_id(d.id) != d.id
    assert (new.status, new.next_attempt_at, new.attempt_count) == (Status.PENDING, later, 0)
    assert new.address == "13900000000" and new.title == d.title
    assert (d.resent_at, d.resent_by, d.resent_as) == (later, "admin:a", new.id)
    assert d.events == [DeliveryResent(d.id, later, "admin:a", new.id)]
    with pytest.raises(InvalidTransition):
        d.resend(later, "admin:b")  # once per dead letter
