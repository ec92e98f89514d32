"""CSV and XLSX bytes ↔ the reserve table. Parses bytes handed in; never opens files itself.

A workbook is opened read-only (values streamed from the sheet's XML, nothing else built) and
refused at once when it is bigger than a reserve table can be: over MAX_UNPACKED bytes once
unpacked, or a sheet reaching past MAX_ROWS rows or MAX_COLUMNS columns (a 5 KB file with one
cell at XFD1048576 would otherwise be 1.7×10^10 cells to walk). Exported text that begins
with = + - @ is written as text, never as a formula (a leading ' in CSV, a string cell in
XLSX); the CSV import drops that ' again, so a table round-trips.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from xml.etree.ElementTree import iterparse

from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter, range_boundaries

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
MAX_ROWS = 20_000  # the plan's reserve has about a hundred sub-items
MAX_COLUMNS = 100
MAX_UNPACKED = 64 * 1024 * 1024
FORMULA_START = ("=", "+", "-", "@")
_NUMBER = re.compile(r"^[+-]?\d+(?:\.\d+)?$")


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


def _unquoted(cell: str) -> str:
    """A cell exported as text ("'=1+1") reads back as it was ("=1+1")."""
    return cell[1:] if len(cell) > 1 and cell[0] == "'" and cell[1] in FORMULA_START else cell


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
    return _table((n, [_unquoted(c) for c in cells]) for n, cells in enumerate(records, start=1))


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


def _too_large(reach: str) -> ImportRejected:
    return file_problem(
        f"工作表过大（延伸至 {reach}）：最多 {MAX_ROWS} 行、{MAX_COLUMNS} 列",
        f"the sheet is too large (it reaches {reach}): at most {MAX_ROWS} rows "
        f"and {MAX_COLUMNS} columns",
    )


def _unpacked_size(data: bytes) -> int | None:
    """What the workbook's parts declare they unpack to (the zip reader stops there)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return sum(i.file_size for i in z.infolist())
    except (zipfile.BadZipFile, ValueError):
        return None


def _merged(ws: Any) -> Iterator[tuple[int, int, int, int]]:
    """(min_col, min_row, max_col, max_row) of each merged range. A read-only worksheet keeps
    no merged cells, so they are read from the sheet's XML (`<mergeCell ref="A3:A5"/>`)."""
    with ws._get_source() as src:
        for _, el in iterparse(src):
            if el.tag.endswith("}mergeCell") and el.get("ref"):
                yield range_boundaries(el.get("ref"))
            el.clear()


def read_xlsx(data: bytes) -> RawTable | ImportRejected:
    """First worksheet of XLSX bytes → raw table; merged cells are filled from their top-left."""
    size = _unpacked_size(data)
    if size is not None and size > MAX_UNPACKED:
        mb = MAX_UNPACKED // (1024 * 1024)
        return file_problem(f"XLSX 文件解压后超过 {mb} MB", f"the XLSX unpacks to over {mb} MB")
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as err:  # openpyxl raises many unrelated types on a damaged file
        return file_problem(f"无法读取 XLSX 文件：{err}", f"cannot read the XLSX file: {err}")
    try:
        return _read_sheet(wb.worksheets[0])
    except Exception as err:  # a part that fails only once it is read
        return file_problem(f"无法读取 XLSX 文件：{err}", f"cannot read the XLSX file: {err}")
    finally:
        wb.close()


def _read_sheet(ws: Any) -> RawTable | ImportRejected:
    rows, cols = ws.max_row, ws.max_column  # as the sheet declares them (it may not)
    if (rows or 0) > MAX_ROWS or (cols or 0) > MAX_COLUMNS:
        return _too_large(f"{get_column_letter(min(cols or 1, 16384))}{rows or 1}")
    ws.reset_dimensions()  # declared or not, read what is there: at most one column too many
    grid: list[list[Any]] = []
    for n, row in enumerate(ws.iter_rows(max_col=MAX_COLUMNS + 1, values_only=True), start=1):
        if n > MAX_ROWS:
            return _too_large(f"A{n}")
        if len(row) > MAX_COLUMNS and row[MAX_COLUMNS] is not None:
            return _too_large(f"{get_column_letter(MAX_COLUMNS + 1)}{n}")
        grid.append(list(row[:MAX_COLUMNS]))
    # The plan's table merges 项目名称/子项名称 over several rows: each row still owns the value.
    for min_col, min_row, max_col, max_row in _merged(ws):
        if max_row > len(grid) or max_col > MAX_COLUMNS:
            return _too_large(f"{get_column_letter(min(max_col, 16384))}{max_row}")
        top = grid[min_row - 1][min_col - 1]
        for r in range(min_row, max_row + 1):
            for c in range(min_col, max_col + 1):
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
        writer.writerow([_csv_text(cell_value(row, k)) for k in keys])
    return ("\ufeff" if bom else "").encode() + buf.getvalue().encode("utf-8")


def _csv_text(text: str) -> str:
    """Text a spreadsheet would run as a formula (=, +, -, @ first) gets a leading ' (OWASP's
    CSV injection advice); plain numbers such as -5 stay numbers."""
    if text.startswith(FORMULA_START) and not _NUMBER.match(text):
        return "'" + text
    return text


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
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # openpyxl would write "=…" as a formula: text it is
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
