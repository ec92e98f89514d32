"""Notify's administration forms without servers: a submitted rule, recipient and group as
notify's REST bodies, and what is refused before it is sent (named like notify names it)."""

from __future__ import annotations

import pytest
from starlette.datastructures import FormData

from console.api import ApiError
from console.views.notify_directory import fix_link, group_body, recipient_body
from console.views.notify_rules import rule_body

pytestmark = pytest.mark.unit


def form(*pairs: tuple[str, str]) -> FormData:
    return FormData(list(pairs))


def test_a_rule_form_is_notify_s_rule_body() -> None:
    body = rule_body(
        form(
            ("name", " 交办告知 "),
            ("event_type", "qingshan.complaints.v1.ComplaintAssigned"),
            ("channels", "inbox"),
            ("channels", "sms"),
            ("targets", "unit:handler"),
            ("targets", "group:duty"),
            ("conditions", "category = air, water\nurgency != normal\n"),
            ("priority", "critical"),
            ("ack_within_minutes", "30"),
            ("escalation.0", "unit:unit_head"),
            ("escalation.2", "recipient:p-01"),
            ("digest", ""),
            ("enabled", "on"),
        ),
        "r-1",
    )
    assert body["id"] == "r-1" and body["name"] == "交办告知"
    assert body["channels"] == ["inbox", "sms"]
    assert body["targets"] == [{"kind": "unit", "ref": "handler"}, {"kind": "group", "ref": "duty"}]
    assert body["conditions"] == [
        {"attr": "category", "values": ["air", "water"], "negate": False},
        {"attr": "urgency", "values": ["normal"], "negate": True},
    ]
    assert body["escalation"] == [
        [{"kind": "unit", "ref": "unit_head"}],
        [{"kind": "recipient", "ref": "p-01"}],
    ]
    assert body["ack_within_minutes"] == 30 and body["digest"] is None and body["enabled"] is True


def test_an_unchecked_box_disables_and_a_blank_limit_needs_no_acknowledgement() -> None:
    body = rule_body(form(("name", "x"), ("event_type", "t"), ("digest", "daily")), "r")
    assert body["enabled"] is False and body["ack_within_minutes"] is None
    assert body["digest"] == "daily" and body["escalation"] == [] and body["priority"] == "normal"


@pytest.mark.parametrize(
    ("pair", "field"),
    [
        (("conditions", "category air"), "conditions"),
        (("ack_within_minutes", "半小时"), "ack_within_minutes"),
        (("targets", "unit"), "targets"),
        (("escalation.1", "team:x"), "escalation.1"),
    ],
)
def test_what_cannot_be_read_is_refused_naming_the_field(pair: tuple[str, str], field: str) -> None:
    with pytest.raises(ApiError) as err:
        rule_body(form(("name", "x"), pair), "r")
    assert err.value.status == 422 and [f.field for f in err.value.fields] == [field]


def test_quiet_hours_default_off_or_a_window_of_one_s_own() -> None:
    base = [("name", "黄伟"), ("active", "on")]
    assert recipient_body(form(*base), "p")["quiet_hours"] is None
    off = recipient_body(form(*base, ("quiet_hours.mode", "off")), "p")
    assert off["quiet_hours"] == {"enabled": False} and off["active"] is True
    own = recipient_body(
        form(
            *base,
            ("quiet_hours.mode", "custom"),
            ("quiet_hours.start", "23:30"),
            ("quiet_hours.end", "06:00"),
            ("quiet_hours.tz", ""),
        ),
        "p",
    )
    assert own["quiet_hours"] == {
        "enabled": True,
        "start": "23:30",
        "end": "06:00",
        "tz": "Asia/Shanghai",
    }
    with pytest.raises(ApiError) as err:
        recipient_body(form(*base, ("quiet_hours.mode", "custom")), "p")
    assert err.value.fields[0].field == "quiet_hours.start"


def test_a_group_keeps_its_members_and_a_masked_robot_url_as_read() -> None:
    body = group_body(
        form(
            ("name", "值班组"),
            ("members", "a"),
            ("members", "b"),
            ("wecom.url", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=***"),
            ("dingtalk.url", ""),
        ),
        "duty",
    )
    assert body["members"] == ["a", "b"] and body["dingtalk"] is None
    assert body["wecom"] == {
        "url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=***",
        "secret": "",
    }


def test_each_gap_links_to_the_form_that_fills_it() -> None:
    unit = {"kind": "unit_level", "scope": "town-01", "scope_name": "东城街道", "role": "bureau"}
    assert fix_link(unit) == ("/admin/notify/chains#chain-town-01", "设置东城街道的升级链")
    assert fix_link({"kind": "group", "scope": "duty"})[0] == "/admin/notify/groups/duty"
    assert fix_link({"kind": "recipient", "scope": "p 1"})[0] == "/admin/notify/recipients/p%201"
