"""The merge rule (issue 19): same problem or a written reason; no hiding a missed deadline."""

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from complaints.domain import events as ev
from complaints.domain.complaint import Complaint
from complaints.domain.errors import RuleViolation
from complaints.domain.model import Actor, Category, Role, Status
from complaints.domain.policy import Stage
from qingshan_core.workdays import SHANGHAI, WorkCalendar

pytestmark = pytest.mark.unit

MakeCase = Callable[..., Complaint]
SUP = Actor("sup-1", Role.SUPERVISOR)


def at(d: int, hh: int = 10) -> datetime:
    return datetime(2024, 9, d, hh, tzinfo=SHANGHAI)


def test_same_category_and_place_merge_without_a_reason(make_case: MakeCase) -> None:
    first = make_case(received_at=at(2, 9))
    dup = make_case(received_at=at(2, 15), address="东城街道 金山路12号")  # same place, written
    dup.merge_into(SUP, first, at(2, 16))
    assert dup.status is Status.MERGED and dup.merged_at == at(2, 16) and dup.merge_reason is None
    assert dup.history[-1].details["same_problem"] == "True"


@pytest.mark.parametrize(
    "other",
    [{"category": Category.WATER}, {"address": "水江镇工业园区", "town": "水江镇"}],
    ids=["category", "place"],
)
def test_another_category_or_place_needs_a_written_reason(
    make_case: MakeCase, other: dict[str, object]
) -> None:
    first = make_case(received_at=at(2, 9))
    dup = make_case(received_at=at(2, 15), **other)
    for blank in ("", "   "):
        with pytest.raises(RuleViolation) as refused:
            dup.merge_into(SUP, first, at(2, 16), blank)
        assert refused.value.code == "merge_reason_required"
    assert dup.status is Status.RECEIVED
    dup.merge_into(SUP, first, at(2, 16), "同一企业排污口，现场核实为同一问题")
    assert dup.merge_reason == "同一企业排污口，现场核实为同一问题"
    entry = dup.history[-1]
    assert entry.details["reason"] == dup.merge_reason and entry.details["same_problem"] == "False"
    event = dup.events[-1]
    assert isinstance(event, ev.ComplaintMerged) and event.reason == dup.merge_reason


def test_a_case_past_a_deadline_it_has_not_met_needs_a_reason(
    make_case: MakeCase, cal: WorkCalendar
) -> None:
    first = make_case(received_at=at(2, 9))
    dup = make_case(received_at=at(2, 15))
    # Never assigned: the assign limit (end of 9-03) has passed by 9-04.
    assert [d.stage for d in dup.missed_stages(at(4))] == [Stage.ASSIGN]
    with pytest.raises(RuleViolation) as refused:
        dup.merge_into(SUP, first, at(4))
    assert refused.value.code == "merge_overdue_reason_required"
    assert "assign" in refused.value.message and dup.status is Status.RECEIVED
    dup.merge_into(SUP, first, at(4), "与首件同一噪声源，首件已在办理")
    assert dup.history[-1].details["missed"] == "assign"


def test_a_deadline_met_late_is_no_longer_open_and_needs_no_reason(
    make_case: MakeCase, cal: WorkCalendar
) -> None:
    first = make_case(received_at=at(2, 9))
    dup = make_case(received_at=at(2, 15))
    dup.assign(Actor("op", Role.OPERATOR), "town-dongcheng", at(4), cal)  # late, but done
    assert dup.missed_stages(at(4, 11)) == []
    dup.merge_into(SUP, first, at(4, 11))
    assert dup.status is Status.MERGED


def test_a_reply_deadline_passed_is_listed(make_case: MakeCase, cal: WorkCalendar) -> None:
    dup = make_case(received_at=at(2, 15))
    dup.assign(Actor("op", Role.OPERATOR), "town-dongcheng", at(2, 16), cal)
    assert dup.deadlines.reply is not None
    later = dup.deadlines.reply.due + timedelta(days=1)
    assert {d.stage for d in dup.missed_stages(later)} == {Stage.ACCEPT, Stage.REPLY}
