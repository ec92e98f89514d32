"""The HJ 941 等级表征 label, e.g. `较大[一般-大气(Q1-M1-E2)+较大-水(Q2-M1-E1)]`."""

from __future__ import annotations

import re
from dataclasses import dataclass

from risk.domain.errors import ValidationError
from risk.domain.grading_rules import GradingRules
from risk.domain.grading_types import EClass, MClass, Medium, QClass, RiskLevel


@dataclass(frozen=True, slots=True)
class MediumResult:
    """The level of one medium and the classes it came from."""

    medium: Medium
    level: RiskLevel
    q: QClass
    m: MClass | None
    e: EClass | None


def format_medium(result: MediumResult, rules: GradingRules) -> str:
    """`<level>-<大气|水>(Qn-Mn-En)`; Q0 is `(Q0)` unless configured to keep M and E."""
    classes: list[str] = [result.q.value]
    if result.q is not QClass.Q0 or rules.q0_label_with_m_e:
        classes += [c.value for c in (result.m, result.e) if c is not None]
    return f"{result.level.value}-{result.medium.value}({'-'.join(classes)})"


def format_label(
    level: RiskLevel, air: MediumResult, water: MediumResult, rules: GradingRules
) -> str:
    """The whole label, half-width as in the standard's example; `level` is the final one."""
    return f"{level.value}[{format_medium(air, rules)}+{format_medium(water, rules)}]"


@dataclass(frozen=True, slots=True)
class ParsedMedium:
    """One medium token read back from a label; real filings sometimes omit the classes."""

    medium: Medium
    level: RiskLevel
    q: QClass | None
    m: MClass | None
    e: EClass | None


@dataclass(frozen=True, slots=True)
class ParsedLabel:
    """A label read back: the leading (final) level and the medium tokens found."""

    level: RiskLevel
    air: ParsedMedium | None
    water: ParsedMedium | None


_LEVELS = "|".join(level.value for level in RiskLevel)
_TOKEN = re.compile(
    rf"(?P<level>{_LEVELS})-(?P<medium>大气|水)"
    r"(?:\((?P<q>Q[0-3])(?:-(?P<m>M[1-4]))?(?:-(?P<e>E[1-3]))?\))?"
)
_WHOLE = re.compile(rf"^(?P<level>{_LEVELS})\[(?P<body>.*)\]$")
# Filings use full-width brackets and stray spaces: `较大 [较大-大气（Q2-M2-E3）较大-水]`.
_WIDTH = str.maketrans({"（": "(", "）": ")", "［": "[", "］": "]", "＋": "+", "－": "-"})


def parse_label(text: str) -> ParsedLabel:
    """Read a label in the standard's form or the looser forms seen in filings."""
    compact = re.sub(r"\s+", "", text.translate(_WIDTH))
    whole = _WHOLE.match(compact)
    if whole is None:
        raise _bad_label(text)
    body = whole["body"]
    parts: dict[Medium, ParsedMedium] = {}
    position = 0
    while position < len(body):
        if body[position] == "+":
            position += 1
            continue
        token = _TOKEN.match(body, position)
        if token is None:
            raise _bad_label(text)
        medium = Medium(token["medium"])
        if medium in parts:
            raise _bad_label(text)
        parts[medium] = ParsedMedium(
            medium=medium,
            level=RiskLevel(token["level"]),
            q=QClass(token["q"]) if token["q"] else None,
            m=MClass(token["m"]) if token["m"] else None,
            e=EClass(token["e"]) if token["e"] else None,
        )
        position = token.end()
    if not parts:
        raise _bad_label(text)
    return ParsedLabel(RiskLevel(whole["level"]), parts.get(Medium.AIR), parts.get(Medium.WATER))


def _bad_label(text: str) -> ValidationError:
    return ValidationError(
        "label",
        f"无法识别的风险等级表征：{text!r}",
        f"not a HJ 941 risk level label: {text!r}",
    )
