"""What every router shares: the use-case dependencies, role sets, error mapping."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, FastAPI, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from qingshan_core.auth import Principal, Role, require_roles
from qingshan_core.logging import get_logger
from qingshan_core.outbox import ConcurrencyConflict
from qingshan_core.ratelimit import per_client
from risk.domain.errors import DomainError, InvalidTransition, UnlicensedReceiver, ValidationError
from risk.service_layer.context import Deps
from risk.service_layer.errors import AlreadyExists, Conflict, NotFound, ServiceError

log = get_logger(__name__)

# The bureau's own staff and its integrations. Handling units (unit_handler: the towns and
# streets that handle complaints) have no risk access: nothing in the registry is held by a
# unit, so there is nothing a unit could be bound to (README, "Who may read what").
READ_ROLES = (Role.OPERATOR, Role.SUPERVISOR, Role.ADMIN, Role.INTEGRATION)
# The map: staff see it all; the public the public layer, where the bureau has enabled it.
MAP_ROLES = (*READ_ROLES, Role.PUBLIC)
MANAGE_ROLES = (Role.SUPERVISOR, Role.ADMIN)
FILE_ROLES = (Role.OPERATOR, Role.INTEGRATION, Role.SUPERVISOR, Role.ADMIN)

Reader = Annotated[Principal, Depends(require_roles(*READ_ROLES))]
MapViewer = Annotated[Principal, Depends(per_client(require_roles(*MAP_ROLES)))]
Manager = Annotated[Principal, Depends(require_roles(*MANAGE_ROLES))]
Filer = Annotated[Principal, Depends(require_roles(*FILE_ROLES))]
Admin = Annotated[Principal, Depends(require_roles(Role.ADMIN))]

Limit = Annotated[int, Field(ge=1, le=500)]
# Bounded: the store refuses a skip beyond 64 bits (that was a 500).
Offset = Annotated[int, Query(ge=0, le=1_000_000)]
DECIMAL = r"^[0-9]+(\.[0-9]+)?$"


def _deps(request: Request) -> Deps:
    deps: Deps = request.app.state.risk
    return deps


Services = Annotated[Deps, Depends(_deps)]


def who(principal: Principal) -> str:
    """How a person appears in history entries."""
    return f"{principal.role.value}:{principal.subject}"


class ErrorBody(BaseModel):
    """Error shape (422/404/409): a message in Chinese and English."""

    message: str
    detail: Any = None


class Problem(BaseModel):
    """401/403 from the token check, 400 for a body that cannot be parsed: `detail` says why."""

    detail: str


AUTH: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "缺少或无效的令牌 / missing, invalid or expired token"},
    403: {"model": Problem, "description": "无权执行 / the caller's role may not do this"},
}
MALFORMED: dict[int | str, dict[str, Any]] = {
    400: {"model": Problem, "description": "请求体无法解析 / unparseable body"}
}


def _validation(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ValidationError)
    body: dict[str, Any] = {
        "message": f"{exc.field}: {exc.reason_zh} / {exc.reason_en}",
        "detail": [
            {
                "field": exc.field,
                "loc": ["body", *exc.field.split(".")],
                "msg": f"{exc.reason_zh} / {exc.reason_en}",
                "type": "domain_rule",
                "reason_zh": exc.reason_zh,
                "reason_en": exc.reason_en,
            }
        ],
    }
    if isinstance(exc, UnlicensedReceiver):
        body["refused"] = True
        body["event"] = "risk.manifest.refused_unlicensed"
    return JSONResponse(status_code=422, content=body)


def _transition(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, InvalidTransition)
    return JSONResponse(
        status_code=409,
        content={"message": str(exc), "current_state": exc.current, "action": exc.action},
    )


def _domain(_: Request, exc: Exception) -> JSONResponse:
    return JSONResponse(status_code=422, content={"message": str(exc)})


def _service(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ServiceError)
    code = 404 if isinstance(exc, NotFound) else 409
    return JSONResponse(status_code=code, content={"message": f"{exc.zh} / {exc.en}"})


def _conflict(_: Request, exc: Exception) -> JSONResponse:
    return JSONResponse(
        status_code=409,
        content={"message": "数据已被他人修改，请重试 / changed concurrently, retry"},
    )


def install_error_handlers(app: FastAPI) -> None:
    """Domain and service errors → 422 / 409 / 404 with bilingual messages."""
    app.add_exception_handler(ValidationError, _validation)
    app.add_exception_handler(InvalidTransition, _transition)
    app.add_exception_handler(DomainError, _domain)
    app.add_exception_handler(NotFound, _service)
    app.add_exception_handler(AlreadyExists, _service)
    app.add_exception_handler(Conflict, _service)
    app.add_exception_handler(ConcurrencyConflict, _conflict)
