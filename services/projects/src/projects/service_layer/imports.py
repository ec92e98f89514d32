"""Import of the reserve table (CSV or XLSX): validate everything first, then write.

All or nothing from the user's side: a file with any bad row (or a row that would change what
only an adjustment may change, or a 序号 another sub-item holds) is refused with every problem,
and nothing is written. An accepted file is then written sub-item by sub-item (one document
each, FerretDB has no transactions): ids are deterministic and inserts are insert-if-absent, so
a re-run, or two replicas seeding at once, complete the same import without doubling anything.
Re-importing the same file finds nothing to change and writes (and publishes) nothing.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from projects.domain.reserve import ImportDiff, diff_import, table_view
from projects.domain.row import ReserveRow
from projects.domain.subitem import SubItem
from projects.domain.table_files import import_csv, import_xlsx
from projects.domain.table_import import ImportIssue, ImportRejected
from projects.domain.table_schema import BY_KEY
from projects.service_layer.context import Context
from projects.service_layer.import_checks import file_row_numbers, store_issues
from projects.service_layer.mutate import mutate
from projects.service_layer.ports import Busy, ImportRecord, Stored
from qingshan_core.errors import FieldProblem, RuleViolation

Format = Literal["csv", "xlsx"]
XLSX_MAGIC = b"PK\x03\x04"


class ImportRefused(RuleViolation):
    """The file was refused; nothing was written (422). `issues` lists every problem, each an
    entry of `errors` with its row, column and the column's Chinese name."""

    code = "import_refused"

    def __init__(self, issues: Sequence[ImportIssue]) -> None:
        n = len(issues)
        super().__init__(
            f"导入被拒绝：共{n}处问题，未写入任何数据",
            f"import refused: {n} problem(s), nothing was written",
            errors=[
                FieldProblem(
                    i.column,
                    i.zh,
                    i.en,
                    {
                        "row": i.row,
                        "column": i.column,
                        "column_zh": BY_KEY[i.column].zh if i.column in BY_KEY else i.column,
                    },
                )
                for i in issues
            ],
            extra={"written": False},
        )
        self.issues = tuple(issues)


@dataclass(frozen=True)
class ImportFile:
    """An uploaded table."""

    data: bytes
    file_name: str = ""
    format: Format | None = None


@dataclass(frozen=True)
class ImportOutcome:
    """What an accepted import did; `import_id` is None when it changed nothing."""

    import_id: str | None
    format: Format
    sha256: str
    rows: int
    added: int
    corrected: int
    unchanged: int
    absent: int

    @property
    def changed(self) -> bool:
        """True when the import wrote anything."""
        return self.import_id is not None


def detect_format(file: ImportFile) -> Format:
    """The declared format, else XLSX by its zip signature or file name, else CSV."""
    if file.format is not None:
        return file.format
    if file.data.startswith(XLSX_MAGIC) or file.file_name.lower().endswith(".xlsx"):
        return "xlsx"
    return "csv"


def import_id_for(sha: str, diff: ImportDiff, stored: dict[str, Stored]) -> str:
    """Deterministic: the same file against the same stored state is the same import."""
    h = hashlib.sha256(sha.encode())
    for row in diff.added:
        h.update(f"+{row.subitem_id}".encode())
    for old, _ in diff.changed:
        h.update(f"~{old.subitem_id}@{stored[old.subitem_id].version}".encode())
    return f"imp-{h.hexdigest()[:24]}"


def validate(file: ImportFile, fmt: Format) -> tuple[ReserveRow, ...]:
    """Parse and validate the whole file; ImportRefused with every problem otherwise."""
    result = import_xlsx(file.data) if fmt == "xlsx" else import_csv(file.data)
    if isinstance(result, ImportRejected):
        raise ImportRefused(result.issues)
    return result.rows


def _parse(file: ImportFile, fmt: Format) -> tuple[tuple[ReserveRow, ...], dict[int, int]]:
    return validate(file, fmt), file_row_numbers(file.data, fmt)


async def import_table(
    ctx: Context,
    file: ImportFile,
    *,
    by: str,
    dry_run: bool = False,
    import_id: str | None = None,
) -> ImportOutcome:
    """Import a reserve table, all or nothing; the same file twice changes nothing.
    `dry_run`: every check, the counts of what it would change, and nothing written. Parsing
    runs in a worker thread: a large workbook never holds up the event loop. `import_id` names
    the import instead of the file-and-state hash: callers that may run it concurrently (the
    start-up seed on two replicas) share one record whatever each of them read first."""
    fmt = detect_format(file)
    rows, row_numbers = await asyncio.to_thread(_parse, file, fmt)
    stored = await ctx.subitems.table_state()
    diff = diff_import({k: s.row for k, s in stored.items()}, rows)
    issues = store_issues(diff, stored, rows, row_numbers)
    if issues:
        raise ImportRefused(issues)
    sha = hashlib.sha256(file.data).hexdigest()
    counts = (len(diff.added), len(diff.changed), len(diff.unchanged), len(diff.absent))
    if diff.is_noop or dry_run:
        return ImportOutcome(None, fmt, sha, len(rows), *counts)
    record = ImportRecord(
        id=import_id or import_id_for(sha, diff, stored),
        file_name=file.file_name,
        format=fmt,
        sha256=sha,
        by=by,
        started_at=ctx.clock(),
        added=counts[0],
        corrected=counts[1],
        unchanged=counts[2],
        absent=counts[3],
        subitem_ids=tuple(r.subitem_id for r in diff.added)
        + tuple(new.subitem_id for _, new in diff.changed),
    )
    await ctx.imports.begin(record)
    await _apply(ctx, diff, by=by, import_id=record.id)
    await ctx.imports.complete(record, ctx.clock())
    return ImportOutcome(record.id, fmt, sha, len(rows), *counts)


async def _apply(ctx: Context, diff: ImportDiff, *, by: str, import_id: str) -> None:
    at = ctx.clock()
    for row in diff.added:
        item = SubItem.add(row, by=by, at=at, schedule=ctx.schedule)
        if await ctx.subitems.add(item, import_id=import_id):
            continue
        # Someone (another replica, a concurrent import) stored it first: fine if it is the same.
        loaded = await ctx.subitems.get(row.subitem_id)
        if loaded is None or table_view(loaded.aggregate.row) != table_view(row):
            raise Busy(row.subitem_id)
    for _, new in diff.changed:
        await mutate(ctx, new.subitem_id, _correction(new, by), import_id=import_id)


def _correction(row: ReserveRow, by: str) -> Callable[[SubItem, datetime], bool]:
    def change(item: SubItem, at: datetime) -> bool:
        return item.correct_from_table(row, by=by, at=at)

    return change
