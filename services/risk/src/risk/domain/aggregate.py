"""Aggregate base: collects domain events for the outbox and keeps an append-only history."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from risk.domain.errors import InvalidTransition
from risk.domain.events import Event


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One thing that happened to an aggregate, kept forever."""

    at: datetime
    action: str
    detail: str = ""
    by: str | None = None


class Aggregate:
    """Records events (drained by the unit of work) and history (never drained)."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self._history: list[HistoryEntry] = []

    @property
    def history(self) -> tuple[HistoryEntry, ...]:
        """The history, read-only: entries are only ever appended."""
        return tuple(self._history)

    def restore_history(self, entries: Iterable[HistoryEntry]) -> None:
        """For repositories rebuilding a saved aggregate; refused once history exists."""
        if self._history:
            raise InvalidTransition("history present", "restore_history")
        self._history.extend(entries)

    def _record(
        self,
        at: datetime,
        action: str,
        *events: Event,
        detail: str = "",
        by: str | None = None,
    ) -> None:
        self._history.append(HistoryEntry(at=at, action=action, detail=detail, by=by))
        self.events.extend(events)
