"""Domain and use-case errors -> HTTP: 403 forbidden, 404 unknown, 409 impossible, 422 refused."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from complaints.adapters.repository import NotFound
from complaints.domain.errors import Forbidden, InvalidTransition, RuleViolation
from complaints.service_layer.intake import IdempotencyConflict, IntakeInProgress
from complaints.service_layer.platform_inbound import RequestIdReused
from qingshan_core.outbox import ConcurrencyConflict

# What an operator reads, by the domain's stable rule codes.
RULES_ZH = {
    "anonymous_no_follow_up": "匿名举报无法回访",
    "before_receipt": "操作时间不能早于受理时间",
    "deadline_passed": "已超过办理时限，不能再申请延期",
    "extension_pending": "已有待审批的延期申请",
    "extension_too_long": "延期天数超过允许的上限",
    "merge_into_later_case": "只能并入更早受理的案件",
    "merge_into_self": "不能并入案件本身",
    "merge_target_closed": "目标案件已办结，不能并入",
    "merge_target_merged": "目标案件已被合并，请并入其主案件",
    "received_at_in_future": "受理时间不能晚于当前时间",
    "received_at_too_old": "受理时间不能早于2000年",
    "return_window_closed": "已超过退单时限",
    "unknown_action": "未知的操作",
    "amount_required": "请填写延期时长",
    "into_id_required": "请填写要并入的案件编号",
    "satisfaction_required": "请填写满意度",
    "unit_id_required": "请填写承办单位",
    "description_required": "请填写问题描述",
    "reason_required": "请填写原因",
    "text_required": "请填写答复内容",
    "not_a_platform_order": "该案件不是平台派发的工单",
    "redispatch_same_unit": "案件已由该单位承办",
    "satisfaction_invalid": "满意度须为满意、基本满意或不满意",
    "approved_required": "请填写是否同意延期",
}


class FieldProblem(BaseModel):
    """One refused request field."""

    field: str
    loc: list[str | int]
    msg: str
    type: str


class ErrorOut(BaseModel):
    """Every error answer: `detail` says what went wrong (for a refused request, the fields),
    `code` is the stable rule code where there is one, `message` a sentence for operators."""

    detail: str | list[FieldProblem]
    code: str | None = None
    message: str | None = None


def _doc(description: str) -> dict[str, Any]:
    return {"model": ErrorOut, "description": description}


# What any signed-in operation may answer besides its success.
ERRORS: dict[int | str, dict[str, Any]] = {
    401: _doc("缺少或无效的令牌 / missing, invalid or expired token"),
    403: _doc("无权执行 / the caller's role or unit may not do this"),
    422: _doc("请求参数有误或不符合业务规则 / refused fields or a broken rule"),
}
MALFORMED: dict[int | str, dict[str, Any]] = {400: _doc("请求体无法解析 / unparseable body")}
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: _doc("未找到 / not found")}
CONFLICT: dict[int | str, dict[str, Any]] = {
    409: _doc("当前状态下不能执行 / not possible in the current state, or a concurrent change")
}


def install(app: FastAPI) -> None:
    """Register the handlers on the app."""

    @app.exception_handler(InvalidTransition)
    async def _conflict(_: Request, exc: InvalidTransition) -> JSONResponse:
        return JSONResponse(
            status_code=409,
            content={
                "code": "invalid_transition",
                "detail": f"当前状态“{exc.current_state.label}”下不能执行该操作 / {exc}",
                "current_state": exc.current_state.value,
                "action": exc.action.value,
            },
        )

    @app.exception_handler(Forbidden)
    async def _forbidden(_: Request, exc: Forbidden) -> JSONResponse:
        return JSONResponse(
            status_code=403,
            content={"code": "forbidden", "detail": f"无权执行该操作（{exc.reason}） / {exc}"},
        )

    @app.exception_handler(RuleViolation)
    async def _rule(_: Request, exc: RuleViolation) -> JSONResponse:
        field = exc.code.removesuffix("_required") if exc.code.endswith("_required") else None
        zh = RULES_ZH.get(exc.code, "请求不符合业务规则")
        body = {"code": exc.code, "detail": f"{zh} / {exc.message}", "message": zh}
        if field:
            body["field"] = field
        return JSONResponse(status_code=422, content=body)

    @app.exception_handler(NotFound)
    async def _missing(_: Request, exc: NotFound) -> JSONResponse:
        return JSONResponse(
            status_code=404, content={"code": "not_found", "detail": f"未找到 / not found: {exc}"}
        )

    @app.exception_handler(IdempotencyConflict)
    async def _idem(_: Request, exc: IdempotencyConflict) -> JSONResponse:
        return JSONResponse(
            status_code=409,
            content={
                "code": "idempotency_key_reused",
                "detail": "Idempotency-Key 已用于不同的请求 / key reused for a different request",
            },
        )

    @app.exception_handler(RequestIdReused)
    async def _request_id(_: Request, exc: RequestIdReused) -> JSONResponse:
        return JSONResponse(
            status_code=409,
            content={
                "code": "request_id_reused",
                "detail": "请求号已用于该工单的另一类请求 / request id reused for another request",
            },
        )

    @app.exception_handler(IntakeInProgress)
    async def _in_progress(_: Request, exc: IntakeInProgress) -> JSONResponse:
        # The order number is claimed by an intake that has not stored its case (still
        # running, or died; a dead one's claim is freed after a while): try again shortly.
        return JSONResponse(
            status_code=409,
            content={
                "code": "intake_in_progress",
                "detail": "该工单正在受理中，请稍后重试 / this order is being taken in, retry",
            },
            headers={"Retry-After": "2"},
        )

    @app.exception_handler(ConcurrencyConflict)
    async def _race(_: Request, exc: ConcurrencyConflict) -> JSONResponse:
        return JSONResponse(
            status_code=409,
            content={"code": "concurrent_update", "detail": "案件已被他人修改，请重试 / retry"},
        )
