"""Importing the reserve table: the seed, idempotent ids, and all-or-nothing rejection."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest

from projects.domain.row import ReserveRow
from projects.domain.stages import Stage
from projects.domain.table_files import import_csv
from projects.domain.table_import import ImportAccepted, ImportIssue, ImportRejected
from projects.domain.values import FundingMix, SourceClass, YearSpan

pytestmark = pytest.mark.unit

HEADER = "no,field,project,subitem,content,investment_wan,years,lead_units,source"
GOOD = (
    "1,一、绿色发展促进工程,工业绿色化工程,清洁生产促进工程,开展清洁生产审核。,"
    "700,2021-2025,区生态环境局,策划项目"
)


def _csv(*lines: str, header: str = HEADER) -> bytes:
    return ("\r\n".join([header, *lines]) + "\r\n").encode("utf-8")


def _accepted(data: bytes) -> tuple[ReserveRow, ...]:
    result = import_csv(data)
    assert isinstance(result, ImportAccepted), result
    return result.rows


def _issues(data: bytes) -> list[tuple[int, str]]:
    result = import_csv(data)
    assert isinstance(result, ImportRejected), result
    for issue in result.issues:
        assert issue.zh and issue.en  # every reason in both languages
    return [(i.row, i.column) for i in result.issues]


def test_seed_imports_all_90_rows(seed_rows: tuple[ReserveRow, ...]) -> None:
    assert len(seed_rows) == 90
    assert [r.no for r in seed_rows] == list(range(1, 91))
    first = seed_rows[0]
    assert first.field.code == "F1" and first.project == "工业绿色化工程"
    assert first.name == "“散乱污”企业整治工程"
    assert first.investment_wan == Decimal(5000) and first.years == YearSpan(2021, 2025)
    assert first.lead_units == ("区经济信息委", "区生态环境局")
    assert first.source_class is SourceClass.PLANNED
    assert all(r.stage is Stage.RESERVE and r.in_reserve for r in seed_rows)


def test_seed_year_forms(seed_rows: tuple[ReserveRow, ...]) -> None:
    by_no = {r.no: r for r in seed_rows}
    assert by_no[31].years == YearSpan(2025, 2025)  # '2025'
    assert by_no[35].years == YearSpan(2021, 2021)  # '2021'
    assert by_no[74].years == YearSpan(2022, 2024)


def test_seed_ids_are_unique_and_hierarchical(seed_rows: tuple[ReserveRow, ...]) -> None:
    ids = [r.subitem_id for r in seed_rows]
    assert len(set(ids)) == 90
    assert all(r.subitem_id.startswith(r.project_id + "-") for r in seed_rows)
    assert all(r.project_id.startswith(r.field.code + "-") for r in seed_rows)
    assert len({r.project_id for r in seed_rows}) == 23
    # Merged-cell namesakes (rows 29–32, 工业园区污水治理工程) get ordinals 1..4.
    namesakes = [r.subitem_id for r in seed_rows if 29 <= r.no <= 32]
    assert [i.rsplit("-", 1)[1] for i in namesakes] == ["1", "2", "3", "4"]
    assert len({i.rsplit("-", 1)[0] for i in namesakes}) == 1


def test_reimport_is_identical(seed_csv: bytes, seed_rows: tuple[ReserveRow, ...]) -> None:
    assert _accepted(seed_csv) == seed_rows


def test_bom_and_gbk_read_the_same(seed_csv: bytes, seed_rows: tuple[ReserveRow, ...]) -> None:
    assert _accepted(b"\xef\xbb\xbf" + seed_csv) == seed_rows
    assert _accepted(seed_csv.decode("utf-8").encode("gb18030")) == seed_rows


def test_shuffled_rows_keep_their_ids(seed_csv: bytes, seed_rows: tuple[ReserveRow, ...]) -> None:
    header, *lines = seed_csv.decode("utf-8").splitlines()
    random.Random(4).shuffle(lines)
    assert _accepted(_csv(*lines, header=header)) == seed_rows


def test_ids_survive_content_edits_and_inserted_rows(seed_rows: tuple[ReserveRow, ...]) -> None:
    lines = [
        "7,二、环境质量提升工程,水环境质量提升工程,饮用水源保护项目,改写后的内容。,365,2021-2023,区生态环境局,x",
        "3,二、环境质量提升工程,新项目,新子项,内容。,1,2025,区生态环境局,策划项目",
        "9,二、环境质量提升工程,水环境质量提升工程,饮用水源保护项目,加强农村饮用水源地保护。,500,2021-2025,区生态环境局,策划项目",
    ]  # fmt: skip
    rows = {r.no: r for r in _accepted(_csv(*lines))}
    seed = {r.no: r for r in seed_rows}
    assert rows[7].subitem_id == seed[20].subitem_id
    assert rows[9].subitem_id == seed[21].subitem_id


def test_chinese_headers_and_blank_rows(seed_rows: tuple[ReserveRow, ...]) -> None:
    header = "序号,领域,项目名称,子项名称,项目内容,投资额（万元）,实施年度,牵头单位,项目来源"
    line = "1,一、绿色发展促进工程,工业绿色化工程,“散乱污”企业整治工程,全面排查“散乱污”企业，结合实际重点实施庆岩基地搬迁入园，完成就地提质升级企业治污设施提标改造。,5000,2021-2025,区经济信息委、区生态环境局,策划项目"  # noqa: E501
    [row] = _accepted(_csv(",,,,,,,,", line, ",,,,,,,,", header=header))
    assert row == seed_rows[0]


def test_optional_columns() -> None:
    header = (
        HEADER + ",location,funding_central,funding_municipal,funding_district,funding_social,stage"
    )
    [row] = _accepted(_csv(GOOD + ",大溪河,100,200,,50.5,实施", header=header))
    assert row.location == "大溪河" and row.stage is Stage.IMPLEMENTATION
    assert row.funding == FundingMix(Decimal(100), Decimal(200), Decimal(0), Decimal("50.5"))
    [plain] = _accepted(_csv(GOOD + ",,,,,,", header=header))
    assert plain.location is None and plain.funding is None and plain.stage is Stage.RESERVE


def test_every_bad_cell_is_reported_and_nothing_accepted() -> None:
    lines = [
        GOOD,
        "2,一、绿色发展促进工程,工业绿色化工程,甲,内容。,-5,2021-2025,区生态环境局,策划项目",
        "3,一、绿色发展促进工程,工业绿色化工程,乙,内容。,五千,2021-2025,区生态环境局,策划项目",
        "4,七、未知工程,工业绿色化工程,丙,内容。,1,2021-2025,区生态环境局,策划项目",
        "5,一、绿色发展促进工程,工业绿色化工程,丁,内容。,1,2025-2021,区生态环境局,策划项目",
        "6,一、绿色发展促进工程,工业绿色化工程,戊,内容。,1,2021-2025,,策划项目",
        "x,,工业绿色化工程,,,,,区生态环境局、,",
    ]
    assert _issues(_csv(*lines)) == [
        (3, "investment_wan"),
        (4, "investment_wan"),
        (5, "field"),
        (6, "years"),
        (7, "lead_units"),
        (8, "content"),
        (8, "field"),
        (8, "investment_wan"),
        (8, "lead_units"),
        (8, "no"),
        (8, "source"),
        (8, "subitem"),
        (8, "years"),
    ]


def test_reasons_are_in_chinese_and_english() -> None:
    result = import_csv(_csv(GOOD.replace(",700,", ",-5,")))
    assert isinstance(result, ImportRejected)
    assert result.issues == (
        ImportIssue(2, "investment_wan", "投资额不能为负数：-5", "投资额 must not be negative: -5"),
    )


def test_cross_row_rules() -> None:
    lines = [
        GOOD,
        GOOD.replace("清洁生产促进工程", "另一子项"),  # duplicate 序号 1
        "3,二、环境质量提升工程,工业绿色化工程,丙,内容。,1,2021,区生态环境局,策划项目",
        "4,一、绿色发展促进工程,工业绿色化工程,丁,内容。,100,2021,区生态环境局,策划项目,多余",
    ]
    assert _issues(_csv(*lines)) == [(3, "no"), (4, "field"), (5, "")]


def test_funding_over_investment_is_rejected() -> None:
    header = HEADER + ",funding_central,funding_social"
    assert _issues(_csv(GOOD + ",600,101", header=header)) == [(2, "funding")]
    assert _issues(_csv(GOOD + ",abc,", header=header)) == [(2, "funding_central")]


def test_header_problems() -> None:
    # The 9th cell now lies outside the header: reported too.
    assert _issues(_csv(GOOD, header=HEADER.replace(",source", ""))) == [(1, "source"), (2, "")]
    assert _issues(_csv(GOOD + ",x", header=HEADER + ",备注")) == [(1, "备注")]
    assert _issues(_csv(GOOD + ",1", header=HEADER + ",no")) == [(1, "no")]


@pytest.mark.parametrize(
    "data",
    [b"", b"\r\n\r\n", HEADER.encode(), b"\xff\xfe\x00\x00garbage\x81", b'no,"unterminated\x00'],
)
def test_unreadable_or_empty_files_are_rejected(data: bytes) -> None:
    result = import_csv(data)
    assert isinstance(result, ImportRejected) and result.issues


def test_rejection_lists_every_row_of_a_large_bad_file(seed_csv: bytes) -> None:
    text = seed_csv.decode("utf-8").replace(",2021-2025,", ",2025-2021,")
    result = import_csv(text.encode("utf-8"))
    assert isinstance(result, ImportRejected)
    assert len(result.issues) == 64  # every 2021-2025 row, none hidden behind the first
    assert {i.column for i in result.issues} == {"years"}


def test_rows_are_checked_even_when_the_header_is_bad() -> None:
    header = HEADER.replace(",source", ",备注")
    bad = GOOD.replace(",700,", ",-1,")
    assert _issues(_csv(GOOD, bad, header=header)) == [
        (1, "source"),
        (1, "备注"),
        (3, "investment_wan"),
    ]
