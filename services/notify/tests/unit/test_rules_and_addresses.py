"""What is refused when saved: bad rules and malformed addresses."""

import pytest

from notify.domain.addresses import check_email, check_phone, check_webhook, normalise_phone
from notify.domain.catalog import DIRECT, EventCatalog, EventType
from notify.domain.model import (
    Channel,
    Condition,
    DigestPeriod,
    Priority,
    Rule,
    Target,
    TargetKind,
)
from notify.domain.rules import check_rule

pytestmark = pytest.mark.unit
T = "qingshan.risk.v1.IncidentReported"
CATALOG = EventCatalog([EventType(T, "risk", ("incident_id", "grade", "unit_id"))])
GROUP = Target(TargetKind.GROUP, "eo")


def problems(**kw: object) -> list[str]:
    values: dict[str, object] = {
        "id": "r",
        "name": "r",
        "event_type": T,
        "channels": (Channel.INBOX,),
        "targets": (GROUP,),
    }
    values.update(kw)
    rule = Rule(**values)  # type: ignore[arg-type]
    return [p.field for p in check_rule(rule, CATALOG, {"alice"}, {"eo"})]


def test_a_good_rule_passes() -> None:
    assert problems() == []
    assert (
        problems(
            channels=(Channel.INBOX, Channel.WECOM),
            conditions=(Condition("grade", ("I", "II")),),
            priority=Priority.CRITICAL,
            ack_within_minutes=15,
            escalation=((Target(TargetKind.RECIPIENT, "alice"),),),
        )
        == []
    )


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"event_type": "qingshan.risk.v1.Nope"}, "event_type"),
        ({"event_type": DIRECT}, "event_type"),
        ({"channels": ()}, "channels"),
        ({"channels": (Channel.SMS, Channel.SMS)}, "channels"),
        ({"targets": ()}, "targets"),
        ({"targets": (Target(TargetKind.RECIPIENT, "ghost"),)}, "targets.0.ref"),
        ({"targets": (Target(TargetKind.GROUP, "nope"),)}, "targets.0.ref"),
        ({"targets": (Target(TargetKind.UNIT, "mayor"),)}, "targets.0.ref"),
        ({"targets": (Target(TargetKind.UNIT, "handler"),), "unit_attr": "town"}, "unit_attr"),
        ({"conditions": (Condition("colour", ("red",)),)}, "conditions.0.attr"),
        ({"conditions": (Condition("grade", ()),)}, "conditions.0.values"),
        ({"priority": Priority.CRITICAL, "digest": DigestPeriod.DAILY}, "digest"),
        ({"ack_within_minutes": 0}, "ack_within_minutes"),
        ({"channels": (Channel.SMS,), "ack_within_minutes": 5}, "ack_within_minutes"),
        ({"escalation": ((GROUP,),)}, "escalation"),
        ({"ack_within_minutes": 5, "escalation": ((),)}, "escalation.0"),
    ],
)
def test_bad_rules_are_refused_with_the_field(kw: dict[str, object], field: str) -> None:
    assert field in problems(**kw)


@pytest.mark.parametrize("good", ["a@b.cn", "li.ming+notify@sthjj.cq.gov.cn", "x_y@a-b.com"])
def test_good_emails(good: str) -> None:
    assert check_email(good) == []


@pytest.mark.parametrize("bad", ["", "no-at", "a@b", "a@.cn", "a@b..cn", "a b@c.cn", "@c.cn"])
def test_bad_emails(bad: str) -> None:
    assert check_email(bad)


@pytest.mark.parametrize(
    "good", ["13800138000", "+8613800138000", "138 0013 8000", "86-19912345678"]
)
def test_good_mobiles(good: str) -> None:
    assert check_phone(good) == []
    assert len(normalise_phone(good)) == 11


@pytest.mark.parametrize("bad", ["", "12345", "12800138000", "1380013800", "023-6666666", "abc"])
def test_bad_mobiles(bad: str) -> None:
    assert check_phone(bad)


def test_webhooks() -> None:
    ok = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc"
    assert check_webhook(ok, "u", require_https=True) == []
    assert check_webhook("http://127.0.0.1:9/x", "u", require_https=False) == []
    assert check_webhook("http://127.0.0.1:9/x", "u", require_https=True)
    assert check_webhook("ftp://host/x", "u", require_https=False)
    assert check_webhook("not a url", "u", require_https=False)
    assert check_webhook("https://", "u", require_https=False)
    assert check_webhook("https://u:p@host/x", "u", require_https=False)
    assert check_webhook("https://host:99999/", "u", require_https=False)
    hosts = ("qyapi.weixin.qq.com", "oapi.dingtalk.com")
    assert check_webhook(ok, "u", require_https=True, allowed_hosts=hosts) == []
    assert check_webhook("https://evil.example/x", "u", require_https=True, allowed_hosts=hosts)
