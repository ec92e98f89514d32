"""The maturity state machine: every pair of stages, the documented returns, gate evidence."""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from projects.domain.errors import ConflictError, InvalidValue
from projects.domain.stages import (
    GATE_RULES,
    RETURNS,
    STAGE_ORDER,
    GateEvidence,
    GateRule,
    InvalidTransition,
    MissingEvidence,
    Stage,
    check_advance,
    check_evidence,
    check_return,
    next_stage,
    parse_stage,
)

pytestmark = pytest.mark.unit

ORDER_ZH = ["储备", "可研", "初设", "招投标", "实施", "完工", "验收", "绩效评价"]
FORWARD = {(STAGE_ORDER[i], STAGE_ORDER[i + 1]) for i in range(len(STAGE_ORDER) - 1)}
ALL_PAIRS = list(itertools.product(Stage, Stage))


def test_order_and_labels() -> None:
    assert [s.zh for s in STAGE_ORDER] == ORDER_ZH
    assert [s.rank for s in STAGE_ORDER] == list(range(8))


@pytest.mark.parametrize(("current", "target"), ALL_PAIRS)
def test_advance_allows_exactly_one_step_forward(current: Stage, target: Stage) -> None:
    if (current, target) in FORWARD:
        check_advance(current, target)
    else:
        with pytest.raises(InvalidTransition) as info:
            check_advance(current, target)
        assert (info.value.current, info.value.target) == (current, target)
        assert isinstance(info.value, ConflictError)  # → 409 at the API


@pytest.mark.parametrize(("current", "target"), ALL_PAIRS)
def test_returns_allow_only_the_documented_exceptions(current: Stage, target: Stage) -> None:
    if (current, target) in RETURNS:
        check_return(current, target)
    else:
        with pytest.raises(InvalidTransition):
            check_return(current, target)


def test_documented_returns_are_exactly_two() -> None:
    assert set(RETURNS) == {
        (Stage.FEASIBILITY, Stage.RESERVE),
        (Stage.COMPLETED, Stage.IMPLEMENTATION),
    }


def test_next_stage() -> None:
    assert next_stage(Stage.RESERVE) is Stage.FEASIBILITY
    assert next_stage(Stage.ACCEPTED) is Stage.EVALUATED
    assert next_stage(Stage.EVALUATED) is None


@pytest.mark.parametrize(("zh", "stage"), list(zip(ORDER_ZH, STAGE_ORDER, strict=True)))
def test_parse_stage_accepts_chinese_and_english(zh: str, stage: Stage) -> None:
    assert parse_stage(zh) is stage
    assert parse_stage(stage.value) is stage


def test_parse_stage_rejects_unknown() -> None:
    with pytest.raises(InvalidValue, match="unknown stage"):
        parse_stage("立项")


def test_invalid_transition_message_is_bilingual() -> None:
    err = InvalidTransition(Stage.RESERVE, Stage.IMPLEMENTATION)
    assert "储备" in err.zh and "实施" in err.zh
    assert "reserve -> implementation" in err.en


@pytest.mark.parametrize(
    "stage", [Stage.FEASIBILITY, Stage.PRELIMINARY_DESIGN, Stage.TENDERING, Stage.ACCEPTED]
)
def test_document_gates_need_a_document_number(stage: Stage) -> None:
    today = date(2025, 3, 1)
    with pytest.raises(MissingEvidence):
        check_evidence(stage, GateEvidence(today), today, GATE_RULES)
    with pytest.raises(MissingEvidence):
        check_evidence(stage, GateEvidence(today, "  "), today, GATE_RULES)
    check_evidence(stage, GateEvidence(today, "南川发改投〔2025〕12号"), today, GATE_RULES)


@pytest.mark.parametrize("stage", [Stage.IMPLEMENTATION, Stage.COMPLETED])
def test_date_gates_need_only_a_date(stage: Stage) -> None:
    today = date(2025, 3, 1)
    check_evidence(stage, GateEvidence(today), today, GATE_RULES)


def test_evidence_may_not_be_dated_in_the_future() -> None:
    with pytest.raises(InvalidValue, match="after today"):
        check_evidence(
            Stage.IMPLEMENTATION, GateEvidence(date(2025, 3, 2)), date(2025, 3, 1), GATE_RULES
        )


def test_gate_rules_are_configuration() -> None:
    today = date(2025, 3, 1)
    relaxed = {**GATE_RULES, Stage.FEASIBILITY: GateRule(False)}
    check_evidence(Stage.FEASIBILITY, GateEvidence(today), today, relaxed)
