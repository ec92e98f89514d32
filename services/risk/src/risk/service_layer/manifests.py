"""Use cases of 转移联单: create (refusing unlicensed receivers, durably), ship, confirm,
reject, close, cancel."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from risk.domain.errors import UnlicensedReceiver, ValidationError
from risk.domain.manifest_lines import ManifestLine, ReceiptLine
from risk.domain.manifest_number import ManifestNumber
from risk.domain.manifests import Manifest, Party
from risk.domain.quantities import Quantity
from risk.service_layer.calendar_alerts import note_stale_calendar
from risk.service_layer.context import Deps
from risk.service_layer.errors import not_found
from risk.service_layer.licences import held_by
from risk.service_layer.parsing import as_field, credit_code, past_or_now, quantity, waste_code
from risk.service_layer.ports import Loaded, Page, Query

MAX_IN_TRANSIT_PER_VEHICLE = 100


@dataclass(frozen=True)
class LineIn:
    """One waste line as entered: code, amount (decimal text) and unit."""

    waste_code: str
    quantity: Decimal | str
    unit: str = "t"
    rejected: Decimal | str = "0"


@dataclass(frozen=True)
class ManifestIn:
    """What creating a manifest needs."""

    number: str
    producer_credit_code: str
    producer_name: str
    receiver_credit_code: str
    receiver_name: str
    vehicle_plate: str
    lines: tuple[LineIn, ...]
    planned_ship_date: date


def _lines(lines: Sequence[LineIn]) -> list[ManifestLine]:
    return [
        ManifestLine(
            waste_code(line.waste_code, f"lines[{i}].waste_code"),
            quantity(line.quantity, line.unit, f"lines[{i}].quantity"),
        )
        for i, line in enumerate(lines)
    ]


def _amount(field: str, amount: Decimal | str, unit: str) -> Quantity:
    """A non-negative quantity (a receipt may confirm zero of a line)."""
    return as_field(field, lambda: Quantity.of(amount, unit))


async def create_manifest(deps: Deps, cmd: ManifestIn, by: str | None) -> Manifest:
    """Create after the catalogue and licence checks; a licence refusal is recorded with its
    event (risk.manifest.refused_unlicensed) before the error goes back to the caller."""
    number = as_field("number", lambda: ManifestNumber.parse(cmd.number))
    producer = Party(
        credit_code(cmd.producer_credit_code, "producer.credit_code"), cmd.producer_name
    )
    receiver = Party(
        credit_code(cmd.receiver_credit_code, "receiver.credit_code"), cmd.receiver_name
    )
    for field, party in (("producer.name", producer), ("receiver.name", receiver)):
        if not party.name.strip():
            raise ValidationError(field, "须填写单位名称", "name is required")
    try:
        manifest = Manifest.create(
            number=number,
            producer=producer,
            receiver=receiver,
            vehicle_plate=cmd.vehicle_plate,
            lines=_lines(cmd.lines),
            planned_ship_date=cmd.planned_ship_date,
            receiver_licences=await held_by(deps, receiver.credit_code.value),
            catalogues=deps.catalogues.current,
            at=deps.clock(),
            by=by,
        )
    except UnlicensedReceiver as exc:
        await deps.refusals.record(exc.event, {"by": by, "stage": "create"})
        raise
    await deps.manifests.add(number.value, manifest)
    return manifest


async def _load(deps: Deps, number: str) -> Loaded[Manifest]:
    loaded = await deps.manifests.get(number.strip())
    if loaded is None:
        raise not_found("联单", "manifest", number)
    return loaded


async def get_manifest(deps: Deps, number: str) -> Manifest:
    """One manifest."""
    return (await _load(deps, number)).aggregate


async def ship_manifest(
    deps: Deps, number: str, shipped_at: datetime | None, by: str | None
) -> Manifest:
    """Dispatch (may be back-dated); the licence is checked again on the shipment date."""
    loaded = await _load(deps, number)
    manifest = loaded.aggregate
    at = past_or_now("shipped_at", shipped_at, deps.clock())
    others = await deps.manifests.find(
        Query(
            where={"status": "shipped", "vehicle_plate": manifest.vehicle_plate},
            limit=MAX_IN_TRANSIT_PER_VEHICLE,
        )
    )
    try:
        manifest.ship(
            at,
            working_day_deadline=deps.deadline,
            receiver_licences=await held_by(deps, manifest.receiver.credit_code.value),
            others_in_transit=others.items,
            rules=deps.rules.manifests,
            by=by,
        )
    except UnlicensedReceiver as exc:
        await deps.refusals.record(exc.event, {"by": by, "stage": "ship"})
        raise
    await deps.manifests.save(manifest.number.value, loaded)
    await note_stale_calendar(deps)
    return manifest


async def confirm_receipt(
    deps: Deps,
    number: str,
    lines: Sequence[LineIn],
    received_at: datetime | None,
    by: str | None,
) -> Manifest:
    """The receiver confirms what arrived; differences become a discrepancy report."""
    loaded = await _load(deps, number)
    at = past_or_now("received_at", received_at, deps.clock())
    receipt = []
    for i, line in enumerate(lines):
        code = waste_code(line.waste_code, f"lines[{i}].waste_code")
        received = _amount(f"lines[{i}].quantity", line.quantity, line.unit)
        rejected = _amount(f"lines[{i}].rejected", line.rejected, line.unit)
        receipt.append(ReceiptLine(code, received, rejected))
    loaded.aggregate.confirm_receipt(at, receipt, deps.rules.manifests, by)
    await deps.manifests.save(loaded.aggregate.number.value, loaded)
    return loaded.aggregate


async def reject_manifest(
    deps: Deps, number: str, reason: str, at: datetime | None, by: str | None
) -> Manifest:
    """全部拒收."""
    loaded = await _load(deps, number)
    when = past_or_now("received_at", at, deps.clock())
    loaded.aggregate.reject_all(when, reason, by)
    await deps.manifests.save(loaded.aggregate.number.value, loaded)
    return loaded.aggregate


async def close_manifest(deps: Deps, number: str, resolution: str, by: str | None) -> Manifest:
    """办结."""
    loaded = await _load(deps, number)
    loaded.aggregate.close(deps.clock(), resolution, by)
    await deps.manifests.save(loaded.aggregate.number.value, loaded)
    return loaded.aggregate


async def cancel_manifest(deps: Deps, number: str, reason: str, by: str | None) -> Manifest:
    """作废 before shipment."""
    loaded = await _load(deps, number)
    if not reason.strip():
        raise ValidationError("reason", "作废须说明理由", "a reason is required")
    loaded.aggregate.cancel(deps.clock(), reason.strip(), by)
    await deps.manifests.save(loaded.aggregate.number.value, loaded)
    return loaded.aggregate


async def list_manifests(
    deps: Deps,
    *,
    status: str | None = None,
    producer: str | None = None,
    receiver: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> Page[Manifest]:
    """Manifests, filtered by status (created|shipped|received|discrepancy|closed|cancelled)."""
    where = {"status": status, "producer": producer, "receiver": receiver}
    return await deps.manifests.find(Query(where=where, limit=limit, offset=offset))
