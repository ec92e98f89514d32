"""What a spreadsheet must not do to the service: a workbook far larger than a reserve table
(one cell at XFD1048576) is refused at once, not walked cell by cell; exported text never
runs as a formula in the spreadsheet it is opened with, and still round-trips."""

from __future__ import annotations

import csv
import dataclasses
import io
import re
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from projects.domain.row import ReserveRow
from projects.domain.table_files import (
    MAX_COLUMNS,
    MAX_ROWS,
    export_csv,
    export_xlsx,
    import_csv,
    import_xlsx,
)
from projects.domain.table_import import ImportAccepted, ImportRejected

pytestmark = pytest.mark.unit
HEADER = ["no", "field", "project", "subitem", "content", "investment_wan", "years",
          "lead_units", "source"]  # fmt: skip


def _sheet(*cells: tuple[str, str]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(HEADER)
    ws.append([1, "一、绿色发展促进工程", "p", "s", "c", 100, "2021", "u", "策划项目"])
    for ref, value in cells:
        ws[ref] = value
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _undeclared(data: bytes) -> bytes:
    """The same workbook without the sheet's <dimension> (a writer need not declare it)."""
    src, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename.startswith("xl/worksheets/sheet"):
                body = re.sub(rb"<dimension [^>]*/>", b"", body)
            dst.writestr(info, body)
    return out.getvalue()


def _refusal(result: object) -> str:
    assert isinstance(result, ImportRejected), result
    [issue] = result.issues
    assert issue.row == 0 and "工作表过大" in issue.zh
    return issue.en


def test_one_cell_at_xfd1048576_is_refused_with_a_clear_reason() -> None:
    data = _sheet(("XFD1048576", "x"))
    assert len(data) < 8 * 1024  # a small file: the size is in what it claims
    assert "XFD1048576" in _refusal(import_xlsx(data))
    # Without the declared dimension the rows are counted as they stream, up to the cap.
    assert f"A{MAX_ROWS + 1}" in _refusal(import_xlsx(_undeclared(data)))


def test_a_cell_beyond_the_column_cap_is_refused() -> None:
    data = _undeclared(_sheet(("CW5", "x")))  # column 101
    assert MAX_COLUMNS == 100
    assert "CW5" in _refusal(import_xlsx(data))


def test_a_table_within_the_caps_still_reads() -> None:
    result = import_xlsx(_undeclared(_sheet()))
    assert isinstance(result, ImportAccepted) and len(result.rows) == 1


def _with_formulas(seed_rows: tuple[ReserveRow, ...]) -> tuple[ReserveRow, ...]:
    rows = list(seed_rows)
    rows[0] = dataclasses.replace(rows[0], content='=HYPERLINK("http://x.example","点击")')
    rows[1] = dataclasses.replace(rows[1], content="+1+1", location="@SUM(A1:A9)")
    rows[2] = dataclasses.replace(rows[2], content="-2+3")
    return tuple(rows)


def test_csv_export_writes_formula_like_text_as_text(seed_rows: tuple[ReserveRow, ...]) -> None:
    rows = _with_formulas(seed_rows)
    data = export_csv(rows)
    table = list(csv.reader(io.StringIO(data.decode(), newline="")))
    content, location = table[0].index("content"), table[0].index("location")
    assert table[1][content] == '\'=HYPERLINK("http://x.example","点击")'
    assert table[2][content] == "'+1+1" and table[2][location] == "'@SUM(A1:A9)"
    assert table[3][content] == "'-2+3"
    assert not any(cell.startswith(("=", "+", "@")) for line in table for cell in line)
    result = import_csv(data)
    assert isinstance(result, ImportAccepted) and result.rows == rows  # the ' is dropped again


def test_xlsx_export_writes_formula_like_text_as_text(seed_rows: tuple[ReserveRow, ...]) -> None:
    rows = _with_formulas(seed_rows)
    data = export_xlsx(rows)
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in sheet and b"<f " not in sheet  # no formula anywhere
    ws = load_workbook(io.BytesIO(data)).worksheets[0]
    assert ws["E2"].value.startswith("=HYPERLINK") and ws["E2"].data_type == "s"
    result = import_xlsx(data)
    assert isinstance(result, ImportAccepted) and result.rows == rows
