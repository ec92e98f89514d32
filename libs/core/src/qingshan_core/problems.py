"""Every HTTP error of every service as RFC 9457 problem details (`application/problem+json`).

One handler set, installed by `create_service_app`: the error classes of qingshan_core.errors
(and every service's subclasses), FastAPI's RequestValidationError, Starlette's HTTPException
(401/403 from the token check, unknown routes, 405, unparseable forms) and a store that cannot
be reached all answer with the one `Problem` body. `install_problem_openapi` makes every
service's OpenAPI declare that schema for its error responses.

Chinese first: `title`/`detail` are Chinese, `title_en`/`detail_en` English.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from pymongo.errors import ConnectionFailure, ExecutionTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from qingshan_core import errors
from qingshan_core.errors import QingshanError, bilingual
from qingshan_core.logging import get_logger
from qingshan_core.validation_text import validation_problem

MEDIA_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:qingshan:problem:"
log = get_logger(__name__)


class ProblemItem(BaseModel):
    """One refused field (or file cell): where, and why in Chinese and English."""

    model_config = ConfigDict(extra="allow")

    field: str = Field(description="请求字段（点分路径）/ the field, a dotted path")
    detail: str = Field(description="原因 / why, in Chinese")
    detail_en: str = Field(description="why, in English")


class Problem(BaseModel):
    """RFC 9457 problem details, the one error body of every qingshan API."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(description="问题类型 URI / the kind, e.g. urn:qingshan:problem:not_found")
    title: str = Field(description="问题类型（中文）/ the kind, in Chinese")
    title_en: str = Field(description="the kind, in English")
    status: int = Field(description="HTTP 状态码 / the HTTP status")
    detail: str = Field(description="这一次出了什么问题（中文）/ this occurrence, in Chinese")
    detail_en: str = Field(description="this occurrence, in English")
    code: str = Field(description="稳定的错误码 / stable machine-readable code")
    instance: str | None = Field(default=None, description="请求路径 / the request path")
    field: str | None = Field(default=None, description="出错的字段 (422) / the offending field")
    errors: list[ProblemItem] | None = Field(
        default=None, description="每个被拒的字段 (422) / every refused field"
    )
    current: dict[str, Any] | None = Field(
        default=None, description="冲突时的当前状态 (409) / the state the request collided with"
    )
    retry_after: int | None = Field(
        default=None, description="多少秒后重试 (429/503) / seconds; also the Retry-After header"
    )


def problem_body(err: QingshanError, instance: str | None = None) -> dict[str, Any]:
    """The JSON members of `err`'s problem details (absent members are left out, not null)."""
    kind = next(c for c in type(err).__mro__ if c.__module__ == errors.__name__)
    assert issubclass(kind, QingshanError)
    body: dict[str, Any] = {
        "type": TYPE_PREFIX + str(kind.code),
        "title": err.title,
        "title_en": err.title_en,
        "status": err.status,
        "detail": err.detail,
        "detail_en": err.detail_en,
        "code": err.code,
    }
    if instance:
        body["instance"] = instance
    if err.field is not None:
        body["field"] = err.field
    if err.errors:
        body["errors"] = [
            {**p.extra, "field": p.field, "detail": p.detail, "detail_en": p.detail_en}
            for p in err.errors
        ]
    if err.current_info is not None:
        body["current"] = err.current_info
    if err.retry_after is not None:
        body["retry_after"] = err.retry_after
    for key, value in err.extra.items():
        body.setdefault(key, value)
    return body


def problem_response(err: QingshanError, instance: str | None = None) -> JSONResponse:
    """`err` as an application/problem+json response (Retry-After, WWW-Authenticate set)."""
    headers: dict[str, str] = {}
    if err.retry_after is not None:
        headers["Retry-After"] = str(err.retry_after)
    if isinstance(err, errors.Unauthorized):
        headers["WWW-Authenticate"] = "Bearer"
    return JSONResponse(
        problem_body(err, instance), status_code=err.status, headers=headers, media_type=MEDIA_TYPE
    )


# Statuses Starlette/FastAPI raise themselves, beyond the classes in qingshan_core.errors.
_BY_STATUS: dict[int, type[QingshanError]] = {
    c.status: c
    for c in (
        errors.NotFound,
        errors.Unauthorized,
        errors.Forbidden,
        errors.Gone,
        errors.Conflict,
        errors.RuleViolation,
        errors.TooManyRequests,
        errors.Unavailable,
    )
}
_OTHER: dict[int, tuple[str, str, str]] = {
    400: ("bad_request", "请求有误", "Bad request"),
    405: ("method_not_allowed", "不支持该请求方法", "Method not allowed"),
    406: ("not_acceptable", "无法提供所要求的格式", "Not acceptable"),
    413: ("payload_too_large", "请求体过大", "Payload too large"),
    415: ("unsupported_media_type", "不支持的请求格式", "Unsupported media type"),
}


