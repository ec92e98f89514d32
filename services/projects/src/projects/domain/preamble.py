"""The reserve preamble's figures (第九章 项目储备库 说明), computed from the rows and worded as
the plan words them, so a test can look for each sentence in the plan text itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from projects.domain.money import ZERO, share_percent
from projects.domain.rollups import Group, Rollup, RollupBy, Totals, rollup
from projects.domain.row import ReserveRow


@dataclass(frozen=True)
class Preamble:
    """Total, per-field and per-source-class figures of the reserve."""

    total: Totals
    by_field: Rollup
    by_source: Rollup

    @property
    def field_count(self) -> int:
        """How many fields have sub-items."""
        return len(self.by_field.groups)

    def total_sentence(self) -> str:
        """'共计23个项目和90个子项，投资总额108.1905亿元'."""
        t = self.total
        return f"共计{t.projects}个项目和{t.subitems}个子项，投资总额{t.yi_text}亿元"

    def field_sentences(self) -> list[str]:
        """'绿色发展促进工程6个项目15个子项，共投资43.6350亿元', one per field."""
        return [
            f"{_name(g)}{g.projects}个项目{g.subitems}个子项，共投资{g.yi_text}亿元"
            for g in self.by_field.groups
        ]

    def field_headings(self) -> list[str]:
        """The table's group rows: '一、绿色发展促进工程（6个项目15个子项43.6350亿元）'."""
        return [
            f"{g.label}（{g.projects}个项目{g.subitems}个子项{g.yi_text}亿元）"
            for g in self.by_field.groups
        ]

    def source_sentence(self) -> str:
        """'项目储备库中区级已初步确定40项，投资额82.0855亿元，占总投资的75.87％；本规划策划…'."""
        confirmed = _get(self.by_source, "district_confirmed")
        planned = _get(self.by_source, "planned")
        return (
            f"项目储备库中区级已初步确定{confirmed.subitems}项，投资额{confirmed.yi_text}亿元，"
            f"占总投资的{confirmed.share_pct}％；"
            f"本规划策划项目{planned.subitems}项，投资{planned.yi_text}亿元，"
            f"占总投资的{planned.share_pct}％。"
        )


def _name(g: Group) -> str:
    return g.label.split("、", 1)[-1]


def _get(r: Rollup, key: str) -> Group:
    try:
        return r.group(key)
    except KeyError:
        # A class with no sub-items still reads "0项 … 0.0000亿元 … 0.00％".
        return Group(key, key, 0, 0, ZERO, share_percent(ZERO, ZERO))


def preamble(rows: Iterable[ReserveRow]) -> Preamble:
    """Compute the preamble's figures from the reserve's rows."""
    rows = list(rows)
    by_field = rollup(rows, RollupBy.FIELD)
    return Preamble(by_field.total, by_field, rollup(rows, RollupBy.SOURCE_CLASS))
