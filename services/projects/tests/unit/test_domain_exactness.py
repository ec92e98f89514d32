"""The domain keeps money exact and time handed in (its imports: the import-linter contracts in
pyproject.toml; its size: ruff's complexity and statement-count rules)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from qingshan_core.testing.source import parse_source

pytestmark = pytest.mark.unit

DOMAIN = Path(__file__).resolve().parents[2] / "src" / "projects" / "domain"
FILES = sorted(DOMAIN.glob("*.py"))


def test_domain_files_exist() -> None:
    assert len(FILES) > 10


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_no_float_and_no_clock(path: Path) -> None:
    # Money is Decimal and "now" is always handed in: a float() or a clock call is a bug here.
    tree = parse_source(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            assert node.func.id != "float", f"{path.name}:{node.lineno}"
        if isinstance(node, ast.Attribute):
            assert node.attr not in {"now", "utcnow", "today"}, f"{path.name}:{node.lineno}"
