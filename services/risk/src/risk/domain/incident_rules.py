"""突发环境事件 vocabulary and reporting rules (突发环境事件信息报告办法)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from types import MappingProxyType

from qingshan_core.labels import label_of
from risk.domain.errors import ValidationError


class IncidentGrade(StrEnum):
    """Ⅰ 特别重大 … Ⅳ 一般; the value is the ASCII form the API uses."""

    I = "I"  # noqa: E741 - the grade's own name
    II = "II"
    III = "III"
    IV = "IV"

    @property
    def numeral(self) -> str:
        """Display form Ⅰ–Ⅳ."""
        return {"I": "Ⅰ", "II": "Ⅱ", "III": "Ⅲ", "IV": "Ⅳ"}[self.value]

    @property
    def name_zh(self) -> str:
        """特别重大 / 重大 / 较大 / 一般."""
        return {"I": "特别重大", "II": "重大", "III": "较大", "IV": "一般"}[self.value]

    @property
    def severity(self) -> int:
        """4 for Ⅰ down to 1 for Ⅳ, so grades compare by severity."""
        return {"I": 4, "II": 3, "III": 2, "IV": 1}[self.value]

    @property
    def label(self) -> str:
        """e.g. `Ⅱ级（重大）`, from the catalogue (proto/qingshan/risk/v1/labels.proto)."""
        return label_of("risk.IncidentGrade", self.value)

    @classmethod
    def parse(cls, raw: str) -> IncidentGrade:
        """Accept I–IV, Ⅰ–Ⅳ, 1–4, the Chinese names, with or without 级."""
        text = raw.strip().upper().removesuffix("级")
        for grade in cls:
            if text in (grade.value, grade.numeral, str(5 - grade.severity), grade.name_zh):
                return grade
        raise ValidationError(
            "grade",
            f"事件级别应为Ⅰ–Ⅳ（特别重大、重大、较大、一般），实际为{raw!r}",
            f"grade must be I–IV, got {raw!r}",
        )


class IncidentMedium(StrEnum):
    AIR = "air"
    WATER = "water"
    SOIL = "soil"


class ReportKind(StrEnum):
    """The three reports (第十条)."""

    INITIAL = "初报"
    FOLLOW_UP = "续报"
    RESULT = "处理结果报告"


class IncidentStatus(StrEnum):
    REGISTERED = "已获知待初报"
    INITIAL_REPORTED = "已初报"
    FOLLOWING_UP = "已续报"
    RESULT_REPORTED = "已报送处理结果"


@dataclass(frozen=True)
class IncidentRules:
    """Deadlines from 获知 (being told), escalation and the river → neighbour table."""

    report_within: Mapping[IncidentGrade, timedelta] = field(
        default_factory=lambda: MappingProxyType(
            {
                IncidentGrade.IV: timedelta(hours=4),
                IncidentGrade.III: timedelta(hours=4),
                IncidentGrade.II: timedelta(hours=2),
                IncidentGrade.I: timedelta(hours=2),
            }
        )
    )
    # 报告办法 第五条: drinking water, sensitive receptors, heavy metals, provincial or national
    # borders and mass incidents go through the Ⅱ/Ⅰ procedure until graded (incident_grading).
    escalated_grade: IncidentGrade = IncidentGrade.II
    # No preliminary grade at all: assume the stricter procedure rather than miss 2 hours.
    ungraded_grade: IncidentGrade = IncidentGrade.II
    # Rivers that leave the district, and whom to tell (data, not code).
    river_neighbours: Mapping[str, tuple[str, ...]] = field(
        default_factory=lambda: MappingProxyType({"大溪河": ("武隆区",)})
    )

    def __post_init__(self) -> None:
        if set(self.report_within) != set(IncidentGrade):
            raise ValidationError("incident_rules", "须为每个级别给出时限", "a limit per grade")
