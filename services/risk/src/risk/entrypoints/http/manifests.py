"""/v1/manifests: 转移联单 lifecycle (create → ship → receipt/rejection → close, or cancel)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, status
from pydantic import AwareDatetime, BaseModel, Field

from risk.domain.manifests import Manifest
from risk.entrypoints.http.common import (
    AUTH,
    DECIMAL,
    ERRORS,
    MALFORMED,
    Filer,
    Offset,
    Reader,
    Services,
    who,
)
from risk.service_layer import manifests as uc

router = APIRouter(prefix="/v1/manifests", tags=["manifests 转移联单"], responses=AUTH)
Amount = Annotated[str, Field(pattern=DECIMAL, examples=["1.25"])]
Unit = Literal["t", "kg"]
Status = Literal["created", "shipped", "received", "discrepancy", "closed", "cancelled"]


class PartyIn(BaseModel):
    """移出人 or 接受人."""

    credit_code: str
    name: str


class LineCreate(BaseModel):
    """One waste code and the quantity dispatched (positive, exact decimal)."""

    waste_code: str = Field(examples=["900-249-08"])
    quantity: Amount
    unit: Unit = "t"


class ManifestCreate(BaseModel):
    """A manifest for one vehicle trip."""

    number: str = Field(examples=["20245001000001"])
    producer: PartyIn
    receiver: PartyIn
    vehicle_plate: str
    lines: list[LineCreate] = Field(min_length=1)
    planned_ship_date: date


class Shipment(BaseModel):
    """Dispatch; `shipped_at` may be back-dated (default now)."""

    shipped_at: AwareDatetime | None = None


class ReceiptLineIn(BaseModel):
    """What arrived of one code: received and rejected (拒收) quantities."""

    waste_code: str
    quantity: Amount
    rejected: Amount = "0"
    unit: Unit = "t"


class Receipt(BaseModel):
    """The receiver's confirmation."""

    lines: list[ReceiptLineIn]
    received_at: AwareDatetime | None = None


class Rejection(BaseModel):
    """全部拒收."""

    reason: str
    received_at: AwareDatetime | None = None


class Note(BaseModel):
    """A reason or resolution."""

    text: str = ""


class LineRead(BaseModel):
    """A manifest line."""

    waste_code: str
    quantity: str
    unit: str
    quantity_t: str


class DiscrepancyRead(BaseModel):
    """A difference found at receipt (tonnes)."""

    kind: str
    kind_zh: str
    waste_code: str
    shipped_t: str
    received_t: str
    rejected_t: str


class ManifestRead(BaseModel):
    """A manifest as stored."""

    number: str
    status: str
    status_zh: str
    producer: PartyIn
    receiver: PartyIn
    vehicle_plate: str
    lines: list[LineRead]
    planned_ship_date: date | None
    warnings: list[str]
    shipped_at: datetime | None
    confirm_by: datetime | None
    received_at: datetime | None
    confirmation_overdue: bool
    discrepancies: list[DiscrepancyRead]


