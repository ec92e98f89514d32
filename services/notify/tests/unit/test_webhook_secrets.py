"""Robot webhook URLs carry the robot's key: a delivery keeps a reference to the directory
entry instead, and the URL is read from the directory when the message is sent. In strict
mode (the default outside development and test) targets on private, loopback or link-local
addresses are refused when saved and again, after resolving the host, when sent."""

from __future__ import annotations

import httpx
import pytest

from notify.adapters.documents import delivery_doc
from notify.adapters.senders import DingTalkRobotSender, WecomRobotSender
from notify.adapters.webhook_targets import WebhookTargets
from notify.domain.errors import ValidationFailed
from notify.domain.model import Channel, Group, Robot, Status
from notify.service_layer import admin
from notify.service_layer.dispatch import dispatch_due
from notify.service_layer.planning import plan_event

from .test_use_cases import incident, setup, store

pytestmark = pytest.mark.unit


async def test_a_robot_delivery_keeps_the_directory_entry_never_the_url() -> None:
    ctx, _, senders = setup()
    await plan_event(ctx, incident())
    [robot] = [d for d in store(ctx).docs.values() if d.channel is Channel.WECOM]
    assert robot.address == "group:emergency-office/wecom"
    assert "https://w/eo" not in repr(delivery_doc(robot))
    await dispatch_due(ctx)
    [sent] = senders["wecom"].sent  # the sender got the URL, read from the directory now
    assert sent.address == "https://w/eo" and sent.id == robot.id
    stored = store(ctx).docs[robot.id]
    assert stored.status is Status.SENT and stored.address == "group:emergency-office/wecom"
    assert "https://w/eo" not in repr(delivery_doc(stored))


async def test_a_robot_changed_after_planning_is_posted_at_its_new_url() -> None:
    ctx, _, senders = setup()
    await plan_event(ctx, incident())
    ctx.directory.groups["emergency-office"] = Group(  # type: ignore[attr-defined]
        "emergency-office", "应急办", ("alice",), wecom=Robot("https://w/new-key")
    )
    await dispatch_due(ctx)
    assert [d.address for d in senders["wecom"].sent] == ["https://w/new-key"]


async def test_a_robot_removed_from_the_directory_fails_for_good() -> None:
    ctx, _, senders = setup()
    await plan_event(ctx, incident())
    ctx.directory.groups["emergency-office"] = Group(  # type: ignore[attr-defined]
        "emergency-office", "应急办", ("alice",)
    )
    await dispatch_due(ctx)
    [robot] = [d for d in store(ctx).docs.values() if d.channel is Channel.WECOM]
    assert senders["wecom"].sent == [] and robot.status is Status.FAILED
    assert "通讯录" in robot.last_error


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/send?key=k",
        "http://localhost/send",
        "http://10.1.2.3/send",
        "http://192.168.0.10/send",
        "http://172.16.5.4/send",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/send",
        "http://[fe80::1]/send",
        "http://[::ffff:10.0.0.1]/send",
        "http://0.0.0.0/send",
    ],
)
async def test_strict_mode_refuses_non_public_targets_at_send_time(url: str) -> None:
    strict = WebhookTargets(refuse_private=True)
    assert "已拒绝" in (await strict.refusal(url) or "")
    assert await WebhookTargets(refuse_private=False).refusal(url) is None
    async with httpx.AsyncClient() as client:
        for sender in (WecomRobotSender(client, strict), DingTalkRobotSender(client, strict)):
            ctx, _, _ = setup()
            await plan_event(ctx, incident())
            [d] = [x for x in store(ctx).docs.values() if x.channel is Channel.WECOM]
            d.address = url  # what the dispatcher hands over after reading the directory
            result = await sender.send(d, "")
            # Refused before any connection: permanent (the URL must change), not a retry.
            assert not result.ok and result.permanent and "已拒绝" in result.detail


async def test_strict_mode_lets_public_addresses_through() -> None:
    strict = WebhookTargets(refuse_private=True)
    assert await strict.refusal("https://93.184.215.14/cgi-bin/webhook/send?key=k") is None
    assert await strict.refusal("https://[2606:4700::1111]/hook") is None


async def test_strict_mode_refuses_private_literals_when_saved() -> None:
    ctx, _, _ = setup(webhook_refuse_private=True)
    group = Group("g", "G", (), wecom=Robot("http://192.168.1.20/cgi-bin/webhook/send?key=k"))
    with pytest.raises(ValidationFailed, match="内网"):
        await admin.save_group(ctx, group, create=True)
    ok = Group("g", "G", (), wecom=Robot("https://qyapi.weixin.qq.com/cgi-bin/webhook/send"))
    await admin.save_group(ctx, ok, create=True)
    lax, _, _ = setup()  # development and test: the local receivers on 127.0.0.1 stay usable
    await admin.save_group(
        lax, Group("l", "L", (), wecom=Robot("http://127.0.0.1:9/x")), create=True
    )
