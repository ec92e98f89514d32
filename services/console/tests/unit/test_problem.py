"""The one reader of the services' error answers: today's shapes and RFC 9457 problem details,
shown in Chinese with the fields they concern."""

from __future__ import annotations

import pytest

from console.api import problem
from console.signin import safe_next
from console.views.work import action_body

pytestmark = pytest.mark.unit


def test_refused_fields_of_todays_validation_answer() -> None:
    body = {
        "detail": [
            {
                "field": "complainant.phone",
                "loc": ["body", "complainant", "phone"],
                "msg": "Value error, 电话号码不是有效的大陆手机或座机号码 / not a plausible number",
                "type": "value_error",
            },
            {
                "field": "category",
                "loc": ["body", "category"],
                "msg": "Field required",
                "type": "missing",
            },
        ],
        "message": "invalid request: complainant.phone, category / 请求参数有误：complainant.phone",
    }
    e = problem(422, body)
    assert e.message == "填写的内容有误"
    assert [(f.label, f.message) for f in e.fields] == [
        ("电话", "电话号码不是有效的大陆手机或座机号码"),
        ("问题类别", "必填"),
    ]


def test_a_rule_with_its_field_and_a_conflict() -> None:
    e = problem(
        422,
        {
            "code": "reason_required",
            "detail": "请填写原因 / reason is required",
            "message": "请填写原因",
            "field": "reason",
        },
    )
    assert (e.message, e.code) == ("请填写原因", "reason_required")
    assert [(f.field, f.label) for f in e.fields] == [("reason", "原因")]
    e = problem(
        409,
        {
            "code": "invalid_transition",
            "detail": "当前状态“交办”下不能执行该操作 / cannot reply",
            "current_state": "assigned",
        },
    )
    assert e.message == "当前状态“交办”下不能执行该操作" and e.fields == []


def test_english_first_messages_and_bare_answers() -> None:
    assert problem(401, {"detail": "token expired / 令牌已过期"}).message == "令牌已过期"
    assert problem(404, None).message == "未找到"
    assert problem(500, "<html>").message == "操作失败"
    e = problem(429, {"detail": "too many"}, {"Retry-After": "30"})
    assert e.message == "操作过于频繁，请稍后再试（请30秒后重试）" and e.retry_after == "30"


def test_rfc9457_problem_details() -> None:
    body = {
        "type": "about:blank",
        "title": "请求参数有误",
        "status": 422,
        "detail": "请求参数有误：description / invalid request",
        "code": "validation_failed",
        "errors": [{"field": "description", "detail": "问题描述不能为空 / must not be blank"}],
    }
    e = problem(422, body)
    assert e.code == "validation_failed"
    assert [(f.label, f.message) for f in e.fields] == [("问题描述", "问题描述不能为空")]


def test_only_this_consoles_paths_are_followed_after_sign_in() -> None:
    assert safe_next("/cases?queue=mine") == "/cases?queue=mine"
    assert safe_next("https://evil.example/x") == "/"
    assert safe_next("//evil.example/x") == "/"
    assert safe_next(None) == "/"


def test_action_forms_become_api_bodies() -> None:
    assert action_body("extend", {"amount": "3", "reason": " 等报告 "}) == {
        "amount": 3,
        "reason": "等报告",
    }
    assert action_body("close", {"substantiated": "true", "note": ""}) == {"substantiated": True}
    assert action_body("accept", {"anything": "x"}) == {}