def read_manifest(m: Manifest) -> ManifestRead:
    """The response body of a manifest."""
    return ManifestRead(
        number=m.number.value,
        status=m.status.name.lower(),
        status_zh=m.status.value,
        producer=PartyIn(credit_code=m.producer.credit_code.value, name=m.producer.name),
        receiver=PartyIn(credit_code=m.receiver.credit_code.value, name=m.receiver.name),
        vehicle_plate=m.vehicle_plate,
        lines=[
            LineRead(
                waste_code=ln.code.value,
                quantity=str(ln.quantity.amount),
                unit=ln.quantity.unit.value,
                quantity_t=str(ln.quantity.tonnes),
            )
            for ln in m.lines
        ],
        planned_ship_date=m.planned_ship_date,
        warnings=list(m.warnings),
        shipped_at=m.shipped_at,
        confirm_by=m.confirm_by,
        received_at=m.received_at,
        confirmation_overdue=m.overdue_reported,
        discrepancies=[
            DiscrepancyRead(
                kind=d.kind,
                kind_zh=d.kind_zh,
                waste_code=d.waste_code,
                shipped_t=str(d.shipped_t),
                received_t=str(d.received_t),
                rejected_t=str(d.rejected_t),
            )
            for d in m.discrepancies
        ],
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ManifestRead,
    responses=ERRORS | MALFORMED,
)
async def create(body: ManifestCreate, deps: Services, user: Filer) -> ManifestRead:
    """Create; refused (422, event recorded) when the receiver holds no valid licence."""
    cmd = uc.ManifestIn(
        number=body.number,
        producer_credit_code=body.producer.credit_code,
        producer_name=body.producer.name,
        receiver_credit_code=body.receiver.credit_code,
        receiver_name=body.receiver.name,
        vehicle_plate=body.vehicle_plate,
        lines=tuple(uc.LineIn(ln.waste_code, ln.quantity, ln.unit) for ln in body.lines),
        planned_ship_date=body.planned_ship_date,
    )
    return read_manifest(await uc.create_manifest(deps, cmd, who(user)))


@router.get("", response_model=list[ManifestRead], responses=ERRORS)
async def list_manifests(
    deps: Services,
    _: Reader,
    status_filter: Annotated[Status | None, Query(alias="status")] = None,
    producer: str | None = None,
    receiver: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Offset = 0,
) -> list[ManifestRead]:
    """Manifests, filtered."""
    page = await uc.list_manifests(
        deps,
        status=status_filter,
        producer=producer,
        receiver=receiver,
        limit=limit,
        offset=offset,
    )
    return [read_manifest(m) for m in page.items]


@router.get("/{number}", response_model=ManifestRead, responses=ERRORS)
async def get(number: str, deps: Services, _: Reader) -> ManifestRead:
    """One manifest."""
    return read_manifest(await uc.get_manifest(deps, number))


@router.post("/{number}/shipment", response_model=ManifestRead, responses=ERRORS | MALFORMED)
async def ship(number: str, body: Shipment, deps: Services, user: Filer) -> ManifestRead:
    """Dispatch; the receiver must confirm within 5 working days."""
    return read_manifest(await uc.ship_manifest(deps, number, body.shipped_at, who(user)))


@router.post("/{number}/receipt", response_model=ManifestRead, responses=ERRORS | MALFORMED)
async def receipt(number: str, body: Receipt, deps: Services, user: Filer) -> ManifestRead:
    """The receiver confirms; more or less than dispatched is a discrepancy, not an error."""
    lines = [uc.LineIn(ln.waste_code, ln.quantity, ln.unit, ln.rejected) for ln in body.lines]
    m = await uc.confirm_receipt(deps, number, lines, body.received_at, who(user))
    return read_manifest(m)


@router.post("/{number}/rejection", response_model=ManifestRead, responses=ERRORS | MALFORMED)
async def reject(number: str, body: Rejection, deps: Services, user: Filer) -> ManifestRead:
    """全部拒收 with a reason."""
    m = await uc.reject_manifest(deps, number, body.reason, body.received_at, who(user))
    return read_manifest(m)


@router.post("/{number}/closure", response_model=ManifestRead, responses=ERRORS | MALFORMED)
async def close(number: str, body: Note, deps: Services, user: Filer) -> ManifestRead:
    """办结 (a manifest with discrepancies needs the resolution in `text`)."""
    return read_manifest(await uc.close_manifest(deps, number, body.text, who(user)))


@router.post("/{number}/cancellation", response_model=ManifestRead, responses=ERRORS | MALFORMED)
async def cancel(number: str, body: Note, deps: Services, user: Filer) -> ManifestRead:
    """作废 before shipment (reason in `text`)."""
    return read_manifest(await uc.cancel_manifest(deps, number, body.text, who(user)))
