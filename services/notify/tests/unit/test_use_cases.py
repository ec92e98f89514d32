"""The use cases against in-memory ports: planning once, sending with retries, breaker and
rate limit, quiet hours, digests, escalation, configuration checks, direct messages."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from google.protobuf.message import Message

from notify.adapters.event_codec import attributes, message_data
from notify.domain.defaults import DEFAULT_RULES
from notify.domain.delivery import DeliveryFailed, NoticeEscalated
from notify.domain.errors import ValidationFailed
from notify.domain.model import AckState, Channel, Group, Recipient, Robot, Status, Template
from notify.domain.resilience import RateLimit, RetryPolicy
from notify.service_layer import admin
from notify.service_layer.digests import run_digests
from notify.service_layer.direct import send_direct
from notify.service_layer.dispatch import dispatch_due
from notify.service_layer.escalations import run_escalations
from notify.service_layer.inbox import acknowledge, inbox_of
from notify.service_layer.planning import plan_event
from notify.service_layer.ports import IncomingEvent, SendResult
from qingshan.complaints.v1 import events_pb2 as complaints
from qingshan.risk.v1 import events_pb2 as risk

from .fakes import (
    Clock,
    FakeDeadLetters,
    FakeDeliveries,
    FakeDirectory,
    FakeRules,
    FakeSender,
    make_ctx,
)

pytestmark = pytest.mark.unit
DAY = datetime(2025, 3, 3, 2, 0, tzinfo=UTC)  # 10:00 Shanghai
NIGHT = datetime(2025, 3, 3, 15, 0, tzinfo=UTC)  # 23:00 Shanghai


def event(msg: Message, eid: str, at: datetime = DAY) -> IncomingEvent:
    data = message_data(msg)
    return IncomingEvent(
        eid, msg.DESCRIPTOR.full_name, "/t", eid, at, "0" * 32, data, attributes(data)
    )


def incident(eid: str = "ev-1", at: datetime = DAY) -> IncomingEvent:
    return event(risk.IncidentReported(incident_id="inc-1", report_kind="初报"), eid, at)


def rates(eid: str, at: datetime = DAY) -> IncomingEvent:
    return event(
        complaints.RatesBelowTarget(
            unit_id="town-a", rate="on_time_reply_rate", value="0.9", target="1"
        ),
        eid,
        at,
    )


def setup(at: datetime = DAY, **policy: Any):  # type: ignore[no-untyped-def]
    clock = Clock(at)
    senders = {c: FakeSender() for c in ("wecom", "dingtalk", "sms", "email")}
    ctx = make_ctx(clock, senders, **policy)
    d: FakeDirectory = ctx.directory  # type: ignore[assignment]
    d.recipients = {
        "alice": Recipient("alice", "王丽", phone="13800000001", email="a@x.gov.cn"),
        "carol": Recipient("carol", "赵敏", email="c@x.gov.cn"),
    }
    d.groups = {
        "emergency-office": Group(
            "emergency-office", "应急办", ("alice",), wecom=Robot("https://w/eo")
        ),
        "supervisors": Group("supervisors", "督办", ("carol",), wecom=Robot("https://w/sup")),
    }
    rules: FakeRules = ctx.rules  # type: ignore[assignment]
    rules.rules = {r.id: r for r in DEFAULT_RULES}
    return ctx, clock, senders


def store(ctx) -> FakeDeliveries:  # type: ignore[no-untyped-def]
    return ctx.deliveries  # type: ignore[no-any-return]


async def test_an_incident_is_planned_once_and_sent_once() -> None:
    ctx, _, senders = setup()
    first = await plan_event(ctx, incident())
    assert len(first.created) == 3  # wecom robot, alice's sms and inbox (no DingTalk robot)
    replay = await plan_event(ctx, incident())
    assert replay.created == [] and sorted(replay.existing) == sorted(first.created)
    await dispatch_due(ctx)
    await dispatch_due(ctx)
    assert len(senders["wecom"].sent) == 1 and len(senders["sms"].sent) == 1
    assert {d.status for d in store(ctx).docs.values()} == {Status.SENT}


async def test_transient_failures_retry_then_dead_letter_and_event() -> None:
    ctx, clock, senders = setup(retry=RetryPolicy(max_attempts=3, base_seconds=1, jitter=0))
    senders["wecom"].answers = [SendResult(False, "HTTP 500: busy", 500)] * 3
    await plan_event(ctx, incident())
    for _ in range(3):
        await dispatch_due(ctx)
        clock.at += timedelta(seconds=5)
    [failed] = [d for d in store(ctx).docs.values() if d.channel is Channel.WECOM]
    assert failed.status is Status.FAILED and failed.attempt_count == 3 and failed.dead_lettered
    assert [h.outcome for h in failed.history] == ["failed"] * 3
    dlt: FakeDeadLetters = ctx.dead_letters  # type: ignore[assignment]
    assert dlt.records == [(failed.id, failed.last_error)]
    assert any(isinstance(e, DeliveryFailed) for e in store(ctx).published)
    breaker, _ = await ctx.resilience.breaker("wecom")
    assert breaker.failures == 3


async def test_open_breaker_defers_without_spending_attempts() -> None:
    ctx, clock, senders = setup(breaker_threshold=1, breaker_cooldown_seconds=60)
    senders["wecom"].answers = [SendResult(False, "timeout", 0)]
    await plan_event(ctx, incident("ev-1"))
    await dispatch_due(ctx)
    await plan_event(ctx, incident("ev-2"))
    await dispatch_due(ctx)
    second = next(
        d for d in store(ctx).docs.values() if d.event_id == "ev-2" and d.channel is Channel.WECOM
    )
    assert second.status is Status.PENDING and second.attempt_count == 0
    assert second.history[-1].outcome == "deferred"
    clock.at += timedelta(seconds=61)  # cooldown over: the probe goes and closes the breaker
    await dispatch_due(ctx)
    assert (await ctx.deliveries.get(second.id)).status is Status.SENT  # type: ignore[union-attr]


async def test_rate_limit_defers_to_the_next_window() -> None:
    ctx, _, senders = setup(rate_limits={"wecom": RateLimit(1, 60)})
    await plan_event(ctx, incident("ev-1"))
    await plan_event(ctx, incident("ev-2"))
    await dispatch_due(ctx)
    assert len(senders["wecom"].sent) == 1
    waiting = [
        d
        for d in store(ctx).docs.values()
        if d.channel is Channel.WECOM and d.status is Status.PENDING
    ]
    assert len(waiting) == 1 and waiting[0].next_attempt_at == datetime(
        2025, 3, 3, 2, 1, tzinfo=UTC
    )


async def test_quiet_hours_hold_non_critical_push_until_morning() -> None:
    ctx, clock, senders = setup(NIGHT)
    await plan_event(ctx, rates("ev-r"))  # low priority, daily digest: waits for 08:00
    await plan_event(ctx, event(complaints.HotspotDetected(town="东城", count=5), "ev-h", NIGHT))
    await plan_event(ctx, incident("ev-i", NIGHT))
    await dispatch_due(ctx)
    assert len(senders["wecom"].sent) == 1  # the incident, at once
    held = [d for d in store(ctx).docs.values() if d.status is Status.HELD]
    assert held and all(d.next_attempt_at == datetime(2025, 3, 3, 23, 0, tzinfo=UTC) for d in held)
    clock.at = datetime(2025, 3, 3, 23, 0, tzinfo=UTC)  # 07:00
    await dispatch_due(ctx)
    assert not [d for d in store(ctx).docs.values() if d.status is Status.HELD]


async def test_digest_groups_low_priority_messages_per_recipient_and_channel() -> None:
    ctx, clock, senders = setup()
    await plan_event(ctx, rates("ev-1"))
    clock.at += timedelta(hours=3)
    await plan_event(ctx, rates("ev-2"))
    waiting = [d for d in store(ctx).docs.values() if d.status is Status.DIGEST]
    assert len(waiting) == 2 and len({d.digest_key for d in waiting}) == 1
    assert await run_digests(ctx) == 0  # not due yet
    clock.at = datetime(2025, 3, 4, 0, 0, 1, tzinfo=UTC)  # 08:00:01 next day
    assert await run_digests(ctx) == 1
    assert await run_digests(ctx) == 0
    await dispatch_due(ctx)
    [mail] = senders["email"].sent
    assert mail.title == "【每日汇总】共 2 条通知" and mail.digest_items == tuple(
        d.id for d in waiting
    )
    assert all(store(ctx).docs[d.id].status is Status.DIGESTED for d in waiting)


async def test_unacknowledged_incident_escalates_acknowledged_one_does_not() -> None:
    ctx, clock, _ = setup()
    await plan_event(ctx, incident("ev-1"))
    await plan_event(ctx, incident("ev-2"))
    await dispatch_due(ctx)
    [item2] = [d for d in await inbox_of(ctx, "alice") if d.event_id == "ev-2"]
    await acknowledge(ctx, "alice", item2.id)
    clock.at += timedelta(minutes=16)
    assert await run_escalations(ctx) == 1
    assert await run_escalations(ctx) == 0
    level1 = [d for d in store(ctx).docs.values() if d.level == 1]
    assert {(d.event_id, d.recipient, d.channel) for d in level1} == {
        ("ev-1", "group:supervisors", Channel.WECOM),
        ("ev-1", "person:carol", Channel.INBOX),
    }
    assert level1[0].title.startswith("【升级督办·第1级】")
    [note] = [e for e in store(ctx).published if isinstance(e, NoticeEscalated)]
    assert note.event_id == "ev-1"
    assert set(note.recipients) == {"group:supervisors", "person:carol"}
    assert store(ctx).docs[item2.id].ack_state is AckState.ACKNOWLEDGED


async def test_configuration_is_checked_when_saved() -> None:
    ctx, _, _ = setup()
    bad = Template("qingshan.risk.v1.IncidentReported", "*", "{{ data.no_such_field }}", "")
    with pytest.raises(ValidationFailed, match="does not render"):
        await admin.save_template(ctx, bad, create=True)
    with pytest.raises(ValidationFailed, match="unknown event type"):
        await admin.save_template(ctx, Template("x.y.Z", "*", "t", ""), create=True)
    with pytest.raises(ValidationFailed, match="unknown channel"):
        await admin.save_template(ctx, Template("notify.direct", "fax", "t", ""), create=True)
    with pytest.raises(ValidationFailed) as err:
        await admin.save_recipient(ctx, Recipient("x", "X", email="bad@", phone="123"), create=True)
    assert {p.field for p in err.value.problems} == {"email", "phone"}
    preview = await admin.preview(
        ctx,
        Template("notify.direct", "*", "【{{ data.title }}】", "{{ data.body }}"),
        {"title": "停电通知"},
    )
    assert preview.title == "【停电通知】"


async def test_direct_messages_are_idempotent_per_key() -> None:
    ctx, _, senders = setup()
    kwargs: dict[str, Any] = {
        "idempotency_key": "k1",
        "recipient_ids": ["alice"],
        "group_ids": [],
        "channels": ["sms", "inbox"],
        "title": "会议通知",
        "body": "明早9点",
        "priority": "normal",
        "by": "admin",
    }
    eid, first, _ = await send_direct(ctx, **kwargs)
    _, again, _ = await send_direct(ctx, **kwargs)
    assert eid == "direct:k1" and {d.id for d in first} == {d.id for d in again} and len(first) == 2
    await dispatch_due(ctx)
    assert [d.title for d in senders["sms"].sent] == ["会议通知"]
    with pytest.raises(ValidationFailed):
        await send_direct(ctx, **{**kwargs, "channels": ["fax"], "recipient_ids": ["ghost"]})


async def test_errors_never_carry_the_address_or_robot_key() -> None:
    ctx, _, senders = setup(retry=RetryPolicy(max_attempts=1))
    senders["wecom"].answers = [SendResult(False, "ConnectError: https://w/eo refused", 0)]
    await plan_event(ctx, incident())
    await dispatch_due(ctx)
    [d] = [d for d in store(ctx).docs.values() if d.channel is Channel.WECOM]
    assert d.status is Status.FAILED and "https://w/eo" not in d.last_error
    dlt: FakeDeadLetters = ctx.dead_letters  # type: ignore[assignment]
    assert "<address>" in dlt.records[0][1]


def test_robot_keys_are_masked_when_read_back() -> None:
    from notify.entrypoints.http.schemas_directory import RobotOut

    out = RobotOut.of(Robot("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=SECRET", "s"))
    assert out is not None and "SECRET" not in out.url and out.signed
