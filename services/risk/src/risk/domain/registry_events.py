"""More domain events: registry changes, stock movements, catalogue loads, incident regrading
and configuration changes.

Kept beside events.py (which holds the deadline and lifecycle events) so both stay small.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import ClassVar

from risk.domain.events import Event


@dataclass(frozen=True, slots=True)
class EnterpriseRegistered(Event):
    type: ClassVar[str] = "risk.enterprise.registered"
    source_id: str
    credit_code: str | None
    name: str
    park_cluster: str | None
    lists: tuple[str, ...]
    industry: str | None


@dataclass(frozen=True, slots=True)
class EnterpriseUpdated(Event):
    type: ClassVar[str] = "risk.enterprise.updated"
    source_id: str
    credit_code: str | None
    changed_fields: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class StockRecorded(Event):
    type: ClassVar[str] = "risk.storage.recorded"
    holder_credit_code: str
    direction: str  # in | out
    waste_code: str
    quantity_t: Decimal
    reference: str


@dataclass(frozen=True, slots=True)
class WasteCatalogueLoaded(Event):
    type: ClassVar[str] = "risk.catalogue.loaded"
    version: str
    title: str
    effective_from: date
    entries: int


@dataclass(frozen=True, slots=True)
class IncidentRegraded(Event):
    """The grade in force or the report procedure changed (new facts, or a new 定级)."""

    type: ClassVar[str] = "risk.incident.regraded"
    incident_id: str
    old_grade: str | None
    grade: str | None
    reporting_grade: str
    report_by: datetime
    graded: bool
    reason: str
    criteria: tuple[str, ...]
    procedure_triggers: tuple[str, ...]
    grading_version: int


@dataclass(frozen=True, slots=True)
class RuleConfigChanged(Event):
    """An administrator stored a new version of a rule configuration (hj941, incident_grading)."""

    type: ClassVar[str] = "risk.rules.changed"
    name: str
    version: int
    changed_keys: tuple[str, ...]
    changed_by: str


@dataclass(frozen=True, slots=True)
class WorkCalendarStale(Event):
    """A working-day deadline ran into a year the holiday calendar has no data for: it was
    counted Monday–Friday (provisional). Raised once per year."""

    type: ClassVar[str] = "risk.calendar.stale"
    year: int
