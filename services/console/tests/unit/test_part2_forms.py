"""Part 2's form handling without servers: an import's refused rows keep their row and Chinese
column, the incident form becomes the API's body in Beijing time, the inbox puts unread and
critical first."""

from __future__ import annotations

import pytest

from console.api import ApiError, problem
from console.views.inbox import inbox_order
from console.views.risk import incident_body

pytestmark = pytest.mark.unit


def test_refused_import_rows_keep_their_row_and_column_name() -> None:
    body = {
        "title": "导入被拒绝：共2处问题，未写入任何数据",
        "detail": "导入被拒绝：共2处问题，未写入任何数据",
        "status": 422,
        "written": False,
        "errors": [
            {
                "field": "years",
                "detail": "起止年份颠倒",
                "row": 3,
                "column": "years",
                "column_zh": "实施年度",
            },
            {
                "field": "investment_wan",
                "detail": "须为数字",
                "row": 5,
                "column_zh": "投资额（万元）",
            },
        ],
    }
    err = problem(422, body)
    assert err.message.startswith("导入被拒绝")
    assert [(f.row, f.label) for f in err.fields] == [(3, "实施年度"), (5, "投资额（万元）")]


def test_the_incident_form_in_beijing_time() -> None:
    form = {
        "title": " 油污带 ",
        "occurred_at": "2025-03-01T10:00",
        "grade": "IV",
        "lat": "29.1",
        "lon": "107.2",
    }
    body = incident_body(form, ["water"])
    assert body["title"] == "油污带" and body["grade"] == "IV" and body["media"] == ["water"]
    assert body["occurred_at"] == "2025-03-01T10:00:00+08:00"
    assert body["location"] == {"lat": "29.1", "lon": "107.2"} and "learned_at" not in body
    assert body["idempotency_key"]


def test_a_bad_incident_time_names_its_field() -> None:
    with pytest.raises(ApiError) as got:
        incident_body({"title": "x", "occurred_at": "昨天"}, [])
    assert got.value.status == 422 and got.value.fields[0].label == "发生时间"


def test_unread_first_then_critical_then_newest() -> None:
    def item(i: str, prio: str, at: str, acked: bool) -> dict[str, object]:
        return {
            "id": i,
            "priority": prio,
            "created_at": at,
            "acknowledged_at": "x" if acked else None,
        }

    items = [
        item("old-read", "critical", "2025-01-01", True),
        item("new-normal", "normal", "2025-01-03", False),
        item("old-critical", "critical", "2025-01-02", False),
        item("newer-normal", "normal", "2025-01-04", False),
    ]
    assert [i["id"] for i in inbox_order(items)] == [
        "old-critical",
        "newer-normal",
        "new-normal",
        "old-read",
    ]
