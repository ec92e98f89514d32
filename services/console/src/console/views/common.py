"""What every staff page shares: the person in the header, the navigation for their role, the
units, and rendering a full page or an htmx partial."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates

from console.api import Api, ApiError, FieldError
from console.signin import Session
from console.units import Unit, units
from qingshan_core.auth import Role
from qingshan_core.workdays import SHANGHAI

NAV: dict[Role, list[tuple[str, str]]] = {
    Role.OPERATOR: [
        ("/cases?queue=unassigned", "工作队列"),
        ("/intake", "受理登记"),
        ("/risk/map", "一张图"),
        ("/inbox", "消息"),
    ],
    Role.UNIT_HANDLER: [("/cases?queue=mine", "本单位案件"), ("/inbox", "消息")],
    Role.SUPERVISOR: [
        ("/dashboard", "督办看板"),
        ("/cases?queue=open", "全部案件"),
        ("/cases?queue=extension", "延期审批"),
        ("/reserve", "项目储备库"),
        ("/risk/map", "一张图"),
        ("/inbox", "消息"),
    ],
    Role.ADMIN: [
        ("/dashboard", "督办看板"),
        ("/cases?queue=open", "全部案件"),
        ("/reserve", "项目储备库"),
        ("/risk/map", "一张图"),
        ("/inbox", "消息"),
        ("/admin/notify", "通知配置"),
    ],
}
ASSIGNERS = frozenset({Role.OPERATOR, Role.SUPERVISOR, Role.ADMIN})
REVEALERS = frozenset({Role.SUPERVISOR, Role.ADMIN})


def local_instant(value: str, name: str, label: str) -> str | None:
    """A datetime-local field (Beijing time) as the API's aware datetime; blank is None."""
    if not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise ApiError(422, "填写的内容有误", [FieldError(name, label, "时间格式不正确")]) from exc
    return (moment if moment.tzinfo else moment.replace(tzinfo=SHANGHAI)).isoformat()


def api_of(request: Request) -> Api:
    api: Api = request.app.state.api
    return api


def is_htmx(request: Request) -> bool:
    return bool(request.headers.get("HX-Request"))


async def render(
    request: Request,
    sess: Session,
    template: str,
    status_code: int = 200,
    **context: Any,
) -> Response:
    """A page (or partial) for the signed-in person."""
    registry: list[Unit] = await units(api_of(request), sess.token, active_only=False)
    names = {u.id: u.name for u in registry}  # retired ones too: a case's history names them
    all_units = [u for u in registry if u.active]
    p = sess.principal
    me = {
        "name": p.name or p.subject,
        "role": p.role.value,
        "role_label": sess.role_label,
        "unit": names.get(p.unit or "", p.unit) if p.unit else None,
    }
    t: Jinja2Templates = request.app.state.templates
    return t.TemplateResponse(
        request,
        template,
        {
            "me": me,
            "nav": NAV.get(p.role, []),
            "units": all_units,
            "unit_names": names,
            "can_assign": p.role in ASSIGNERS,
            "can_reveal": p.role in REVEALERS,
            "is_operator": p.role is Role.OPERATOR,
            **context,
        },
        status_code=status_code,
    )
