"""A clone is self-contained: no tracked file refers to a path outside the repository (the
bureau's brief beside it, a developer's machine), so what passes here passes in a bare clone.

Three checks per tracked text file: named outside places (../shared, /work/…, DOMAIN.md);
relative paths (../…) that climb out of the repository from where they are used; and Python
path arithmetic from `__file__` (or from the repository root) that lands outside it.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path, PurePosixPath

import pytest

pytestmark = pytest.mark.unit
ROOT = Path(__file__).resolve().parents[2]
SELF = PurePosixPath("tests/unit/test_self_contained.py")

# Places that exist only beside the repository or on one machine.
NAMED = re.compile(
    r"\.\./shared\b"
    r"|\.\./seed(?:-data)?/"
    r"|\bshared/(?:seed-data|seed|docs)\b"
    r"|[\"']shared[\"']\s*/\s*[\"']seed"
    r"|/\s*[\"']shared[\"']"
    r"|(?<![\w.])/(?:work|home/\w+)/"
    r"|\bDOMAIN\.md\b"
    # climbing above the repository root or a checkout-relative root variable
    r"|\b(?:ROOT|REPO|REPO_ROOT|WORKSPACE|_repo_root\(\))\.parent\b"
)
RELATIVE = re.compile(r"(?<![\w./])((?:\.\./)+)[\w$({][^\s\"'`)\]]*")
CD = re.compile(r"\bcd\s+([\w./-]+)\s*&&")
FROM_FILE = re.compile(r"Path\(__file__\)\.resolve\(\)((?:\.parents\[\d+\])?(?:\.parent\b)*)")
# Files whose relative paths are read from the repository root (commands, build contexts).
# A Markdown link's target is relative to the file holding it, whatever FROM_ROOT says.
MD_LINK = re.compile(r"\]\(((?:\.\./)+[^)\s]*)\)")
FROM_ROOT = re.compile(r"(?:^|/)(?:Makefile|Dockerfile|[^/]+\.md|[^/]+\.sh)$|^\.ci/")


def _inside(path: PurePosixPath) -> bool:
    """Whether a repository-relative path (possibly with ..) stays inside the repository."""
    depth = 0
    for part in path.parts:
        depth += -1 if part == ".." else 0 if part == "." else 1
        if depth < 0:
            return False
    return True


def outside_references(name: str, text: str) -> list[str]:
    """Every reference in `text` (the tracked file `name`) to a path outside the repository."""
    here = PurePosixPath() if FROM_ROOT.search(name) else PurePosixPath(name).parent
    found = [f"{name}: {m.group(0)!r}" for m in NAMED.finditer(text)]
    for line in text.splitlines():
        if name.endswith(".md"):
            for m in MD_LINK.finditer(line):
                if not _inside(PurePosixPath(name).parent / m.group(1)):
                    found.append(f"{name}: {m.group(1)!r} links out of the repository")
            line = MD_LINK.sub("]()", line)
        cd = CD.search(line)
        base = here / cd.group(1) if cd else here
        for m in RELATIVE.finditer(line):
            if not _inside(base / m.group(0)):
                found.append(f"{name}: {m.group(0)!r} climbs out of the repository")
    if name.endswith(".py"):
        for m in FROM_FILE.finditer(text):
            # steps up from the file itself: .parent is one, .parents[n] is n + 1
            steps = m.group(1).count(".parent") - m.group(1).count(".parents[")
            steps += sum(int(n) + 1 for n in re.findall(r"\.parents\[(\d+)\]", m.group(1)))
            if steps > len(PurePosixPath(name).parts):
                found.append(f"{name}: {m.group(0)!r} points above the repository")
    return found


def tracked_files() -> list[str]:
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: nothing says which files are tracked")
    out = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True, timeout=60
    )
    return [n for n in out.stdout.decode().split("\0") if n]


def test_no_tracked_file_refers_outside_the_repository() -> None:
    names = tracked_files()
    assert len(names) > 100, "git ls-files listed almost nothing"
    problems = []
    for name in names:
        if PurePosixPath(name) == SELF or not (ROOT / name).is_file():
            continue
        try:
            text = (ROOT / name).read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # binary
        problems += outside_references(name, text)
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("services/risk/src/risk/config.py", 'return parent.parent / "shared" / "seed-data"'),
        ("services/projects/tests/unit/conftest.py", 'SEED = REPO.parent / "shared"'),
        ("services/projects/Dockerfile", "#   --build-context seed-data=../shared/seed-data"),
        ("deploy/k8s/README.md", "docker build --build-context x=../elsewhere ."),
        ("deploy/k8s/base/risk/kustomization.yaml", "resources:\n  - ../../../../shared-k8s\n"),
        ("Makefile", "\tcp /work/shared/seed-data/x.csv data/"),
        ("services/x/README.md", "See `DOMAIN.md` §2."),
        ("libs/core/src/qingshan_core/x.py", "ROOT = Path(__file__).resolve().parents[4].parent"),
        ("libs/core/src/qingshan_core/x.py", "ROOT = Path(__file__).resolve().parents[5]"),
        ("bench/run.py", "ROOT = Path(__file__).resolve().parent.parent.parent"),
        ("services/risk/README.md", "see [the brief](../../../shared/docs/x.md)"),
    ],
)
def test_each_kind_of_outside_reference_is_caught(name: str, text: str) -> None:
    assert outside_references(name, text), text


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("deploy/k8s/overlays/dev/kustomization.yaml", "resources:\n  - ../../base/risk\n"),
        ("Makefile", "\tcd proto && ../$(BUF) lint"),
        ("libs/core/src/qingshan_core/testing/plugin.py", "Path(__file__).resolve().parents[5]"),
        ("bench/run.py", "ROOT = Path(__file__).resolve().parent.parent"),
        ("services/notify/tests/unit/conftest.py", '"""The builder is in ../conftest.py."""'),
        ("docs/codes.md", "see SOURCE.md in `services/risk/src/risk/data/`"),
        ("services/risk/README.md", "see [grades](../../docs/grades.md)"),
    ],
)
def test_paths_inside_the_repository_are_fine(name: str, text: str) -> None:
    assert outside_references(name, text) == []
