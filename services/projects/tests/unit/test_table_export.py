"""Export to CSV/XLSX and back: the same table, the same rows, the same ids."""

from __future__ import annotations

import csv
import dataclasses
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from projects.domain.row import ReserveRow
from projects.domain.stages import Stage
from projects.domain.table_files import export_csv, export_xlsx, import_csv, import_xlsx
from projects.domain.table_import import ImportAccepted, ImportRejected
from projects.domain.values import FundingMix

pytestmark = pytest.mark.unit

Rows = tuple[ReserveRow, ...]


def _rows(result: object) -> Rows:
    assert isinstance(result, ImportAccepted), result
    return result.rows


def test_csv_export_of_the_seed_is_the_seed_byte_for_byte(seed_csv: bytes, seed_rows: Rows) -> None:
    assert export_csv(seed_rows) == seed_csv


def test_csv_export_equals_the_seed_cell_for_cell(seed_csv: bytes, seed_rows: Rows) -> None:
    def cells(data: bytes) -> list[list[str]]:
        return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))

    assert cells(export_csv(seed_rows, bom=True)) == cells(seed_csv)


def test_csv_round_trip_with_bom_and_chinese_header(seed_rows: Rows) -> None:
    data = export_csv(seed_rows, header="zh", bom=True)
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").splitlines()[0].startswith("序号,领域,项目名称,子项名称")
    assert _rows(import_csv(data)) == seed_rows


def test_export_order_is_by_no(seed_csv: bytes, seed_rows: Rows) -> None:
    assert export_csv(reversed(seed_rows)) == seed_csv


def test_xlsx_round_trip(seed_rows: Rows) -> None:
    data = export_xlsx(seed_rows)
    assert _rows(import_xlsx(data)) == seed_rows
    ws = load_workbook(io.BytesIO(data)).worksheets[0]
    assert ws.title == "项目储备库"
    assert [c.value for c in ws[1]][:3] == ["no", "field", "project"]
    assert ws["F2"].value == 5000  # money is a number the sheet can sum


def test_xlsx_with_chinese_header_round_trips(seed_rows: Rows) -> None:
    assert _rows(import_xlsx(export_xlsx(seed_rows, header="zh"))) == seed_rows


def _enriched(seed_rows: Rows) -> Rows:
    """Seed rows with decimals, optional columns and stages filled in."""
    out = list(seed_rows)
    out[0] = dataclasses.replace(
        out[0],
        investment_wan=Decimal("5000.1234"),
        location="庆岩基地",
        funding=FundingMix(Decimal("1000.5"), Decimal(0), Decimal("0.0001"), Decimal(3999)),
        stage=Stage.IMPLEMENTATION,
    )
    out[1] = dataclasses.replace(out[1], investment_wan=Decimal("0.035"), stage=Stage.ACCEPTED)
    return tuple(out)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_optional_columns_and_decimals_round_trip(seed_rows: Rows, fmt: str) -> None:
    rows = _enriched(seed_rows)
    if fmt == "csv":
        back = _rows(import_csv(export_csv(rows)))
    else:
        back = _rows(import_xlsx(export_xlsx(rows)))
    assert back == rows
    assert back[0].funding == rows[0].funding and back[1].investment_wan == Decimal("0.035")


def test_export_then_import_then_export_is_stable(seed_rows: Rows) -> None:
    rows = _enriched(seed_rows)
    once = export_csv(rows)
    assert export_csv(_rows(import_csv(once))) == once
    assert export_csv(_rows(import_xlsx(export_xlsx(rows)))) == once


def _plan_like_sheet() -> bytes:
    """The plan's layout: a title row, then merged 项目名称/子项名称 cells over several rows."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["生态环境保护规划重点项目储备库"])
    ws.append(["序号", "领域", "项目名称", "子项名称", "项目内容", "投资额(万元)", "实施年度",
               "牵头单位", "项目来源"])  # fmt: skip
    ws.append(
        [
            20,
            "二、环境质量提升工程",
            "水环境质量提升工程",
            "饮用水源保护项目",
            "完成城镇集中式饮用水源地规范化建设。",
            365,
            "2021-2023",
            "区生态环境局",
            "正在实施项目",
        ]
    )
    ws.append(
        [
            21,
            "二、环境质量提升工程",
            None,
            None,
            "加强农村饮用水源地保护。",
            500,
            "2021-2025",
            "区生态环境局",
            "策划项目",
        ]
    )
    ws.append(
        [
            22,
            "二、环境质量提升工程",
            None,
            "流域环境综合治理工程",
            "实施排污口整治工程。",
            500.0,
            2023,
            "区生态环境局",
            "策划项目",
        ]
    )
    ws.merge_cells("C3:C5")
    ws.merge_cells("D3:D4")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_xlsx_merged_cells_and_title_row() -> None:
    rows = _rows(import_xlsx(_plan_like_sheet()))
    assert [r.project for r in rows] == ["水环境质量提升工程"] * 3
    assert [r.name for r in rows] == [
        "饮用水源保护项目",
        "饮用水源保护项目",
        "流域环境综合治理工程",
    ]
    assert rows[0].subitem_id.endswith("-1") and rows[1].subitem_id.endswith("-2")
    assert rows[2].investment_wan == Decimal(500) and str(rows[2].years) == "2023"


def test_xlsx_errors_carry_sheet_row_numbers() -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["title"])
    ws.append(["no", "field", "project", "subitem", "content", "investment_wan", "years",
               "lead_units", "source"])  # fmt: skip
    ws.append([1, "一、绿色发展促进工程", "p", "s", "c", -1, "2021", "u", "策划项目"])
    buf = io.BytesIO()
    wb.save(buf)
    result = import_xlsx(buf.getvalue())
    assert isinstance(result, ImportRejected)
    assert [(i.row, i.column) for i in result.issues] == [(3, "investment_wan")]


@pytest.mark.parametrize("data", [b"", b"not a zip", b"PK\x03\x04broken"])
def test_unreadable_xlsx_is_rejected_not_raised(data: bytes) -> None:
    result = import_xlsx(data)
    assert isinstance(result, ImportRejected)
    assert result.issues[0].row == 0 and "XLSX" in result.issues[0].en