def http_problem(
    status: int, detail: str, headers: Mapping[str, str] | None = None, instance: str | None = None
) -> JSONResponse:
    """A problem response for a bare status and a "中文 / English" detail."""
    zh, en = bilingual(detail)
    if status in _BY_STATUS:
        response = problem_response(_BY_STATUS[status](zh, en), instance)
    else:
        code, title, title_en = _OTHER.get(status, ("error", "请求失败", "Request failed"))
        body: dict[str, Any] = {"type": TYPE_PREFIX + code, "title": title, "title_en": title_en}
        body |= {"status": status, "detail": zh, "detail_en": en, "code": code}
        if instance:
            body["instance"] = instance
        response = JSONResponse(body, status_code=status, media_type=MEDIA_TYPE)
    response.headers.update(dict(headers or {}))
    return response


async def _qingshan_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, QingshanError)
    return problem_response(exc, request.url.path)


async def _http_exception(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    return http_problem(exc.status_code, str(exc.detail), exc.headers, request.url.path)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return problem_response(validation_problem(exc.errors()), request.url.path)


async def _store_down(request: Request, exc: Exception) -> JSONResponse:
    log.error("http.store_unavailable", error=repr(exc))
    err = errors.Unavailable(
        "数据库暂不可用，请稍后重试", "store unavailable, try again", code="store_unavailable"
    )
    err.retry_after = 5
    return problem_response(err, request.url.path)


def install_problem_handlers(app: FastAPI) -> None:
    """Every error the app can raise answers with problem details."""
    app.add_exception_handler(QingshanError, _qingshan_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_exception)
    # ServerSelectionTimeoutError, AutoReconnect and the socket and pool-wait timeouts
    # (NetworkTimeout, WaitQueueTimeoutError) are ConnectionFailures.
    app.add_exception_handler(ConnectionFailure, _store_down)
    app.add_exception_handler(ExecutionTimeout, _store_down)  # a server-side time limit ran out


PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
_REPLACED = {"#/components/schemas/HTTPValidationError", PROBLEM_REF["$ref"]}


def _is_error_doc(response: dict[str, Any]) -> bool:
    """A documented error without a schema of its own (FastAPI's 422, ours, none at all)."""
    content = response.get("content")
    if not content:
        return True
    if set(content) - {"application/json", MEDIA_TYPE}:
        return False
    return all(m.get("schema", {}).get("$ref") in _REPLACED for m in content.values())


def problem_openapi(schema: dict[str, Any]) -> dict[str, Any]:
    """Every 4xx/5xx response of `schema` declared as application/problem+json `Problem`."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for path in schema.get("paths", {}).values():
        for operation in path.values():
            for status, response in operation.get("responses", {}).items():
                if str(status)[0] in "45" and _is_error_doc(response):
                    response["content"] = {MEDIA_TYPE: {"schema": dict(PROBLEM_REF)}}
    model = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    components.update(model.pop("$defs", {}))
    components["Problem"] = model
    text = repr(schema["paths"])
    for unused in ("HTTPValidationError", "ValidationError"):
        if f"#/components/schemas/{unused}'" not in text:
            components.pop(unused, None)
    return schema


def install_problem_openapi(app: FastAPI) -> None:
    """The app's OpenAPI declares `Problem` (application/problem+json) for its errors."""
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = problem_openapi(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _doc(description: str) -> dict[str, Any]:
    return {"model": Problem, "description": description}


# What operations document besides their success (every one the same `Problem` body).
AUTH: dict[int | str, dict[str, Any]] = {
    401: _doc("缺少或无效的令牌 / missing, invalid or expired token"),
    403: _doc("无权执行 / the caller's role or unit may not do this"),
}
REFUSED: dict[int | str, dict[str, Any]] = {
    422: _doc("请求参数有误或不符合业务规则 / refused fields or a broken rule"),
}
ERRORS: dict[int | str, dict[str, Any]] = AUTH | REFUSED
MALFORMED: dict[int | str, dict[str, Any]] = {400: _doc("请求体无法解析 / unparseable body")}
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: _doc("未找到 / not found")}
GONE: dict[int | str, dict[str, Any]] = {410: _doc("已依法删除 / removed for good (erased)")}
CONFLICT: dict[int | str, dict[str, Any]] = {
    409: _doc("当前状态下不能执行，或同时被修改 / not possible in the current state, or a race")
}


def conflict(description: str) -> dict[int | str, dict[str, Any]]:
    """A documented 409 with its own description."""
    return {409: _doc(description)}
