"""The hazardous waste catalogue: validate codes by date, load further versions as data."""

from __future__ import annotations

from datetime import date

from risk.domain.catalogue import WasteCatalogue, parse_catalogue_csv
from risk.domain.catalogue_check import CodeCheck
from risk.domain.errors import ValidationError
from risk.domain.registry_events import WasteCatalogueLoaded
from risk.service_layer.context import Deps
from risk.service_layer.ports import StoredCatalogue, catalogue_from_stored


def validate_code(deps: Deps, raw: str, on_date: date) -> CodeCheck:
    """What the catalogue in force on a date says about a code."""
    return deps.catalogues.current.validate(raw, on_date)


async def refresh_catalogues(deps: Deps) -> list[str]:
    """Apply every version kept in the store (another replica may have loaded one)."""
    known = {c.version: c for c in deps.catalogues.current.versions}
    applied = []
    for stored in await deps.catalogue_store.all():
        current = known.get(stored.version)
        if current is not None and current.loaded and current.title == stored.title:
            continue
        catalogue = catalogue_from_stored(stored)
        deps.catalogues.current = deps.catalogues.current.with_version(catalogue)
        applied.append(catalogue.version)
    return applied


async def load_catalogue(deps: Deps, stored: StoredCatalogue) -> WasteCatalogue:
    """Validate a version's table row by row, store it with its event, and put it in force."""
    try:
        effective = date.fromisoformat(stored.effective_from)
    except ValueError as exc:
        raise ValidationError("effective_from", "日期格式应为YYYY-MM-DD", "use YYYY-MM-DD") from exc
    catalogue = parse_catalogue_csv(
        stored.csv_text,
        version=stored.version,
        title=stored.title,
        order=stored.order,
        effective_from=effective,
        expected_count=stored.expected_count,
    )
    for other in deps.catalogues.current.versions:
        if other.version != catalogue.version and other.effective_from == effective:
            raise ValidationError(
                "effective_from",
                f"与{other.title}生效日期相同",
                f"same effective date as the {other.version} list",
            )
    event = WasteCatalogueLoaded(
        at=deps.clock(),
        version=catalogue.version,
        title=catalogue.title,
        effective_from=effective,
        entries=len(catalogue.entries or {}),
    )
    await deps.catalogue_store.put(stored, event)
    deps.catalogues.current = deps.catalogues.current.with_version(catalogue)
    return catalogue
