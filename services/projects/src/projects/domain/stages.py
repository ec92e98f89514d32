"""The maturity lifecycle (项目成熟度) as an explicit state machine, and each gate's evidence.

Forward moves are exactly one step: 储备 → 可研 → 初设 → 招投标 → 实施 → 完工 → 验收 → 绩效评价,
except that a planner may skip a 前期工作 stage the item does not need (`SKIPPABLE`: 可研, 初设,
招投标 — e.g. a small item approved without a feasibility study, or one that by law needs no
tender), naming each skipped stage with a reason and the document that shows it is not needed.
The only other moves are the two returns in `RETURNS`, each needing a reason:
  可研 → 储备  the feasibility study was not approved; the item goes back to be re-argued;
  完工 → 实施  defects found before acceptance; the item goes back for rectification (整改).
Everything else (skipping any other gate, going further back, staying put) is
InvalidTransition.
Leaving and re-entering the reserve (出库/入库) is not a stage: see SubItem.withdraw/reinstate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from projects.domain.errors import ConflictError, InvalidValue
from qingshan_core.labels import labels_of


class Stage(StrEnum):
    """Maturity stages in lifecycle order."""

    RESERVE = "reserve"
    FEASIBILITY = "feasibility"
    PRELIMINARY_DESIGN = "preliminary_design"
    TENDERING = "tendering"
    IMPLEMENTATION = "implementation"
    COMPLETED = "completed"
    ACCEPTED = "accepted"
    EVALUATED = "evaluated"

    @property
    def zh(self) -> str:
        """The Chinese name of the stage."""
        return _ZH[self]

    @property
    def rank(self) -> int:
        """Position in the lifecycle, 0 for 储备."""
        return STAGE_ORDER.index(self)


STAGE_ORDER: tuple[Stage, ...] = tuple(Stage)

_ZH: dict[Stage, str] = {s: labels_of("projects.Stage")[s.value] for s in Stage}
_BY_TEXT: dict[str, Stage] = {**{s.value: s for s in Stage}, **{v: k for k, v in _ZH.items()}}

RETURNS: dict[tuple[Stage, Stage], str] = {
    (Stage.FEASIBILITY, Stage.RESERVE): "可研未获批复，退回储备重新论证",
    (Stage.COMPLETED, Stage.IMPLEMENTATION): "验收前发现问题，退回实施整改",
}


class MissingEvidence(InvalidValue):
    """A gate passed (or skipped) without the evidence it needs."""


class InvalidSkip(InvalidValue):
    """A skip that does not name exactly the stages jumped over, or lacks reason or document."""


class InvalidTransition(ConflictError):
    """A stage change the lifecycle does not allow."""

    def __init__(self, current: Stage, target: Stage) -> None:
        super().__init__(
            f"不允许从「{current.zh}」变更到「{target.zh}」",
            f"transition {current.value} -> {target.value} is not allowed",
        )
        self.current = current
        self.target = target


def parse_stage(text: str) -> Stage:
    """Resolve '实施' or 'implementation' to a Stage."""
    s = text.strip()
    if s in _BY_TEXT:
        return _BY_TEXT[s]
    raise InvalidValue(f"未知成熟度阶段：{text!r}", f"unknown stage: {text!r}")


def next_stage(current: Stage) -> Stage | None:
    """The one stage an item may advance to, None at the end of the lifecycle."""
    i = current.rank
    return STAGE_ORDER[i + 1] if i + 1 < len(STAGE_ORDER) else None


def check_advance(current: Stage, target: Stage) -> None:
    """Allow exactly one step forward; raise InvalidTransition otherwise."""
    if next_stage(current) is not target:
        raise InvalidTransition(current, target)


# 前期工作 stages an item may not need; 实施 and everything after it are never skipped.
SKIPPABLE: frozenset[Stage] = frozenset(
    {Stage.FEASIBILITY, Stage.PRELIMINARY_DESIGN, Stage.TENDERING}
)


@dataclass(frozen=True)
class StageSkip:
    """A stage the item does not need: why, and the document that shows it (e.g. the approving
    department's consent to a simplified procedure, or the legal ground for no tender)."""

    stage: Stage
    reason: str
    document_no: str


def check_skips(
    current: Stage,
    target: Stage,
    skips: tuple[StageSkip, ...],
    skippable: frozenset[Stage] = SKIPPABLE,
) -> None:
    """A forward move over exactly the stages in ``skips``, each skippable and each with a
    reason and a document; raise InvalidTransition or InvalidValue otherwise."""
    if target.rank <= current.rank:
        raise InvalidTransition(current, target)
    between = STAGE_ORDER[current.rank + 1 : target.rank]
    listed = tuple(s.stage for s in skips)
    if sorted(listed, key=lambda s: s.rank) != list(between) or len(set(listed)) != len(listed):
        names = "、".join(s.zh for s in between) or "无"
        raise InvalidSkip(
            f"从「{current.zh}」到「{target.zh}」须逐一说明跳过的阶段：{names}",
            f"list exactly the stages skipped: {[s.value for s in between]}",
        )
    for skip in skips:
        if skip.stage not in skippable:
            raise InvalidTransition(current, target)
        if not skip.reason.strip() or not skip.document_no.strip():
            raise InvalidSkip(
                f"跳过「{skip.stage.zh}」须写明原因并提供依据文件编号",
                f"skipping {skip.stage.value} needs a reason and a document number",
            )


def check_return(current: Stage, target: Stage) -> None:
    """Allow only the documented returns (RETURNS); raise InvalidTransition otherwise."""
    if (current, target) not in RETURNS:
        raise InvalidTransition(current, target)


@dataclass(frozen=True)
class GateEvidence:
    """What proves a gate was passed: the real-world date and, where required, a document number."""

    on: date
    document_no: str | None = None
    note: str = ""


@dataclass(frozen=True)
class GateRule:
    """What entering a stage requires; `document` names the document in Chinese."""

    needs_document: bool
    document: str = ""


# Defaults drawn from ordinary project practice; configuration, not law: pass another mapping
# to SubItem.advance to change them.
GATE_RULES: dict[Stage, GateRule] = {
    Stage.FEASIBILITY: GateRule(True, "可行性研究报告批复文号"),
    Stage.PRELIMINARY_DESIGN: GateRule(True, "初步设计批复文号"),
    Stage.TENDERING: GateRule(True, "招标公告或中标通知书编号"),
    Stage.IMPLEMENTATION: GateRule(False, "开工日期"),
    Stage.COMPLETED: GateRule(False, "完工日期"),
    Stage.ACCEPTED: GateRule(True, "验收意见文号"),
    # Entering 绩效评价 also needs an evaluation record: SubItem.advance checks that.
    Stage.EVALUATED: GateRule(False, "绩效评价报告"),
}


def check_evidence(
    target: Stage, evidence: GateEvidence, today: date, rules: dict[Stage, GateRule]
) -> None:
    """Refuse evidence that is missing its document or dated in the future."""
    rule = rules.get(target, GateRule(False))
    if rule.needs_document and not (evidence.document_no or "").strip():
        raise MissingEvidence(
            f"进入「{target.zh}」需要{rule.document}",
            f"entering {target.value} needs a document number ({rule.document})",
        )
    if evidence.on > today:
        raise InvalidValue(
            f"证据日期 {evidence.on} 晚于今天 {today}",
            f"evidence date {evidence.on} is after today {today}",
        )
