"""Annual performance evaluation (年度绩效评价): a score, its grade and indicator results."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from projects.domain.errors import InvalidValue
from projects.domain.stages import Stage


class Grade(StrEnum):
    """Grades of 《项目支出绩效评价管理办法》(财预〔2020〕10号) 第二十八条."""

    EXCELLENT = "优"
    GOOD = "良"
    FAIR = "中"
    POOR = "差"


# Lower bounds, highest first: ≥90 优, 80–<90 良, 60–<80 中, <60 差 (defaults of 财预〔2020〕10号).
GRADE_BOUNDS: tuple[tuple[Decimal, Grade], ...] = (
    (Decimal(90), Grade.EXCELLENT),
    (Decimal(80), Grade.GOOD),
    (Decimal(60), Grade.FAIR),
    (Decimal(0), Grade.POOR),
)

# Evaluation looks back at delivered work: only finished items are evaluated.
EVALUABLE_STAGES = frozenset({Stage.COMPLETED, Stage.ACCEPTED, Stage.EVALUATED})


def grade_for(score: Decimal) -> Grade:
    """The grade of a 0–100 score."""
    check_score(score)
    for bound, grade in GRADE_BOUNDS:
        if score >= bound:
            return grade
    raise AssertionError("unreachable: scores are >= 0")  # pragma: no cover


def check_score(score: Decimal) -> None:
    """A finite score within 0–100."""
    if not score.is_finite() or not Decimal(0) <= score <= Decimal(100):
        raise InvalidValue(f"评分须在0–100之间：{score}", f"score must be 0-100: {score}")


@dataclass(frozen=True)
class IndicatorResult:
    """One performance indicator of the evaluation (产出/效益/满意度 ...) and whether it was met."""

    name: str
    target: str
    actual: str
    met: bool


@dataclass(frozen=True)
class Evaluation:
    """The evaluation of one sub-item for one year."""

    year: int
    score: Decimal
    grade: Grade
    indicator_results: tuple[IndicatorResult, ...]
    note: str
    by: str
    at: datetime
