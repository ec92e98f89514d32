"""The risk registry pages without servers: the plan clocks' colours (as risk warns), the
grading form as the API's body, the manifest form, licence states and the refusal as read."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from console.api import problem
from console.views.registry import grading_body, plan_clocks
from console.views.waste import licence_state, manifest_body
from qingshan_core.workdays import SHANGHAI

pytestmark = pytest.mark.unit
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)


def plan(**over: object) -> dict[str, object]:
    return {"status": "pending_filing", "file_by": None, "filed_at": None, "review_by": None} | over


@pytest.mark.parametrize(
    ("due", "light"),
    [(timedelta(days=10), "green"), (timedelta(days=4), "yellow"), (timedelta(hours=-1), "red")],
)
def test_the_filing_clock_turns_yellow_five_days_before_and_red_after(
    due: timedelta, light: str
) -> None:
    [filing] = plan_clocks(plan(file_by=(NOW + due).isoformat()), NOW)
    assert (filing["label"], filing["light"]) == ("备案", light)


def test_a_filed_plan_stops_its_filing_clock_and_runs_the_review_clock() -> None:
    clocks = plan_clocks(
        plan(
            status="filed",
            file_by=(NOW - timedelta(days=3)).isoformat(),
            filed_at=(NOW - timedelta(days=5)).isoformat(),
            review_by=(NOW + timedelta(days=60)).isoformat(),
        ),
        NOW,
    )
    assert [(c["label"], c["light"]) for c in clocks] == [("备案", "done"), ("回顾评估", "yellow")]


def test_the_grading_form_sends_each_mediums_chosen_classes_only() -> None:
    form = {"air_q_class": "Q0", "air_m_class": "", "air_e_class": "", "water_q_class": "Q2"}
    form |= {"water_m_class": "M1", "water_e_class": "E1", "assessed_on": ""}
    assert grading_body(form) == {
        "air": {"q_class": "Q0"},
        "water": {"q_class": "Q2", "m_class": "M1", "e_class": "E1"},
    }


def test_the_manifest_form_is_one_line_of_the_apis_body() -> None:
    body = manifest_body(
        {"number": "20265001000001", "receiver_credit_code": "X", "waste_code": "900-249-08"}
        | {"quantity": "2.5", "unit": "kg"}
    )
    assert body["receiver"] == {"credit_code": "X", "name": ""}
    assert body["lines"] == [{"waste_code": "900-249-08", "quantity": "2.5", "unit": "kg"}]


def test_licence_states_on_a_day() -> None:
    lic = {"valid_from": "2025-01-01", "valid_until": "2029-12-31", "revoked_on": None}
    assert licence_state(lic, date(2026, 1, 1)) == "有效"
    assert licence_state(lic, date(2030, 1, 1)) == "已过期"
    assert licence_state(lic | {"revoked_on": "2025-06-01"}, date(2026, 1, 1)) == "已吊销"


def test_the_unlicensed_refusal_reads_as_the_apis_message_and_field() -> None:
    reason = "接收单位无有效许可证（900-249-08，2026-03-02）：许可证经营范围不含900-249-08"
    body = {
        "status": 422,
        "title": "请求参数有误",
        "detail": f"receiver: {reason}",
        "code": "unlicensed_receiver",
        "refused": True,
        "errors": [{"field": "receiver", "detail": reason, "detail_en": "no licence"}],
    }
    e = problem(422, body)
    assert e.message == reason
    assert [(f.label, f.message) for f in e.fields] == [("接受单位", reason)]
