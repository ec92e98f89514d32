"""What the use cases need from storage, as protocols the Mongo adapters implement.

Every write is one document: a sub-item with its pending events, an indicator with its events,
an import record with its event. `StaleAggregate` is the optimistic-concurrency miss; the use
cases reload and retry, then answer `Busy`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from projects.domain.indicator_ledger import IndicatorLedger
from projects.domain.indicators import Indicator
from projects.domain.row import ReserveRow
from projects.domain.subitem import SubItem
from qingshan_core import errors as core

# A sub-item with the version its save must match: the core's, re-exported for the use cases.
from qingshan_core.aggregates import Loaded as Loaded

# No such sub-item, project or indicator: the core's 404, re-exported for the use cases.
from qingshan_core.errors import NotFound as NotFound


class StaleAggregate(Exception):
    """The aggregate changed since it was read."""


class Forbidden(core.Forbidden):
    """The caller may not act on this sub-item, e.g. a unit that does not lead it (403)."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(zh, en)
        self.zh = zh
        self.en = en


class Busy(core.ConcurrentUpdate):
    """Concurrent writers kept winning; the caller may try again in a second (409)."""

    def __init__(self, what: str) -> None:
        super().__init__(
            "该记录正被同时修改，请稍后重试",
            f"{what} is being changed concurrently, retry",
            retry_after=1,
        )
        self.what = what


@dataclass(frozen=True)
class Stored:
    """A sub-item's current row and version (what an import compares against)."""

    row: ReserveRow
    version: int


@dataclass(frozen=True)
class SubItemFilter:
    """Filters of a listing; None means any."""

    field_code: str | None = None
    project_id: str | None = None
    lead_unit: str | None = None
    stage: str | None = None
    year: int | None = None
    source_class: str | None = None
    include_withdrawn: bool = False


class SubItemRepository(Protocol):
    """Sub-item aggregates, one document each, events through the outbox."""

    async def get(self, subitem_id: str) -> Loaded[SubItem] | None: ...

    async def add(self, item: SubItem, *, import_id: str = "") -> bool:
        """Insert-if-absent; False when the id is already stored (nothing written)."""
        ...

    async def save(self, item: SubItem, version: int, *, import_id: str = "") -> int:
        """Write state and pending events iff still at `version`; StaleAggregate otherwise."""
        ...

    async def is_empty(self) -> bool: ...

    async def table_state(self) -> dict[str, Stored]: ...

    async def rows(self, *, include_withdrawn: bool = False) -> list[ReserveRow]: ...

    async def rows_as_of(self, at: datetime) -> list[ReserveRow]: ...

    async def find(
        self, flt: SubItemFilter, *, limit: int, offset: int
    ) -> tuple[list[ReserveRow], int]: ...

    async def dispatch_candidates(self) -> list[str]: ...

    async def with_pending_adjustments(self) -> list[SubItem]: ...


@dataclass
class ImportRecord:
    """One accepted import that changed the reserve."""

    id: str
    file_name: str
    format: str
    sha256: str
    by: str
    started_at: datetime
    added: int
    corrected: int
    unchanged: int
    absent: int
    status: str = "applying"
    completed_at: datetime | None = None
    subitem_ids: Sequence[str] = field(default_factory=tuple)


class ImportLog(Protocol):
    """Records of imports; completing one publishes ImportCompleted exactly once."""

    async def begin(self, record: ImportRecord) -> bool:
        """Insert-if-absent; False when a record with this id exists."""
        ...

    async def complete(self, record: ImportRecord, at: datetime) -> bool:
        """Mark completed with its event iff still applying; False if someone else did."""
        ...

    async def recent(self, limit: int) -> list[ImportRecord]: ...


@dataclass
class LoadedLedger:
    """The indicator ledger and each indicator document's version."""

    ledger: IndicatorLedger
    versions: dict[int, int]


class IndicatorRepository(Protocol):
    """The plan's indicators, one document each, events through the outbox."""

    async def load(self) -> LoadedLedger: ...

    async def save(self, loaded: LoadedLedger, no: int) -> None:
        """Write indicator `no` with the ledger's pending events; StaleAggregate on a miss."""
        ...

    async def seed(self, indicators: Sequence[Indicator]) -> int:
        """Insert the indicators not yet stored; returns how many were inserted."""
        ...
