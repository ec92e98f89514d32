"""Checks of an accepted file against what is stored, reported at the file's own row numbers."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Literal

from projects.domain.reserve import ImportDiff
from projects.domain.row import ReserveRow
from projects.domain.table_files import read_csv, read_xlsx
from projects.domain.table_import import ImportIssue, RawTable
from projects.domain.table_schema import resolve_header
from projects.domain.table_sync import table_changes
from projects.service_layer.ports import Stored


def file_row_numbers(data: bytes, fmt: Literal["csv", "xlsx"]) -> dict[int, int]:
    """序号 → the row number a spreadsheet shows for it (an accepted file has unique 序号)."""
    table = read_xlsx(data) if fmt == "xlsx" else read_csv(data)
    if not isinstance(table, RawTable):
        return {}
    col = next((i for i, c in enumerate(table.header) if resolve_header(c) == "no"), None)
    if col is None:
        return {}
    out: dict[int, int] = {}
    for number, cells in table.rows:
        text = cells[col].strip() if col < len(cells) else ""
        if text.isascii() and text.isdigit():
            out[int(text)] = number
    return out


def store_issues(
    diff: ImportDiff,
    stored: dict[str, Stored],
    rows: Sequence[ReserveRow],
    row_numbers: dict[int, int],
) -> list[ImportIssue]:
    """Changes only an adjustment may make, changes to withdrawn items, and taken 序号."""
    issues: list[ImportIssue] = []
    for old, new in diff.changed:
        at = row_numbers.get(new.no, 0)
        if not old.in_reserve:
            issues.append(
                ImportIssue(
                    at,
                    "subitem",
                    f"子项「{new.name}」已出库，不能通过导入修改（请先重新入库）",
                    f"sub-item {new.subitem_id} has left the reserve; reinstate it first",
                )
            )
            continue
        _, refused = table_changes(old, new)
        issues.extend(ImportIssue(at, r.attr, r.zh, r.en) for r in refused)
    # After the import every stored sub-item must still have its own 序号.
    final = {sid: s.row for sid, s in stored.items()} | {r.subitem_id: r for r in rows}
    holders: defaultdict[int, list[ReserveRow]] = defaultdict(list)
    for row in final.values():
        holders[row.no].append(row)
    incoming = {r.subitem_id for r in rows}
    for no, owners in holders.items():
        if len(owners) < 2:
            continue
        others = [o for o in owners if o.subitem_id not in incoming]
        for row in owners:
            if row.subitem_id in incoming and others:
                other = others[0]
                issues.append(
                    ImportIssue(
                        row_numbers.get(no, 0),
                        "no",
                        f"序号 {no} 已被库中子项「{other.project} / {other.name}」使用",
                        f"no {no} is already used by stored sub-item {other.subitem_id}",
                    )
                )
    return sorted(issues, key=lambda i: (i.row, i.column))
