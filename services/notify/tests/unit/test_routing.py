"""Rule matching and target resolution."""

import pytest

from notify.domain.model import (
    ANY_UNIT,
    Channel,
    Condition,
    EscalationChain,
    Group,
    Priority,
    Recipient,
    Robot,
    Rule,
    Target,
    TargetKind,
)
from notify.domain.routing import Directory, matches, resolve, select_rules

pytestmark = pytest.mark.unit
T = "qingshan.complaints.v1.DeadlineEscalated"

alice = Recipient("alice", "王丽", unit="town-a", phone="13800000001", email="a@x.gov.cn")
bob = Recipient("bob", "李强", unit="town-a", email="b@x.gov.cn")
carol = Recipient("carol", "赵敏", unit="bureau", phone="13800000003", wecom=Robot("https://w/c"))
dan = Recipient("dan", "孙涛", unit="town-b", phone="13800000004", active=False)
eve = Recipient("eve", "周洁", unit="town-b", phone="13800000005")
eo = Group("eo", "应急办", ("alice", "bob"), wecom=Robot("https://w/eo"))
sup = Group("sup", "督办", ("carol",))
DIR = Directory(
    {r.id: r for r in (alice, bob, carol, dan, eve)},
    {g.id: g for g in (eo, sup)},
    {
        "town-a": EscalationChain("town-a", ("bob",), ("alice",)),
        "town-b": EscalationChain("town-b", ("dan", "eve")),
        ANY_UNIT: EscalationChain(ANY_UNIT, bureau=("carol",)),
    },
)


def rule(*conds: Condition, **kw: object) -> Rule:
    return Rule("r", "r", T, (Channel.INBOX,), (Target(TargetKind.GROUP, "eo"),), conds, **kw)  # type: ignore[arg-type]


def test_conditions_all_must_hold() -> None:
    attrs = {"level": ("bureau",), "unit_id": ("town-a",)}
    assert matches(rule(), T, attrs)
    assert matches(rule(Condition("level", ("bureau", "unit_head"))), T, attrs)
    assert not matches(rule(Condition("level", ("unit_head",))), T, attrs)
    assert not matches(rule(Condition("level", ("bureau",), negate=True)), T, attrs)
    assert not matches(rule(Condition("grade", ("I",))), T, attrs)  # attribute absent
    assert not matches(rule(enabled=False), T, attrs)
    assert not matches(rule(), "other.Type", attrs)


def test_list_attributes_match_any_value() -> None:
    attrs = {"lead_units": ("区水利局", "区生态环境局")}
    assert matches(rule(Condition("lead_units", ("区生态环境局",))), T, attrs)


def test_select_most_urgent_first() -> None:
    low = Rule("a", "a", T, (Channel.INBOX,), (), priority=Priority.LOW)
    crit = Rule("z", "z", T, (Channel.INBOX,), (), priority=Priority.CRITICAL)
    assert [r.id for r in select_rules([low, crit], T, {})] == ["z", "a"]


def test_group_robot_gets_one_message_members_get_personal_channels() -> None:
    res = resolve(
        (Target(TargetKind.GROUP, "eo"),),
        (Channel.WECOM, Channel.SMS, Channel.INBOX),
        DIR,
        {},
    )
    got = {(a.key, a.channel) for a in res.addressees}
    assert got == {
        ("group:eo", Channel.WECOM),
        ("person:alice", Channel.SMS),
        ("person:alice", Channel.INBOX),
        ("person:bob", Channel.INBOX),
    }
    assert any("bob has no sms" in u for u in res.unreachable)
    [robot] = [a for a in res.addressees if a.channel is Channel.WECOM]
    assert robot.address == "group:eo/wecom"  # the directory entry, never the webhook URL


def test_group_without_robot_falls_back_to_members_personal_robots() -> None:
    res = resolve((Target(TargetKind.GROUP, "sup"),), (Channel.WECOM,), DIR, {})
    assert [(a.key, a.address) for a in res.addressees] == [("person:carol", "person:carol/wecom")]


def test_unit_levels_follow_the_event_unit_with_fallback_chain() -> None:
    attrs = {"unit_id": ("town-a",)}
    head = resolve((Target(TargetKind.UNIT, "unit_head"),), (Channel.INBOX,), DIR, attrs)
    assert [a.recipient_id for a in head.addressees] == ["alice"]
    bureau = resolve((Target(TargetKind.UNIT, "bureau"),), (Channel.INBOX,), DIR, attrs)
    assert [a.recipient_id for a in bureau.addressees] == ["carol"]
    missing = resolve((Target(TargetKind.UNIT, "unit_head"),), (Channel.INBOX,), DIR, {})
    assert not missing.addressees and missing.unreachable  # the * chain has no unit head


def test_an_event_without_unit_goes_to_the_bureau_wide_chain() -> None:
    chains = {**DIR.chains, ANY_UNIT: EscalationChain(ANY_UNIT, ("eve",), bureau=("carol",))}
    d = Directory(DIR.recipients, DIR.groups, chains)
    res = resolve((Target(TargetKind.UNIT, "handler"),), (Channel.INBOX,), d, {"unit_id": ("",)})
    assert [a.recipient_id for a in res.addressees] == ["eve"]


def test_several_units_inactive_people_and_duplicates() -> None:
    attrs = {"lead_units": ("town-a", "town-b", "town-a")}
    res = resolve(
        (Target(TargetKind.UNIT, "handler"), Target(TargetKind.RECIPIENT, "bob")),
        (Channel.INBOX,),
        DIR,
        attrs,
        unit_attr="lead_units",
    )
    assert [a.recipient_id for a in res.addressees] == ["bob", "eve"]  # dan is inactive


def test_unknown_people_and_groups_are_reported() -> None:
    res = resolve(
        (Target(TargetKind.RECIPIENT, "ghost"), Target(TargetKind.GROUP, "nope")),
        (Channel.INBOX,),
        DIR,
        {},
    )
    assert not res.addressees and len(res.unreachable) == 2
