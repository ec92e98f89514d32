"""Value objects: labels, channel families, actors and the reporter's privacy."""

import pytest

from complaints.domain.model import (
    Actor,
    Category,
    Channel,
    Complainant,
    Location,
    Role,
    Satisfaction,
    Status,
    Urgency,
)

pytestmark = pytest.mark.unit


def test_category_labels_are_the_chinese_names() -> None:
    assert {c.value: c.label for c in Category} == {
        "air": "大气",
        "water": "水",
        "noise": "噪声",
        "solid_waste": "固体废物",
        "soil": "土壤",
        "radiation": "辐射",
        "ecology": "生态",
        "other": "其他",
    }


def test_channel_values_and_petition_family() -> None:
    assert [c.value for c in Channel] == ["12345", "12369", "web", "app", "letter", "visit"]
    assert {c for c in Channel if c.is_petition} == {
        Channel.PLATFORM_12369,
        Channel.LETTER,
        Channel.VISIT,
    }
    assert Channel("12345") is Channel.HOTLINE_12345
    assert Channel.LETTER.label == "来信"


def test_status_urgency_and_satisfaction_labels() -> None:
    assert Status.RECEIVED.label == "受理"
    assert Status.ASSIGNED.label == "交办"
    assert Status.ACCEPTED.label == "签收"
    assert Status.REPLIED.label == "回复"
    assert Status.CLOSED.label == "办结"
    assert Status.FOLLOWED_UP.label == "回访"
    assert Status.RETURNED.label == "退单"
    assert Status.MERGED.label == "已合并"
    assert [u.label for u in Urgency] == ["一般", "紧急", "特急"]
    assert [s.label for s in Satisfaction] == ["满意", "基本满意", "不满意"]


def test_every_enum_member_has_a_label() -> None:
    for enum in (Channel, Category, Urgency, Status, Satisfaction):
        for member in enum:
            assert member.label


def test_unit_handler_must_be_bound_to_a_unit() -> None:
    with pytest.raises(ValueError):
        Actor("h", Role.UNIT_HANDLER)
    with pytest.raises(ValueError):
        Actor("", Role.OPERATOR)
    assert Actor("h", Role.UNIT_HANDLER, unit_id="u").unit_id == "u"


def test_anonymous_complainant_carries_no_identity() -> None:
    with pytest.raises(ValueError):
        Complainant(anonymous=True, phone="13812345678")
    with pytest.raises(ValueError):
        Complainant(anonymous=False)
    assert Complainant(anonymous=True).masked_phone is None


def test_identity_never_appears_in_repr() -> None:
    who = Complainant(anonymous=False, name="李四", phone="13812345678", phone_hash="h1")
    text = repr(who)
    assert "李四" not in text and "13812345678" not in text and "h1" not in text


@pytest.mark.parametrize(
    ("phone", "masked"),
    [("13812345678", "138****5678"), ("02371234567", "023****4567"), ("12345", "*****")],
)
def test_masked_phone(phone: str, masked: str) -> None:
    assert Complainant(anonymous=False, phone=phone).masked_phone == masked


def test_location_validation() -> None:
    with pytest.raises(ValueError):
        Location(address="  ")
    with pytest.raises(ValueError):
        Location(address="金山路12号", lat=29.15)
    assert Location(address="金山路12号", town="东城街道", lat=29.15, lon=107.1).lon == 107.1
