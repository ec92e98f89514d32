"""Domain and use-case errors -> HTTP: 403 forbidden, 404 unknown, 409 impossible, 422 refused."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from complaints.adapters.repository import NotFound
from complaints.domain.errors import Forbidden, InvalidTransition, RuleViolation
from complaints.service_layer.intake import IdempotencyConflict
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
    "return_window_closed": "已超过退单时限",
    "unknown_action": "未知的操作",
    "amount_required": "请填写延期时长",
    "into_id_required": "请填写要并入的案件编号",
    "satisfaction_required": "请填写满意度",
    "unit_id_required": "请填写承办单位",
    "description_required": "请填写问题描述",
    "reason_required": "请填写原因",
    "text_required": "请填写答复内容",
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

    @app.exception_handler(ConcurrencyConflict)
    async def _race(_: Request, exc: ConcurrencyConflict) -> JSONResponse:
        return JSONResponse(
            status_code=409,
            content={"code": "concurrent_update", "detail": "案件已被他人修改，请重试 / retry"},
        )
