"""/v1/waste-codes, /v1/waste-catalogues, /v1/licences, /v1/licence-check."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from risk.domain.catalogue_check import CodeCheck, CodeStatus
from risk.domain.clock import china_date
from risk.domain.licences import Licence
from risk.entrypoints.http.common import (
    AUTH,
    ERRORS,
    MALFORMED,
    Admin,
    ErrorBody,
    Manager,
    Offset,
    Reader,
    Services,
    who,
)
from risk.service_layer import catalogue, licences
from risk.service_layer.ports import StoredCatalogue

router = APIRouter(prefix="/v1", tags=["waste 危险废物名录与许可证"], responses=AUTH)


class WasteCodeRead(BaseModel):
    """A code as the catalogue in force on a date sees it."""

    code: str
    on_date: date
    status: str
    warning: str | None = None
    reason_zh: str
    reason_en: str
    in_force: str | None
    checked_against: str | None
    category: str | None = None
    category_name: str | None = None
    industry_code: str | None = None
    hazards: list[str] = Field(default_factory=list)


def read_check(check: CodeCheck) -> WasteCodeRead:
    """The response body of a catalogue check."""
    entry = check.entry
    warned = check.status is CodeStatus.ACCEPTED_WITH_WARNING
    return WasteCodeRead(
        code=check.code.value if check.code else check.raw,
        on_date=check.on_date,
        status=check.status.value,
        warning=f"{check.reason_zh} / {check.reason_en}" if warned else None,
        reason_zh=check.reason_zh,
        reason_en=check.reason_en,
        in_force=check.in_force,
        checked_against=check.checked_against,
        category=check.code.category if check.code else None,
        category_name=entry.category_name if entry else None,
        industry_code=entry.industry_code if entry else None,
        hazards=[h.value for h in entry.hazards] if entry else [],
    )


@router.get(
    "/waste-codes/{code}",
    response_model=WasteCodeRead,
    responses={404: {"model": WasteCodeRead}, 422: {"model": ErrorBody}},
)
async def waste_code(
    code: str, deps: Services, _: Reader, on: date | None = None
) -> WasteCodeRead | JSONResponse:
    """200 with the entry (or a warning), 404 when not in force on the date, 422 malformed."""
    check = catalogue.validate_code(deps, code, on or china_date(deps.clock()))
    if check.code is None:
        check.require("code")  # malformed or a category that does not exist: 422
    body = read_check(check)
    if check.status is CodeStatus.REFUSED:
        return JSONResponse(status_code=404, content=body.model_dump(mode="json"))
    return body


class CatalogueCreate(BaseModel):
    """A catalogue version as CSV text in the seed's format."""

    version: str = Field(min_length=1, examples=["2025"])
    title: str = Field(examples=["国家危险废物名录（2025年版）"])
    order: str = Field(examples=["部令第36号"])
    effective_from: str = Field(examples=["2025-01-01"])
    csv_text: str
    expected_count: int | None = Field(default=None, ge=1)


class CatalogueRead(BaseModel):
    """One catalogue version."""

    version: str
    title: str
    order: str
    effective_from: date
    loaded: bool
    entries: int | None


@router.get("/waste-catalogues", response_model=list[CatalogueRead])
async def list_catalogues(deps: Services, _: Reader) -> list[CatalogueRead]:
    """Every catalogue version, oldest first; `loaded` is false for a placeholder."""
    return [
        CatalogueRead(
            version=c.version,
            title=c.title,
            order=c.order,
            effective_from=c.effective_from,
            loaded=c.loaded,
            entries=len(c.entries) if c.entries is not None else None,
        )
        for c in deps.catalogues.current.versions
    ]


@router.post(
    "/waste-catalogues",
    status_code=status.HTTP_201_CREATED,
    response_model=CatalogueRead,
    responses=ERRORS | MALFORMED,
)
async def load_catalogue(body: CatalogueCreate, deps: Services, _: Admin) -> CatalogueRead:
    """Load a version (e.g. the 2025 table); every row is validated, nothing partial is kept."""
    stored = StoredCatalogue(**body.model_dump())
    c = await catalogue.load_catalogue(deps, stored)
    return CatalogueRead(
        version=c.version,
        title=c.title,
        order=c.order,
        effective_from=c.effective_from,
        loaded=True,
        entries=len(c.entries or {}),
    )


