"""All-or-nothing validation of the reserve table: every row valid, or every problem listed.

Row numbers are those a spreadsheet shows: the header is row 1 in a CSV; in an XLSX they are
the sheet's own row numbers. Column is the column key (see table_schema.COLUMNS), "" for
problems of the whole file.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from projects.domain.errors import InvalidValue
from projects.domain.money import parse_wan
from projects.domain.row import ReserveRow, project_id, subitem_id
from projects.domain.stages import Stage, parse_stage
from projects.domain.table_schema import (
    BY_KEY,
    FUNDING_KEYS,
    REQUIRED_KEYS,
    resolve_header,
)
from projects.domain.values import (
    PLAN_FIELDS,
    Field,
    FundingMix,
    parse_field,
    parse_years,
    split_lead_units,
)


@dataclass(frozen=True)
class ImportIssue:
    """One problem: where (row, column) and why, in Chinese and English."""

    row: int
    column: str
    zh: str
    en: str


@dataclass(frozen=True)
class ImportAccepted:
    """Every row was valid: the whole table, ordered by 序号."""

    rows: tuple[ReserveRow, ...]


@dataclass(frozen=True)
class ImportRejected:
    """At least one problem: nothing may be written."""

    issues: tuple[ImportIssue, ...]


ImportResult = ImportAccepted | ImportRejected


@dataclass(frozen=True)
class RawTable:
    """Cells as text: the header row and the data rows with their row numbers."""

    header: Sequence[str]
    header_row: int
    rows: Sequence[tuple[int, Sequence[str]]]


def file_problem(zh: str, en: str) -> ImportRejected:
    """A rejection for a file that could not be read as a table at all."""
    return ImportRejected((ImportIssue(0, "", zh, en),))


def _text(value: str, zh: str, en: str) -> str:
    if not value:
        raise InvalidValue(f"{zh}为空", f"{en} is empty")
    return value


def _positive_int(value: str) -> int:
    if not value.isascii() or not value.isdigit() or int(value) < 1:
        raise InvalidValue(
            f"序号须为正整数：{value!r}", f"no must be a positive integer: {value!r}"
        )
    return int(value)


_PARSERS: dict[str, Callable[[str], Any]] = {
    "no": _positive_int,
    "project": lambda v: _text(v, "项目名称", "project"),
    "subitem": lambda v: _text(v, "子项名称", "sub-item name"),
    "content": lambda v: _text(v, "项目内容", "content"),
    "investment_wan": parse_wan,
    "years": parse_years,
    "lead_units": split_lead_units,
    "source": lambda v: _text(v, "项目来源", "source"),
    "location": lambda v: v or None,
    "stage": lambda v: parse_stage(v) if v else Stage.RESERVE,
    **{k: (lambda v: parse_wan(v, what="资金来源") if v else None) for k in FUNDING_KEYS},
}


def _map_header(table: RawTable, issues: list[ImportIssue]) -> tuple[dict[int, str], set[int]]:
    """Column index → key, and the indices of refused columns (reported once, here)."""
    columns: dict[int, str] = {}
    refused: set[int] = set()
    for i, cell in enumerate(table.header):
        if not cell.strip():
            continue  # trailing empty columns of a spreadsheet
        key = resolve_header(cell)
        if key is None:
            refused.add(i)
            issues.append(
                ImportIssue(table.header_row, cell, f"未知列：{cell}", f"unknown column: {cell}")
            )
        elif key in columns.values():
            refused.add(i)
            issues.append(ImportIssue(table.header_row, key, "列重复", "duplicate column"))
        else:
            columns[i] = key
    for key in REQUIRED_KEYS:
        if key not in columns.values():
            zh = BY_KEY[key].zh
            issues.append(
                ImportIssue(table.header_row, key, f"缺少列：{zh}", f"missing column: {key}")
            )
    return columns, refused


def _parse_row(
    number: int,
    cells: Sequence[str],
    columns: dict[int, str],
    refused: set[int],
    catalogue: tuple[Field, ...],
    issues: list[ImportIssue],
) -> dict[str, Any] | None:
    values: dict[str, Any] = {}
    ok = True
    if any(raw.strip() for i, raw in enumerate(cells) if i not in columns and i not in refused):
        issues.append(ImportIssue(number, "", "表头之外有内容", "data outside the columns"))
        ok = False
    for i, key in columns.items():
        # Short rows (trailing cells missing) read as empty cells.
        text = cells[i].strip() if i < len(cells) else ""
        parse = _PARSERS.get(key) or (lambda v: parse_field(v, catalogue))
        try:
            values[key] = parse(text)
        except InvalidValue as err:
            issues.append(ImportIssue(number, key, err.zh, err.en))
            ok = False
    investment = values.get("investment_wan")
    if ok and investment is not None and any(values.get(k) is not None for k in FUNDING_KEYS):
        zero = Decimal(0)
        mix = FundingMix(*(values.get(k) or zero for k in FUNDING_KEYS))
        try:
            mix.check_within(investment)
        except InvalidValue as err:
            issues.append(ImportIssue(number, "funding", err.zh, err.en))
            ok = False
        values["funding"] = mix
    return values if ok else None


def validate_table(table: RawTable, catalogue: tuple[Field, ...] = PLAN_FIELDS) -> ImportResult:
    """Validate every cell and cross-row rule; accept all rows or reject with every issue."""
    issues: list[ImportIssue] = []
    # A bad header does not stop the rows being checked: the answer lists every problem.
    columns, refused = _map_header(table, issues)
    if not table.rows:
        issues.append(ImportIssue(0, "", "没有数据行", "the table has no data rows"))
    parsed: list[tuple[int, dict[str, Any]]] = []
    seen_no: dict[int, int] = {}
    project_field: dict[str, tuple[Field, int]] = {}
    for number, cells in table.rows:
        values = _parse_row(number, cells, columns, refused, catalogue, issues)
        if values is None or not {"no", "project", "field"} <= values.keys():
            continue
        no, project, field = values["no"], values["project"], values["field"]
        if no in seen_no:
            issues.append(
                ImportIssue(
                    number,
                    "no",
                    f"序号重复（同第{seen_no[no]}行）",
                    f"duplicate no (row {seen_no[no]})",
                )
            )
            continue
        seen_no[no] = number
        first = project_field.setdefault(project, (field, number))
        if first[0] != field:
            issues.append(
                ImportIssue(
                    number,
                    "field",
                    f"项目「{project}」已在第{first[1]}行归入{first[0].label}",
                    f"project {project!r} is under {first[0].code} at row {first[1]}",
                )
            )
            continue
        parsed.append((number, values))
    if issues:
        return ImportRejected(tuple(sorted(issues, key=lambda i: (i.row, i.column))))
    return ImportAccepted(_build_rows([v for _, v in parsed]))


def _build_rows(parsed: list[dict[str, Any]]) -> tuple[ReserveRow, ...]:
    ordinals: defaultdict[tuple[str, str], int] = defaultdict(int)
    rows: list[ReserveRow] = []
    # Ordinals follow 序号, not file order, so a shuffled copy of the table keeps its ids.
    for v in sorted(parsed, key=lambda v: int(v["no"])):
        pid = project_id(v["field"], v["project"])
        ordinals[(pid, v["subitem"])] += 1
        rows.append(
            ReserveRow(
                subitem_id=subitem_id(pid, v["subitem"], ordinals[(pid, v["subitem"])]),
                project_id=pid,
                no=v["no"],
                field=v["field"],
                project=v["project"],
                name=v["subitem"],
                content=v["content"],
                investment_wan=v["investment_wan"],
                years=v["years"],
                lead_units=v["lead_units"],
                source=v["source"],
                location=v.get("location"),
                funding=v.get("funding"),
                stage=v.get("stage", Stage.RESERVE),
            )
        )
    return tuple(rows)
