"""The one error contract: problem details over HTTP, status codes over gRPC, one OpenAPI schema."""

from __future__ import annotations

import grpc
import httpx
import pytest
from pydantic import BaseModel

from qingshan_core import errors
from qingshan_core.errors import bilingual
from qingshan_core.grpc_errors import grpc_details, grpc_metadata, grpc_status
from qingshan_core.http import create_service_app, no_lifespan
from qingshan_core.outbox import ConcurrencyConflict

pytestmark = pytest.mark.unit


class Body(BaseModel):
    count: int


def _app():
    app = create_service_app(title="t", description="t", lifespan=no_lifespan, max_body_bytes=64)

    @app.post("/cases/{case_id}/close")
    async def close(case_id: str, body: Body) -> dict[str, str]:
        raise errors.InvalidTransition(
            "当前状态“已交办”下不能执行该操作",
            "cannot close a case in state assigned",
            current={"state": "assigned", "label": "已交办"},
            extra={"action": "close"},
        )

    @app.get("/limited")
    async def limited() -> dict[str, str]:
        raise errors.TooManyRequests(retry_after=7)

    @app.get("/erased")
    async def erased() -> dict[str, str]:
        raise errors.Gone("举报人身份已删除", "the reporter's identity was erased")

    return app


async def _send(method: str, path: str, **kw) -> httpx.Response:
    transport = httpx.ASGITransport(app=_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        return await c.request(method, path, **kw)


async def test_a_conflict_carries_the_current_state_and_the_service_members():
    r = await _send("POST", "/cases/c1/close", json={"count": 1})
    assert r.status_code == 409 and r.headers["content-type"] == "application/problem+json"
    assert r.json() == {
        "type": "urn:qingshan:problem:invalid_transition",
        "title": "当前状态下不能执行该操作",
        "title_en": "Invalid transition",
        "status": 409,
        "detail": "当前状态“已交办”下不能执行该操作",
        "detail_en": "cannot close a case in state assigned",
        "code": "invalid_transition",
        "instance": "/cases/c1/close",
        "current": {"state": "assigned", "label": "已交办"},
        "action": "close",
    }


async def test_retry_after_is_a_member_and_a_header():
    r = await _send("GET", "/limited")
    assert r.status_code == 429 and r.headers["Retry-After"] == "7"
    assert r.json()["retry_after"] == 7 and r.json()["code"] == "too_many_requests"
    assert r.json()["detail"] == "请求过于频繁，请稍后重试"


async def test_gone_is_a_410_problem():
    r = await _send("GET", "/erased")
    assert r.status_code == 410 and r.headers["content-type"] == "application/problem+json"
    assert r.json()["code"] == "gone" and r.json()["title"] == "已依法删除"
    assert r.json()["detail_en"] == "the reporter's identity was erased"


async def test_framework_errors_are_problems_too():
    unknown = await _send("GET", "/nowhere")
    assert unknown.status_code == 404 and unknown.json()["code"] == "not_found"
    assert unknown.headers["content-type"] == "application/problem+json"
    method = await _send("DELETE", "/limited")
    assert method.status_code == 405 and method.json()["code"] == "method_not_allowed"
    big = await _send("POST", "/cases/c1/close", content=b"x" * 100)
    assert big.status_code == 413 and big.json()["code"] == "payload_too_large"
    assert "字节" in big.json()["detail"] and "bytes" in big.json()["detail_en"]
    json_type = {"content-type": "application/json"}
    broken = await _send("POST", "/cases/c1/close", content=b"{not json", headers=json_type)
    assert broken.status_code == 422 and broken.json()["errors"][0]["type"] == "json_invalid"


async def test_openapi_declares_the_one_problem_schema_for_errors():
    spec = (await _send("GET", "/openapi.json")).json()
    declared = spec["paths"]["/cases/{case_id}/close"]["post"]["responses"]["422"]["content"]
    assert declared == {
        "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
    }
    schemas = spec["components"]["schemas"]
    assert "HTTPValidationError" not in schemas and "ValidationError" not in schemas
    assert set(schemas["Problem"]["required"]) >= {"type", "status", "code", "detail_en"}


def test_one_grpc_status_per_kind():
    cases = {
        errors.NotFound(): grpc.StatusCode.NOT_FOUND,
        errors.Unauthorized(): grpc.StatusCode.UNAUTHENTICATED,
        errors.Forbidden(): grpc.StatusCode.PERMISSION_DENIED,
        errors.Gone(): grpc.StatusCode.NOT_FOUND,
        errors.InvalidTransition(): grpc.StatusCode.FAILED_PRECONDITION,
        errors.AlreadyExists(): grpc.StatusCode.ALREADY_EXISTS,
        ConcurrencyConflict("c/1 v2"): grpc.StatusCode.ABORTED,
        errors.RuleViolation(): grpc.StatusCode.INVALID_ARGUMENT,
        errors.TooManyRequests(): grpc.StatusCode.RESOURCE_EXHAUSTED,
        errors.Unavailable(): grpc.StatusCode.UNAVAILABLE,
    }
    for err, code in cases.items():
        assert grpc_status(err) is code, type(err).__name__
    refused = errors.RuleViolation(
        "年份超出范围", "year out of range", errors=[errors.FieldProblem("year", "超出", "out")]
    )
    assert grpc_details(refused) == "年份超出范围 / year out of range"
    assert grpc_metadata(refused) == (
        ("qingshan-code", "rule_violation"),
        ("qingshan-field", "year"),
    )


def test_bilingual_text_is_split_chinese_first():
    assert bilingual("token expired / 令牌已过期") == ("令牌已过期", "token expired")
    assert bilingual("未找到 / not found") == ("未找到", "not found")
    assert bilingual("plain") == ("plain", "plain")
