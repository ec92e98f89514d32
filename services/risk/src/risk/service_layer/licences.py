"""Use cases of 危险废物经营许可证: issue, revoke, look up, and the one-call licence check."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from risk.domain.clock import china_date
from risk.domain.errors import ValidationError
from risk.domain.licences import Licence, LicenceCheck, LicenceKind, may_receive
from risk.domain.waste_codes import parse_category
from risk.service_layer.context import Deps
from risk.service_layer.errors import not_found
from risk.service_layer.parsing import as_field, credit_code, waste_code
from risk.service_layer.ports import Page, Query

MAX_LICENCES_PER_HOLDER = 1000


@dataclass(frozen=True)
class LicenceApplication:
    """What recording a licence needs."""

    number: str
    holder_credit_code: str
    holder_name: str
    kind: str
    valid_from: date
    valid_until: date | None = None
    codes: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    annual_capacity_t: Decimal | None = None


def _category(field: str, raw: str) -> str:
    return as_field(field, lambda: parse_category(raw))


def _kind(raw: str) -> LicenceKind:
    for kind in LicenceKind:
        if raw in (kind.value, kind.name.lower()):
            return kind
    raise ValidationError("kind", "许可证类型应为综合或收集", "kind must be 综合 or 收集")


async def issue_licence(deps: Deps, app: LicenceApplication, by: str | None) -> Licence:
    """Record a licence (its number is the id)."""
    for i, raw in enumerate(app.categories):
        _category(f"categories[{i}]", raw)
    licence = Licence.issue(
        number=app.number,
        holder=credit_code(app.holder_credit_code, "holder_credit_code"),
        holder_name=app.holder_name,
        kind=_kind(app.kind),
        valid_from=app.valid_from,
        at=deps.clock(),
        codes=app.codes,
        categories=app.categories,
        valid_until=app.valid_until,
        annual_capacity_t=app.annual_capacity_t,
        rules=deps.rules.licences,
    )
    await deps.licences.add(licence.number, licence)
    return licence


async def get_licence(deps: Deps, number: str) -> Licence:
    """One licence."""
    loaded = await deps.licences.get(number)
    if loaded is None:
        raise not_found("许可证", "licence", number)
    return loaded.aggregate


async def revoke_licence(
    deps: Deps, number: str, effective_on: date, reason: str, by: str | None
) -> Licence:
    """吊销/注销 from a date on."""
    loaded = await deps.licences.get(number)
    if loaded is None:
        raise not_found("许可证", "licence", number)
    if not reason.strip():
        raise ValidationError("reason", "须说明吊销/注销理由", "a reason is required")
    loaded.aggregate.revoke(effective_on, reason.strip(), deps.clock())
    await deps.licences.save(number, loaded)
    return loaded.aggregate


async def list_licences(
    deps: Deps, holder: str | None = None, limit: int = 100, offset: int = 0
) -> Page[Licence]:
    """Licences, optionally of one holder."""
    where = {"holder": credit_code(holder, "holder").value if holder else None}
    return await deps.licences.find(Query(where=where, limit=limit, offset=offset))


async def held_by(deps: Deps, holder: str) -> list[Licence]:
    """Every licence of a holder."""
    page = await deps.licences.find(Query(where={"holder": holder}, limit=MAX_LICENCES_PER_HOLDER))
    return page.items


async def check_licence(deps: Deps, receiver: str, code: str, on_date: date | None) -> LicenceCheck:
    """May `receiver` take waste `code` on `on_date` (default today, Beijing)?"""
    who = credit_code(receiver, "receiver_credit_code")
    what = waste_code(code)
    day = on_date or china_date(deps.clock())
    return may_receive(await held_by(deps, who.value), who, what, day)
