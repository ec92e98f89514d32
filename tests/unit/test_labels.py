"""The labels users read are defined once, in the owning service's contract, and copied nowhere.

The catalogue is proto/qingshan/<owner>/v1/labels.proto, read through qingshan_core.labels.
Two checks: every value of the owners' enums has its label there (and nothing more), and no
source outside the catalogue writes a label again — a code mapped to its label, a run of one
vocabulary's labels, or a mapping that covers most of a vocabulary's codes with words of its own
(the way notify once said 12369平台 where complaints says 12369举报平台).
"""

from __future__ import annotations

import re
import subprocess
from enum import StrEnum
from pathlib import Path

import pytest

from complaints.domain import events as complaint_events
from complaints.domain import model as complaints
from complaints.domain import platform
from complaints.domain.policy import Stage as ComplaintStage
from projects.domain.stages import Stage as ProjectStage
from qingshan_core.labels import vocabularies
from risk.domain.grading_types import RiskLevel
from risk.domain.incident_rules import IncidentGrade, IncidentMedium

pytestmark = pytest.mark.unit
ROOT = Path(__file__).resolve().parents[2]

OWNED: dict[str, type[StrEnum]] = {
    "complaints.Channel": complaints.Channel,
    "complaints.Category": complaints.Category,
    "complaints.Urgency": complaints.Urgency,
    "complaints.Status": complaints.Status,
    "complaints.Action": complaints.Action,
    "complaints.Stage": ComplaintStage,
    "complaints.AlertLevel": complaint_events.AlertLevel,
    "complaints.UrgeLevel": platform.UrgeLevel,
    "complaints.PlatformStep": platform.Step,
    "risk.IncidentGrade": IncidentGrade,
    "risk.RiskLevel": RiskLevel,
    "risk.IncidentMedium": IncidentMedium,
    "projects.Stage": ProjectStage,
}
# Vocabularies whose codes are no owner's enum: the field names of complaints' rates answer.
NOT_ENUMS = {"complaints.Rate": {"assignment_rate", "on_time_reply_rate"}}

# Files that may name a vocabulary's codes with Chinese words of their own, and why.
OWN_WORDS = {
    # risk's own short names of the grades (特别重大 … 一般), which it accepts as input.
    "services/risk/src/risk/domain/incident_rules.py",
}
PAIR = re.compile(r"""["']([\w-]+)["']\s*:\s*["']([^"'\n]*[\u4e00-\u9fff][^"'\n]*)["']""")
LITERAL = re.compile(r"""["']([^"'\n]+)["']""")
SOURCES = (".py", ".html", ".js")


def test_every_value_of_the_owners_enums_has_its_label() -> None:
    catalogue = vocabularies()
    assert set(catalogue) == set(OWNED) | set(NOT_ENUMS)
    for name, enum in OWNED.items():
        assert set(catalogue[name]) == {v.value for v in enum}, name
    for name, codes in NOT_ENUMS.items():
        assert set(catalogue[name]) == codes, name


def test_the_owners_enums_read_their_labels_from_the_catalogue() -> None:
    assert complaints.Channel.PLATFORM_12369.label == "12369举报平台"
    assert complaints.Channel.APP.label == "移动应用"
    assert IncidentGrade.II.label == vocabularies()["risk.IncidentGrade"]["II"]
    assert ProjectStage.FEASIBILITY.zh == vocabularies()["projects.Stage"]["feasibility"]


def copies(path: str, text: str) -> list[str]:
    """Where a source writes a catalogue label again."""
    found: list[str] = []
    catalogue = vocabularies()
    for name, labels in catalogue.items():
        distinct = {code: zh for code, zh in labels.items() if code != zh}
        covered: dict[str, str] = {}
        for no, line in enumerate(text.splitlines(), 1):
            for code, words in PAIR.findall(line):
                if distinct.get(code) == words:
                    found.append(f"{path}:{no}: {code!r}: {words!r} copies {name}")
                elif code in distinct:
                    covered[code] = words
            literals = set(LITERAL.findall(line)) & set(distinct.values())
            if len(literals) >= 3:
                found.append(f"{path}:{no}: {sorted(literals)} copy {name}'s labels")
        enough = max(3, (len(distinct) + 1) // 2)
        if path.endswith(".py") and path not in OWN_WORDS and len(covered) >= enough:
            found.append(f"{path}: labels {name}'s codes {sorted(covered)} with words of its own")
    return found


def test_the_check_finds_a_copy() -> None:
    assert copies("x.py", 'CHANNELS = {"12369": "12369举报平台"}')
    assert copies("x.py", 'STAGES = ("储备", "可研", "初设")')
    diverged = '{"12345": "热线", "12369": "12369平台", "app": "移动端", "web": "网站"}'
    assert any("words of its own" in c for c in copies("x.py", diverged))
    assert not copies("x.py", "CHANNELS = labels_of('complaints.Channel')")


def test_no_source_copies_a_label() -> None:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "services", "libs"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    paths = [p for p in listed if "/src/" in p and p.endswith(SOURCES) and (ROOT / p).is_file()]
    assert len(paths) > 100  # the scan reads the services, not an empty list
    found = [c for p in paths for c in copies(p, (ROOT / p).read_text(encoding="utf-8"))]
    assert not found, "\n".join(found)
