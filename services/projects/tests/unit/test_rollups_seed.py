"""The plan's reserve preamble, reproduced exactly from the 90 rows of the seed table."""

from __future__ import annotations

from decimal import Decimal

import pytest

from projects.domain.preamble import preamble
from projects.domain.rollups import RollupBy, rollup
from projects.domain.row import ReserveRow

pytestmark = pytest.mark.unit

Rows = tuple[ReserveRow, ...]

# 第九章 项目储备库 preamble: (field code, 亿元, projects, sub-items).
PREAMBLE_FIELDS = [
    ("F1", "43.6350", 6, 15),
    ("F2", "42.6905", 6, 37),
    ("F3", "20.3100", 4, 18),
    ("F4", "1.0950", 2, 6),
    ("F5", "0.0350", 2, 5),
    ("F6", "0.4250", 3, 9),
]


def test_total(seed_rows: Rows) -> None:
    total = rollup(seed_rows, RollupBy.FIELD).total
    assert total.investment_wan == Decimal("1081905")
    assert total.investment_yi == Decimal("108.1905")
    assert total.yi_text == "108.1905"
    assert (total.projects, total.subitems) == (23, 90)


@pytest.mark.parametrize(("code", "yi", "projects", "subitems"), PREAMBLE_FIELDS)
def test_by_field(seed_rows: Rows, code: str, yi: str, projects: int, subitems: int) -> None:
    g = rollup(seed_rows, RollupBy.FIELD).group(code)
    assert g.investment_yi == Decimal(yi)
    assert g.yi_text == yi
    assert (g.projects, g.subitems) == (projects, subitems)


def test_fields_add_up_to_the_total(seed_rows: Rows) -> None:
    r = rollup(seed_rows, RollupBy.FIELD)
    assert [g.key for g in r.groups] == [f[0] for f in PREAMBLE_FIELDS]
    assert sum((g.investment_wan for g in r.groups), Decimal(0)) == r.total.investment_wan
    assert sum(g.projects for g in r.groups) == 23
    assert sum(g.subitems for g in r.groups) == 90
    assert not r.overlapping


def test_by_source_class(seed_rows: Rows) -> None:
    r = rollup(seed_rows, RollupBy.SOURCE_CLASS)
    confirmed, planned = r.group("district_confirmed"), r.group("planned")
    assert (confirmed.subitems, confirmed.investment_yi, confirmed.share_pct) == (
        40,
        Decimal("82.0855"),
        Decimal("75.87"),
    )
    assert (planned.subitems, planned.investment_yi, planned.share_pct) == (
        50,
        Decimal("26.1050"),
        Decimal("24.13"),
    )
    assert confirmed.label == "区级已初步确定" and planned.label == "本规划策划"


def test_preamble_sentences_appear_verbatim_in_the_plan(seed_rows: Rows, plan_text: str) -> None:
    p = preamble(seed_rows)
    assert p.field_count == 6
    sentences = [p.total_sentence(), *p.field_sentences(), *p.field_headings(), p.source_sentence()]
    assert p.total_sentence() == "共计23个项目和90个子项，投资总额108.1905亿元"
    assert p.source_sentence() == (
        "项目储备库中区级已初步确定40项，投资额82.0855亿元，占总投资的75.87％；"
        "本规划策划项目50项，投资26.1050亿元，占总投资的24.13％。"
    )
    for sentence in sentences:
        assert sentence in plan_text, sentence


def test_by_project(seed_rows: Rows) -> None:
    r = rollup(seed_rows, RollupBy.PROJECT)
    assert len(r.groups) == 23 and all(g.projects == 1 for g in r.groups)
    water = next(g for g in r.groups if g.label == "水环境质量提升工程")
    assert (water.subitems, water.investment_wan) == (13, Decimal("203765"))
    assert r.groups[0].label == "工业绿色化工程" and r.groups[-1].label == "生态文明示范建设工程"


def test_by_lead_unit_counts_shared_items_once_in_the_total(seed_rows: Rows) -> None:
    r = rollup(seed_rows, RollupBy.LEAD_UNIT)
    assert r.overlapping and "once" in r.note_en and all(g.share_pct is None for g in r.groups)
    assert r.total.subitems == 90 and r.total.investment_wan == Decimal("1081905")
    assert len(r.groups) == 21
    bureau = r.group("区生态环境局")
    assert (bureau.subitems, bureau.investment_wan, bureau.shared_subitems) == (
        31,
        Decimal("70565"),
        12,
    )
    assert r.group("区发展改革委").investment_wan == Decimal("308500")
    # Shared appearances: the group sums exceed the total by exactly the repeats.
    multi = [row for row in seed_rows if len(row.lead_units) > 1]
    assert len(multi) == 23
    assert (
        sum(g.subitems for g in r.groups) == 118 == 90 + sum(len(m.lead_units) - 1 for m in multi)
    )


def test_by_year_counts_spanning_items_in_each_year_without_splitting(seed_rows: Rows) -> None:
    r = rollup(seed_rows, RollupBy.YEAR)
    assert r.overlapping and "not split" in r.note_en
    assert [g.key for g in r.groups] == ["2021", "2022", "2023", "2024", "2025"]
    expected = {
        "2021": (83, "1045905", 82),
        "2022": (84, "1049905", 84),
        "2023": (80, "799405", 80),
        "2024": (70, "678350", 70),
        "2025": (70, "677350", 69),
    }
    for key, (subitems, wan, spanning) in expected.items():
        g = r.group(key)
        assert (g.subitems, g.investment_wan, g.shared_subitems) == (
            subitems,
            Decimal(wan),
            spanning,
        )
    # The two single-year items (序号31: 2025, 序号35: 2021) are the only unshared ones.
    assert r.group("2025").subitems - r.group("2025").shared_subitems == 1
    assert r.group("2021").subitems - r.group("2021").shared_subitems == 1
    assert r.total.investment_wan == Decimal("1081905")


def test_by_stage(seed_rows: Rows) -> None:
    r = rollup(seed_rows, RollupBy.STAGE)
    [g] = r.groups
    assert (g.key, g.label, g.subitems, g.projects, g.share_pct) == (
        "reserve",
        "储备",
        90,
        23,
        Decimal("100.00"),
    )
