"""Ports: what the use cases need from storage, implemented by adapters/ (Mongo + outbox)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Generic, Protocol, TypeVar

# An aggregate with the version its save must match: the core's, re-exported for the use cases.
from qingshan_core.aggregates import Loaded as Loaded
from risk.domain.aggregate import Aggregate
from risk.domain.catalogue import WasteCatalogue, parse_catalogue_csv
from risk.domain.events import Event, ManifestRefusedUnlicensed
from risk.domain.registry_events import RuleConfigChanged, WasteCatalogueLoaded

A = TypeVar("A", bound=Aggregate)
Filter = Mapping[str, str | bool | None]


@dataclass(frozen=True)
class Page(Generic[A]):
    """One page of a listing and the total count of matches."""

    items: list[A]
    total: int


@dataclass(frozen=True)
class BBox:
    """A WGS 84 bounding box (min lon, min lat, max lon, max lat)."""

    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float


@dataclass(frozen=True)
class Query:
    """Equality filters on named fields (each store documents its names), a box, a page."""

    where: Filter = field(default_factory=dict)
    bbox: BBox | None = None
    limit: int = 100
    offset: int = 0


class Store(Protocol[A]):
    """Aggregates of one kind, saved with their events in one write (optimistic)."""

    async def get(self, key: str) -> Loaded[A] | None:
        """The aggregate with this id, or None."""
        ...

    async def add(self, key: str, aggregate: A) -> None:
        """Insert a new aggregate and its events; AlreadyExists when the id is taken."""
        ...

    async def save(self, key: str, loaded: Loaded[A]) -> None:
        """Write the new state and pending events iff the version matches (else Conflict)."""
        ...

    async def find(self, query: Query) -> Page[A]:
        """Aggregates matching the query."""
        ...

    async def due(self, now: datetime, limit: int) -> list[tuple[str, Loaded[A]]]:
        """Aggregates whose next check time has come (indexed), oldest first, with their ids."""
        ...


class RefusalLog(Protocol):
    """Durable record of refused manifest attempts, each carrying its refusal event."""

    async def record(self, event: ManifestRefusedUnlicensed, detail: Mapping[str, object]) -> str:
        """Store the attempt with its event in one write; returns the attempt id."""
        ...


@dataclass(frozen=True)
class StoredCatalogue:
    """A catalogue version kept in the store (its CSV text and metadata)."""

    version: str
    title: str
    order: str
    effective_from: str
    csv_text: str
    expected_count: int | None


class CatalogueStore(Protocol):
    """Catalogue versions loaded at run time (e.g. the 2025 table once it is available)."""

    async def all(self) -> Sequence[StoredCatalogue]:
        """Every stored version."""
        ...

    async def put(self, stored: StoredCatalogue, event: WasteCatalogueLoaded) -> None:
        """Store a version with its event; AlreadyExists when the version is there."""
        ...


@dataclass(frozen=True)
class StoredRules:
    """One version of a rule configuration document (e.g. hj941)."""

    name: str
    version: int
    body: dict[str, Any]
    changed_by: str
    at: datetime


class RuleStore(Protocol):
    """Versioned rule configurations that administrators change through the API."""

    async def latest(self) -> Sequence[StoredRules]:
        """The newest version of every configuration name."""
        ...

    async def versions(self, name: str) -> Sequence[StoredRules]:
        """Every version of one configuration, newest first."""
        ...

    async def put(self, stored: StoredRules, event: RuleConfigChanged) -> None:
        """Store a version with its event; Conflict when that version exists already."""
        ...


class OpsAlerts(Protocol):
    """Alerts about no single aggregate (a stale calendar), each raised once."""

    async def raise_once(self, key: str, event: Event) -> bool:
        """Store the alert with its event unless `key` was raised before; True when now."""
        ...


def drain(aggregate: Aggregate) -> list[Event]:
    """Take the aggregate's pending events (the store does this when it saves)."""
    events = list(aggregate.events)
    aggregate.events.clear()
    return events


def catalogue_from_stored(stored: StoredCatalogue) -> WasteCatalogue:
    """Parse a stored version back into a catalogue (validated again)."""
    return parse_catalogue_csv(
        stored.csv_text,
        version=stored.version,
        title=stored.title,
        order=stored.order,
        effective_from=date.fromisoformat(stored.effective_from),
        expected_count=stored.expected_count,
    )
