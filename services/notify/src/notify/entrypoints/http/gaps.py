"""REST: the notices nobody could receive — which rule, which unit and role (or group, or
person) is missing, since when, how many notices (admin and supervisor)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from notify.domain.labels import UNIT_LEVEL_LABELS
from notify.domain.model import SHANGHAI
from notify.entrypoints.http.deps import ERRORS, MANAGERS, notify_ctx
from notify.service_layer.context import NotifyContext
from notify.service_layer.gaps import GapView, list_gaps
from qingshan_core.auth import Principal, require_roles

router = APIRouter(prefix="/v1/admin", tags=["directory / 通讯录"], responses=ERRORS)

LOCAL = ZoneInfo(SHANGHAI)
KIND_LABELS = {"unit_level": "单位岗位缺失", "group": "分组无人可达", "recipient": "接收人不可达"}


class GapOut(BaseModel):
    key: str
    rule_id: str
    rule_name: str
    event_type: str
    kind: str
    kind_label: str
    scope: str
    scope_name: str
    role: str
    role_label: str
    reason: str
    first_seen: datetime
    last_seen: datetime
    notices: int
    open: bool

    @classmethod
    def of(cls, v: GapView) -> GapOut:
        r = v.record
        return cls(
            key=r.key,
            rule_id=r.rule_id,
            rule_name=r.rule_name,
            event_type=r.event_type,
            kind=r.kind,
            kind_label=KIND_LABELS.get(r.kind, r.kind),
            scope=r.scope,
            scope_name=v.scope_name,
            role=r.role,
            role_label=UNIT_LEVEL_LABELS.get(r.role, r.role),
            reason=r.reason,
            first_seen=r.first_seen.astimezone(LOCAL),
            last_seen=r.last_seen.astimezone(LOCAL),
            notices=r.notices,
            open=v.open,
        )


class GapList(BaseModel):
    items: list[GapOut]
    total: int


@router.get("/unreachable", response_model=GapList, summary="无人可达的通知 / notices nobody got")
async def unreachable(
    include_closed: bool = Query(default=False, description="also gaps filled since / 含已补齐"),
    _: Principal = Depends(require_roles(*MANAGERS)),
    ctx: NotifyContext = Depends(notify_ctx),
) -> GapList:
    """Targets of rules that reached nobody, most recent first: open ones (still missing in the
    directory as it is now) unless `include_closed`."""
    items = [GapOut.of(v) for v in await list_gaps(ctx, include_closed)]
    return GapList(items=items, total=len(items))
