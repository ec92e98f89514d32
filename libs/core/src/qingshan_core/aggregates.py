"""What a use case reads to change an aggregate: the aggregate and the version it was read at.

The save is guarded by that version (optimistic concurrency, qingshan_core.outbox): a write that
finds another version refuses, and the use case reads again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

A = TypeVar("A")


@dataclass
class Loaded(Generic[A]):
    """An aggregate as read, with the version its next save must match."""

    aggregate: A
    version: int
