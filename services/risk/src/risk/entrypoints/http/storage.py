"""/v1/storage-ledgers: 贮存台账 per holder (stock per code, oldest stock, limits)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, status
from pydantic import AwareDatetime, BaseModel, Field

from risk.domain.storage import StorageLedger
from risk.entrypoints.http.common import (
    AUTH,
    DECIMAL,
    ERRORS,
    MALFORMED,
    Filer,
    Reader,
    Services,
    who,
)
from risk.service_layer import storage as uc

router = APIRouter(prefix="/v1/storage-ledgers", tags=["storage 贮存台账"], responses=AUTH)


class LedgerCreate(BaseModel):
    """Open a holder's ledger."""

    holder_credit_code: str
    kind: Literal["licensed_business", "producer", "medical_institution"]


class Movement(BaseModel):
    """Waste in (generated/received) or out (transferred/used/disposed)."""

    direction: Literal["in", "out"]
    waste_code: str
    quantity: Annotated[str, Field(pattern=DECIMAL)]
    unit: Literal["t", "kg"] = "t"
    at: AwareDatetime | None = None
    reference: str = ""


class StockRead(BaseModel):
    """Stock of one code."""

    waste_code: str
    quantity_t: str
    oldest_stored_at: datetime | None


class LedgerRead(BaseModel):
    """A ledger: stock per code and the age of the oldest stock."""

    holder_credit_code: str
    kind: str
    kind_zh: str
    stock: list[StockRead]
    oldest_stored_at: datetime | None
    last_medical_collection: datetime | None


def read_ledger(ledger: StorageLedger) -> LedgerRead:
    """The response body of a ledger."""
    codes = {lot.code.value: lot.code for lot in ledger.lots}
    return LedgerRead(
        holder_credit_code=ledger.holder.value,
        kind=ledger.kind.name.lower(),
        kind_zh=ledger.kind.value,
        stock=[
            StockRead(
                waste_code=code, quantity_t=str(t), oldest_stored_at=ledger.oldest(codes[code])
            )
            for code, t in ledger.stock().items()
        ],
        oldest_stored_at=ledger.oldest(),
        last_medical_collection=ledger.last_medical_collection,
    )


@router.post(
    "", status_code=status.HTTP_201_CREATED, response_model=LedgerRead, responses=ERRORS | MALFORMED
)
async def open_ledger(body: LedgerCreate, deps: Services, user: Filer) -> LedgerRead:
    """Open the ledger of a holder (one per holder)."""
    ledger = await uc.open_ledger(deps, body.holder_credit_code, body.kind, who(user))
    return read_ledger(ledger)


@router.get("/{holder}", response_model=LedgerRead, responses=ERRORS)
async def get_ledger(holder: str, deps: Services, _: Reader) -> LedgerRead:
    """One holder's ledger."""
    return read_ledger(await uc.get_ledger(deps, holder))


@router.post("/{holder}/movements", response_model=LedgerRead, responses=ERRORS | MALFORMED)
async def move(holder: str, body: Movement, deps: Services, user: Filer) -> LedgerRead:
    """Record waste in or out (out takes the oldest lots first; more than stock is 422)."""
    if body.direction == "in":
        ledger, _ = await uc.stock_in(
            deps, holder, body.waste_code, body.quantity, body.unit, body.at, who(user)
        )
    else:
        ledger = await uc.stock_out(
            deps,
            holder,
            body.waste_code,
            body.quantity,
            body.unit,
            body.at,
            body.reference,
            who(user),
        )
    return read_ledger(ledger)