class LicenceCreate(BaseModel):
    """A 危险废物经营许可证."""

    number: str = Field(min_length=1)
    holder_credit_code: str
    holder_name: str = Field(min_length=1)
    kind: str = Field(examples=["综合"], description="综合|收集 (comprehensive|collection)")
    valid_from: date
    valid_until: date | None = None
    codes: list[str] = Field(default_factory=list)
    categories: list[str] = Field(default_factory=list)
    annual_capacity_t: Annotated[str, Field(pattern=r"^[0-9]+(\.[0-9]+)?$")] | None = None


class LicenceRead(BaseModel):
    """A licence."""

    number: str
    holder_credit_code: str
    holder_name: str
    kind: str
    valid_from: date
    valid_until: date
    codes: list[str]
    categories: list[str]
    annual_capacity_t: str | None
    revoked_on: date | None


class Revocation(BaseModel):
    """吊销/注销."""

    effective_on: date
    reason: str


class LicenceCheckRead(BaseModel):
    """Answer to "may this receiver take this waste on this date"."""

    allowed: bool
    licence_number: str | None
    reason_zh: str
    reason_en: str


def read_licence(lic: Licence) -> LicenceRead:
    """The response body of a licence."""
    return LicenceRead(
        number=lic.number,
        holder_credit_code=lic.holder.value,
        holder_name=lic.holder_name,
        kind=lic.kind.value,
        valid_from=lic.valid_from,
        valid_until=lic.valid_until,
        codes=sorted(lic.codes),
        categories=sorted(lic.categories),
        annual_capacity_t=str(lic.annual_capacity_t) if lic.annual_capacity_t else None,
        revoked_on=lic.revoked_on,
    )


@router.post(
    "/licences",
    status_code=status.HTTP_201_CREATED,
    response_model=LicenceRead,
    responses=ERRORS | MALFORMED,
)
async def issue_licence(body: LicenceCreate, deps: Services, user: Manager) -> LicenceRead:
    """Record a licence (综合 ≤ 5 years, 收集 ≤ 3 years)."""
    data = body.model_dump()
    data["codes"], data["categories"] = tuple(body.codes), tuple(body.categories)
    if body.annual_capacity_t is not None:
        data["annual_capacity_t"] = Decimal(body.annual_capacity_t)
    app = licences.LicenceApplication(**data)
    return read_licence(await licences.issue_licence(deps, app, who(user)))


@router.get("/licences", response_model=list[LicenceRead], responses=ERRORS)
async def list_licences(
    deps: Services,
    _: Reader,
    holder: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Offset = 0,
) -> list[LicenceRead]:
    """Licences, optionally of one holder."""
    page = await licences.list_licences(deps, holder, limit, offset)
    return [read_licence(lic) for lic in page.items]


@router.get("/licences/{number}", response_model=LicenceRead, responses=ERRORS)
async def get_licence(number: str, deps: Services, _: Reader) -> LicenceRead:
    """One licence."""
    return read_licence(await licences.get_licence(deps, number))


@router.post(
    "/licences/{number}/revocation", response_model=LicenceRead, responses=ERRORS | MALFORMED
)
async def revoke_licence(
    number: str, body: Revocation, deps: Services, user: Manager
) -> LicenceRead:
    """Revoke (吊销) or cancel (注销) from a date on."""
    lic = await licences.revoke_licence(deps, number, body.effective_on, body.reason, who(user))
    return read_licence(lic)


@router.get("/licence-check", response_model=LicenceCheckRead, responses=ERRORS)
async def licence_check(
    receiver: str, code: str, deps: Services, _: Reader, on: date | None = None
) -> LicenceCheckRead:
    """May `receiver` take waste `code` on `on` (default today)? One call."""
    result = await licences.check_licence(deps, receiver, code, on)
    return LicenceCheckRead(
        allowed=result.ok,
        licence_number=result.licence_number,
        reason_zh=result.reason_zh,
        reason_en=result.reason_en,
    )
