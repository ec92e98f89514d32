"""Use cases of the storage ledgers (贮存台账): open, waste in, waste out, look up."""

from __future__ import annotations

from datetime import datetime

from risk.domain.clock import china_date
from risk.domain.errors import ValidationError
from risk.domain.storage import HolderKind, Lot, StorageLedger
from risk.service_layer.context import Deps
from risk.service_layer.errors import not_found
from risk.service_layer.parsing import credit_code, past_or_now, quantity, waste_code
from risk.service_layer.ports import Loaded


def _kind(raw: str) -> HolderKind:
    for kind in HolderKind:
        if raw in (kind.value, kind.name.lower()):
            return kind
    names = "/".join(k.name.lower() for k in HolderKind)
    raise ValidationError("kind", "持有人类型应为经营单位/产生单位/医疗卫生机构", f"kind: {names}")


async def open_ledger(deps: Deps, holder: str, kind: str, by: str | None) -> StorageLedger:
    """Start the ledger of a holder (one per holder; the holder's credit code is its id)."""
    code = credit_code(holder, "holder_credit_code")
    ledger = StorageLedger(code, _kind(kind))
    await deps.ledgers.add(code.value, ledger)
    return ledger


async def _load(deps: Deps, holder: str) -> Loaded[StorageLedger]:
    loaded = await deps.ledgers.get(holder.strip().upper())
    if loaded is None:
        raise not_found("贮存台账", "storage ledger", holder)
    return loaded


async def get_ledger(deps: Deps, holder: str) -> StorageLedger:
    """One holder's ledger."""
    return (await _load(deps, holder)).aggregate


async def stock_in(
    deps: Deps,
    holder: str,
    code: str,
    amount: str,
    unit: str,
    at: datetime | None,
    by: str | None,
) -> tuple[StorageLedger, Lot]:
    """Waste generated or received into storage; the code must be in force on that date."""
    loaded = await _load(deps, holder)
    when = past_or_now("at", at, deps.clock())
    check = deps.catalogues.current.validate(code, china_date(when))
    parsed = check.require("waste_code")
    lot = loaded.aggregate.record_in(parsed, quantity(amount, unit), when)
    await deps.ledgers.save(loaded.aggregate.holder.value, loaded)
    return loaded.aggregate, lot


async def stock_out(
    deps: Deps,
    holder: str,
    code: str,
    amount: str,
    unit: str,
    at: datetime | None,
    reference: str,
    by: str | None,
) -> StorageLedger:
    """Waste leaving storage (by manifest, own use or disposal), oldest lots first."""
    loaded = await _load(deps, holder)
    when = past_or_now("at", at, deps.clock())
    loaded.aggregate.record_out(waste_code(code), quantity(amount, unit), when, reference.strip())
    await deps.ledgers.save(loaded.aggregate.holder.value, loaded)
    return loaded.aggregate
