"""Start-up seed: the plan's reserve table and indicators, loaded once into an empty store.

Idempotent across restarts and replicas: the reserve is imported through the ordinary import
(deterministic ids, insert-if-absent) only while the store holds no sub-item, and indicators
are inserted if absent, so two replicas starting together never double anything: the seed's
import is named by the file alone, so both replicas write one import record even when one
reads the store while the other is half-way through adding rows. A start that
died half-way through the seed leaves a partial reserve; importing the same file (by hand)
adds exactly the rows that are missing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from projects.domain.table_import import ImportIssue
from projects.service_layer.context import Context
from projects.service_layer.imports import ImportFile, ImportOutcome, ImportRefused, import_table
from projects.service_layer.indicators import seed_indicators

SEED_ACTOR = "system:seed"


@dataclass(frozen=True)
class SeedFile:
    """A seed table's name and bytes."""

    name: str
    data: bytes


class SeedRefused(Exception):
    """A seed table the import refused (nothing of it was written): the service cannot start
    on it. `issues` lists every problem."""

    def __init__(self, name: str, issues: tuple[ImportIssue, ...]) -> None:
        first = f"; first: row {issues[0].row} {issues[0].column}: {issues[0].en}" if issues else ""
        super().__init__(f"{name} refused: {len(issues)} problem(s){first}")
        self.name = name
        self.issues = issues


@dataclass(frozen=True)
class SeedResult:
    """What the seed did; `skipped` explains anything it did not load."""

    reserve: ImportOutcome | None
    indicators: int
    skipped: tuple[str, ...]


def seed_import_id(reserve: SeedFile) -> str:
    """The seed's import id: the same table is the same seed on every replica."""
    return f"imp-seed-{hashlib.sha256(reserve.data).hexdigest()[:24]}"


async def seed(ctx: Context, reserve: SeedFile, indicators: SeedFile) -> SeedResult:
    """Load the plan's table and indicators when absent; a table the import refuses raises
    `SeedRefused` naming it."""
    skipped: list[str] = []
    outcome: ImportOutcome | None = None
    if not await ctx.subitems.is_empty():
        skipped.append("reserve already holds sub-items")
    else:
        try:
            outcome = await import_table(
                ctx,
                ImportFile(reserve.data, reserve.name, "csv"),
                by=SEED_ACTOR,
                import_id=seed_import_id(reserve),
            )
        except ImportRefused as err:
            raise SeedRefused(reserve.name, err.issues) from err
    try:
        count = await seed_indicators(ctx, indicators.data)
    except ImportRefused as err:
        raise SeedRefused(indicators.name, err.issues) from err
    return SeedResult(outcome, count, tuple(skipped))
