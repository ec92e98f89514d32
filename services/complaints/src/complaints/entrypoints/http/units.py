"""/v1/units: the registry of handling units (承办单位). Staff read it; administrators add,
rename, set heads and handlers, and retire units. Also the check that a unit handler's token
names a unit of the registry (a dependency of every router unit handlers use)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from complaints.domain.units import MAX_CONTACTS, MAX_NAME, HandlingUnit, UnitKind
from complaints.entrypoints.http.errors import CONFLICT, ERRORS, MALFORMED, NOT_FOUND
from complaints.entrypoints.http.views import in_local_time
from complaints.service_layer.context import Context
from complaints.service_layer.units import (
    UnitChange,
    change_unit,
    get_unit,
    handler_unit_known,
    register_unit,
    retire_unit,
)
from qingshan_core.auth import STAFF, Principal, current_principal, require_roles
from qingshan_core.auth import Role as R
from qingshan_core.errors import Forbidden

ADMIN = require_roles(R.ADMIN)
UNIT_ID = Path(max_length=64, description="单位编号 / unit id, e.g. town-01")
PERSON = Field(default=None, max_length=64, description="人员编号（登录名） / person id (login)")


def _ctx(request: Request) -> Context:
    ctx: Context = request.app.state.ctx
    return ctx


async def registered_unit(request: Request, p: Principal = Depends(current_principal)) -> Principal:
    """A unit handler's token must name an active unit of the registry (403 otherwise)."""
    if p.role is R.UNIT_HANDLER and not await handler_unit_known(_ctx(request), p.unit):
        raise Forbidden(
            f"令牌中的承办单位“{p.unit}”不在单位名录中或已撤销",
            f"the token's unit {p.unit!r} is not an active unit of the registry",
        )
    return p


router = APIRouter(
    prefix="/v1/units",
    tags=["units 承办单位"],
    responses=ERRORS,
    dependencies=[Depends(registered_unit)],
)


class UnitIn(BaseModel):
    """A new unit."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(
        min_length=1,
        max_length=64,
        pattern=r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$",
        description="稳定编号 / stable id, e.g. town-01",
    )
    name: str = Field(min_length=1, max_length=MAX_NAME, description="名称 / name, e.g. 东城街道")
    kind: UnitKind = Field(description="town 镇/街道 | section 局内科室 | department 其他部门")
    head: str | None = PERSON
    contacts: list[str] = Field(default_factory=list, max_length=MAX_CONTACTS)


class UnitPatch(BaseModel):
    """Rename, or set the head (null removes it) or the handlers."""

    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, min_length=1, max_length=MAX_NAME)
    head: str | None = PERSON
    contacts: list[str] | None = Field(default=None, max_length=MAX_CONTACTS)


class UnitOut(BaseModel):
    id: str
    name: str
    kind: UnitKind
    kind_label: str
    head: str | None
    contacts: list[str]
    active: bool
    version: int
    created_at: datetime | None
    updated_at: datetime | None
    retired_at: datetime | None

    @classmethod
    def of(cls, u: HandlingUnit) -> UnitOut:
        return cls(
            id=u.id,
            name=u.name,
            kind=u.kind,
            kind_label=u.kind.label,
            head=u.head,
            contacts=list(u.contacts),
            active=u.active,
            version=u.version,
            **in_local_time(
                {"created_at": u.created_at, "updated_at": u.updated_at, "retired_at": u.retired_at}
            ),
        )


class UnitList(BaseModel):
    items: list[UnitOut]
    total: int


@router.get("", summary="单位名录 / the unit registry", response_model=UnitList)
async def list_units(
    request: Request,
    active: bool | None = Query(default=None, description="true: 仅在用 / active only"),
    kind: UnitKind | None = None,
    _: Principal = Depends(require_roles(*STAFF)),
) -> UnitList:
    """Every unit, by id; `?active=true` leaves retired ones out."""
    units = await _ctx(request).units.list(active)
    items = [UnitOut.of(u) for u in units if kind is None or u.kind is kind]
    return UnitList(items=items, total=len(items))


@router.get("/{unit_id}", summary="单位详情 / one unit", responses=NOT_FOUND)
async def one_unit(
    request: Request, unit_id: str = UNIT_ID, _: Principal = Depends(require_roles(*STAFF))
) -> UnitOut:
    return UnitOut.of(await get_unit(_ctx(request), unit_id))


@router.post(
    "",
    status_code=201,
    summary="新增单位 / register a unit",
    responses=CONFLICT | MALFORMED,
)
async def create_unit(body: UnitIn, request: Request, p: Principal = Depends(ADMIN)) -> UnitOut:
    """409 with the stored unit when the id is taken; publishes UnitRegistered."""
    unit = await register_unit(
        _ctx(request),
        body.id,
        body.name,
        body.kind,
        head=body.head,
        contacts=tuple(body.contacts),
        by=p.subject,
        trace_id=request.state.trace_id,
    )
    return UnitOut.of(unit)


@router.patch(
    "/{unit_id}",
    summary="修改单位（更名、负责人、承办人员） / rename, head, handlers",
    responses=NOT_FOUND | CONFLICT | MALFORMED,
)
async def patch_unit(
    body: UnitPatch, request: Request, unit_id: str = UNIT_ID, p: Principal = Depends(ADMIN)
) -> UnitOut:
    """Publishes UnitChanged when anything changed; a retired unit cannot change (422)."""
    fields = body.model_fields_set
    change = UnitChange(
        name=body.name,
        head=body.head,
        clear_head="head" in fields and body.head is None,
        contacts=tuple(body.contacts) if body.contacts is not None else None,
    )
    unit = await change_unit(
        _ctx(request), unit_id, change, by=p.subject, trace_id=request.state.trace_id
    )
    return UnitOut.of(unit)


@router.post(
    "/{unit_id}/retire",
    summary="撤销单位 / retire a unit",
    responses=NOT_FOUND | CONFLICT,
)
async def retire(
    request: Request, unit_id: str = UNIT_ID, p: Principal = Depends(ADMIN)
) -> UnitOut:
    """No new cases go to it; cases it holds stay. Publishes UnitRetired."""
    unit = await retire_unit(_ctx(request), unit_id, by=p.subject, trace_id=request.state.trace_id)
    return UnitOut.of(unit)
