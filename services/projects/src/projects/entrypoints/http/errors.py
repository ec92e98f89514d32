"""Domain and use-case errors → HTTP answers a Chinese user understands (never a 500)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from projects.domain.errors import ConflictError, InvalidValue
from projects.domain.stages import next_stage
from projects.domain.table_schema import BY_KEY
from projects.service_layer.imports import ImportRefused
from projects.service_layer.mutate import StateConflict
from projects.service_layer.ports import Busy, Forbidden, NotFound


class ErrorOut(BaseModel):
    """Every error answer: `detail` says what went wrong (for refused input, each field or each
    row and column), `message` a sentence for the user where there is one."""

    detail: str | list[dict[str, Any]]
    message: str | None = None


def _doc(description: str) -> dict[str, Any]:
    return {"model": ErrorOut, "description": description}


# What any signed-in operation may answer besides its success.
ERRORS: dict[int | str, dict[str, Any]] = {
    401: _doc("缺少或无效的令牌 / missing, invalid or expired token"),
    403: _doc("无权执行 / the caller's role or unit may not do this"),
    422: _doc("请求参数有误 / refused fields, each with its reason"),
}
MALFORMED: dict[int | str, dict[str, Any]] = {400: _doc("请求体无法解析 / unparseable body")}
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: _doc("不存在 / no such record")}


def conflict(description: str) -> dict[int | str, dict[str, Any]]:
    """A documented 409 with the service's error shape."""
    return {409: _doc(description)}


class FieldError(Exception):
    """Bad input blamed on one request field."""

    def __init__(self, field: str, zh: str, en: str) -> None:
        super().__init__(f"{field}: {zh} / {en}")
        self.field, self.zh, self.en = field, zh, en


@contextmanager
def blame(field: str) -> Iterator[None]:
    """Report a domain InvalidValue raised inside the block as a 422 on `field`."""
    try:
        yield
    except InvalidValue as err:
        raise FieldError(field, err.zh, err.en) from err


def aware_instant(at: datetime | None) -> datetime | None:
    """`at` unchanged if it carries a timezone; a 422 on `as_of` otherwise."""
    if at is not None and at.tzinfo is None:
        raise FieldError(
            "as_of",
            "as_of 须带时区，例如 2025-03-01T00:00:00+08:00",
            "as_of needs a timezone, e.g. 2025-03-01T00:00:00+08:00",
        )
    return at


def _unprocessable(field: str, zh: str, en: str) -> JSONResponse:
    detail = [{"field": field, "msg": f"{zh} / {en}", "zh": zh, "en": en}]
    return JSONResponse(
        status_code=422,
        content={
            "detail": detail,
            "message": f"请求参数有误：{field}：{zh} / invalid {field}: {en}",
        },
    )


async def _field_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, FieldError)
    return _unprocessable(exc.field, exc.zh, exc.en)


async def _invalid(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, InvalidValue)
    return _unprocessable("body", exc.zh, exc.en)


async def _refused(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ImportRefused)
    detail: list[dict[str, Any]] = [
        {
            "row": i.row,
            "column": i.column,
            "column_zh": BY_KEY[i.column].zh if i.column in BY_KEY else i.column,
            "msg": f"{i.zh} / {i.en}",
            "zh": i.zh,
            "en": i.en,
        }
        for i in exc.issues
    ]
    n = len(detail)
    return JSONResponse(
        status_code=422,
        content={
            "message": f"导入被拒绝：共{n}处问题，未写入任何数据 / "
            f"import refused: {n} problem(s), nothing was written",
            "written": False,
            "detail": detail,
        },
    )


async def _state_conflict(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StateConflict)
    nxt = next_stage(exc.stage)
    return JSONResponse(
        status_code=409,
        content={
            "detail": f"{exc.error.zh} / {exc.error.en}",
            "zh": exc.error.zh,
            "en": exc.error.en,
            "subitem_id": exc.subitem_id,
            "current_stage": exc.stage.value,
            "current_stage_zh": exc.stage.zh,
            "next_stage": nxt.value if nxt else None,
            "in_reserve": exc.in_reserve,
        },
    )


async def _conflict(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ConflictError)
    return JSONResponse(
        status_code=409, content={"detail": f"{exc.zh} / {exc.en}", "zh": exc.zh, "en": exc.en}
    )


async def _not_found(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, NotFound)
    return JSONResponse(status_code=404, content={"detail": f"{exc.zh} / {exc.en}"})


async def _forbidden(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Forbidden)
    return JSONResponse(status_code=403, content={"detail": f"{exc.zh} / {exc.en}"})


async def _busy(_: Request, exc: Exception) -> JSONResponse:
    return JSONResponse(
        status_code=409,
        content={
            "detail": f"该记录正被同时修改，请稍后重试 / {exc} is being changed concurrently, retry"
        },
        headers={"Retry-After": "1"},
    )


def install(app: FastAPI) -> None:
    """Register the projects service's error answers on its app."""
    app.add_exception_handler(FieldError, _field_error)
    app.add_exception_handler(ImportRefused, _refused)
    app.add_exception_handler(InvalidValue, _invalid)
    app.add_exception_handler(StateConflict, _state_conflict)
    app.add_exception_handler(ConflictError, _conflict)
    app.add_exception_handler(NotFound, _not_found)
    app.add_exception_handler(Forbidden, _forbidden)
    app.add_exception_handler(Busy, _busy)
