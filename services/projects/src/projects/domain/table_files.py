"""CSV and XLSX bytes ↔ the reserve table. Parses bytes handed in; never opens files itself."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from openpyxl import Workbook, load_workbook

from projects.domain.row import ReserveRow
from projects.domain.table_import import (
    ImportRejected,
    ImportResult,
    RawTable,
    file_problem,
    validate_table,
)
from projects.domain.table_schema import (
    FUNDING_KEYS,
    HeaderStyle,
    cell_value,
    export_columns,
    header_cells,
    resolve_header,
)
from projects.domain.values import PLAN_FIELDS, Field

SHEET_TITLE = "项目储备库"
# A title line ("生态环境保护规划重点项目储备库") may sit above the header in a spreadsheet.
_HEADER_SEARCH_ROWS = 10


def _decode(data: bytes) -> str | None:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    # Excel on Chinese Windows saves "CSV (逗号分隔)" as GBK; accept it rather than refuse.
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        return None


def _table(records: Iterable[tuple[int, list[str]]]) -> RawTable | ImportRejected:
    pending = [(n, cells) for n, cells in records if any(c.strip() for c in cells)]
    if not pending:
        return file_problem("文件为空", "the file is empty")
    header_at = 0
    for i, (_, cells) in enumerate(pending[:_HEADER_SEARCH_ROWS]):
        if sum(resolve_header(c) is not None for c in cells) >= 3:
            header_at = i
            break
    number, header = pending[header_at]
    return RawTable(header, number, pending[header_at + 1 :])


def read_csv(data: bytes) -> RawTable | ImportRejected:
    """CSV bytes (UTF-8 with or without BOM; GB18030 tolerated) → raw table."""
    text = _decode(data)
    if text is None:
        return file_problem("文件不是 UTF-8 编码的文本", "the file is not UTF-8 text")
    try:
        records = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as err:
        return file_problem(f"CSV 格式错误：{err}", f"malformed CSV: {err}")
    # Record numbers, not line numbers: a quoted cell may span lines, a spreadsheet row cannot.
    return _table((n, cells) for n, cells in enumerate(records, start=1))


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        # repr is the shortest text that reads back as the same float: 0.035 stays '0.035'.
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def read_xlsx(data: bytes) -> RawTable | ImportRejected:
    """First worksheet of XLSX bytes → raw table; merged cells are filled from their top-left."""
    try:
        wb = load_workbook(io.BytesIO(data), data_only=True)
    except Exception as err:  # openpyxl raises many unrelated types on a damaged file
        return file_problem(f"无法读取 XLSX 文件：{err}", f"cannot read the XLSX file: {err}")
    ws = wb.worksheets[0]
    grid = [list(row) for row in ws.iter_rows(values_only=True)]
    # The plan's table merges 项目名称/子项名称 over several rows: each row still owns the value.
    for merged in ws.merged_cells.ranges:
        top = grid[merged.min_row - 1][merged.min_col - 1]
        for r in range(merged.min_row, merged.max_row + 1):
            for c in range(merged.min_col, merged.max_col + 1):
                grid[r - 1][c - 1] = top
    return _table((n, [_cell_text(v) for v in row]) for n, row in enumerate(grid, start=1))


def import_csv(data: bytes, catalogue: tuple[Field, ...] = PLAN_FIELDS) -> ImportResult:
    """Parse and validate a CSV reserve table, all or nothing."""
    table = read_csv(data)
    return table if isinstance(table, ImportRejected) else validate_table(table, catalogue)


def import_xlsx(data: bytes, catalogue: tuple[Field, ...] = PLAN_FIELDS) -> ImportResult:
    """Parse and validate an XLSX reserve table, all or nothing."""
    table = read_xlsx(data)
    return table if isinstance(table, ImportRejected) else validate_table(table, catalogue)


def _ordered(rows: Iterable[ReserveRow]) -> list[ReserveRow]:
    return sorted(rows, key=lambda r: r.no)


def export_csv(
    rows: Iterable[ReserveRow], *, header: HeaderStyle = "en", bom: bool = False
) -> bytes:
    """The table as CSV (CRLF, minimal quoting, like the seed); `bom` helps Excel open it."""
    ordered = _ordered(rows)
    keys = export_columns(ordered)
    buf = io.StringIO(newline="")
    writer = csv.writer(buf)
    writer.writerow(header_cells(keys, header))
    for row in ordered:
        writer.writerow([cell_value(row, k) for k in keys])
    return ("\ufeff" if bom else "").encode() + buf.getvalue().encode("utf-8")


_NUMERIC_KEYS = frozenset({"investment_wan", *FUNDING_KEYS})


def _xlsx_value(row: ReserveRow, key: str) -> Any:
    if key == "no":
        return row.no
    text = cell_value(row, key)
    # Money goes in as numbers so the sheet can sum it; openpyxl writes Decimal digits as-is.
    return Decimal(text) if key in _NUMERIC_KEYS and text else text


def export_xlsx(rows: Iterable[ReserveRow], *, header: HeaderStyle = "en") -> bytes:
    """The table as an XLSX workbook with one sheet, 项目储备库."""
    ordered = _ordered(rows)
    keys: Sequence[str] = export_columns(ordered)
    wb = Workbook()
    ws = wb.active
    assert ws is not None  # a new Workbook always has its first sheet
    ws.title = SHEET_TITLE
    ws.append(header_cells(keys, header))
    for row in ordered:
        ws.append([_xlsx_value(row, k) for k in keys])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
