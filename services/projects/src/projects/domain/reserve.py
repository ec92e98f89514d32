"""The reserve as a tree (Field → Project → SubItem), "as of" snapshots, and re-import diffs."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from projects.domain.money import ZERO
from projects.domain.row import ReserveRow
from projects.domain.stages import Stage
from projects.domain.subitem_base import SubItemBase
from projects.domain.values import Field


@dataclass(frozen=True)
class ProjectNode:
    """A project (项目) and its sub-items in 序号 order."""

    id: str
    field: Field
    name: str
    subitems: tuple[ReserveRow, ...]

    @property
    def investment_wan(self) -> Decimal:
        """Sum of the project's sub-items (万元)."""
        return sum((s.investment_wan for s in self.subitems), ZERO)


@dataclass(frozen=True)
class FieldNode:
    """A field (领域) and its projects in table order."""

    field: Field
    projects: tuple[ProjectNode, ...]

    @property
    def investment_wan(self) -> Decimal:
        """Sum of the field's projects (万元)."""
        return sum((p.investment_wan for p in self.projects), ZERO)

    @property
    def subitem_count(self) -> int:
        """Number of the field's sub-items."""
        return sum(len(p.subitems) for p in self.projects)


def build_tree(rows: Iterable[ReserveRow]) -> tuple[FieldNode, ...]:
    """Group rows into fields (by ordinal) and projects (by first 序号)."""
    projects: dict[str, list[ReserveRow]] = {}
    for row in sorted(rows, key=lambda r: r.no):
        projects.setdefault(row.project_id, []).append(row)
    by_field: dict[Field, list[ProjectNode]] = {}
    for pid, subs in projects.items():
        first = subs[0]
        node = ProjectNode(pid, first.field, first.project, tuple(subs))
        by_field.setdefault(first.field, []).append(node)
    return tuple(
        FieldNode(f, tuple(ps)) for f, ps in sorted(by_field.items(), key=lambda kv: kv[0].ordinal)
    )


def rows_as_of(items: Iterable[SubItemBase], at: datetime) -> list[ReserveRow]:
    """Every sub-item's row as it stood at `at` (items recorded later are left out)."""
    return [row for item in items if (row := item.as_of(at)) is not None]


@dataclass(frozen=True)
class ImportDiff:
    """What an accepted import would change against the stored rows (keyed by sub-item id)."""

    added: tuple[ReserveRow, ...]
    changed: tuple[tuple[ReserveRow, ReserveRow], ...]
    unchanged: tuple[ReserveRow, ...]
    absent: tuple[ReserveRow, ...]

    @property
    def is_noop(self) -> bool:
        """True when re-importing changes nothing (the same file twice)."""
        return not (self.added or self.changed)


def table_view(row: ReserveRow) -> ReserveRow:
    """The row without lifecycle state: what a table import may set."""
    # Stage and reserve membership move only through the lifecycle (with evidence and
    # history), never by re-importing a spreadsheet.
    return dataclasses.replace(row, stage=Stage.RESERVE, in_reserve=True)


def diff_import(stored: Mapping[str, ReserveRow], incoming: Iterable[ReserveRow]) -> ImportDiff:
    """Compare imported rows with stored ones by id, ignoring lifecycle state.

    `absent` rows are stored but not in the file: the caller decides whether that means 出库,
    since a partial file must not silently withdraw sub-items.
    """
    added: list[ReserveRow] = []
    changed: list[tuple[ReserveRow, ReserveRow]] = []
    unchanged: list[ReserveRow] = []
    seen: set[str] = set()
    for row in incoming:
        seen.add(row.subitem_id)
        old = stored.get(row.subitem_id)
        if old is None:
            added.append(row)
        elif table_view(old) == table_view(row):
            unchanged.append(row)
        else:
            changed.append((old, row))
    absent = tuple(r for sid, r in sorted(stored.items()) if sid not in seen)
    return ImportDiff(tuple(added), tuple(changed), tuple(unchanged), absent)
