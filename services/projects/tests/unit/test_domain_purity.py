"""The domain stays pure: no infrastructure imports, no float money, small files."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from qingshan_core.testing.source import parse_source

pytestmark = pytest.mark.unit

DOMAIN = Path(__file__).resolve().parents[2] / "src" / "projects" / "domain"
FILES = sorted(DOMAIN.glob("*.py"))
# Infrastructure belongs in adapters/ and entrypoints/; openpyxl is allowed (it parses bytes).
FORBIDDEN = ("fastapi", "pymongo", "aiokafka", "grpc", "motor", "httpx", "requests", "bson")


def _imports(path: Path) -> set[str]:
    tree = parse_source(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_domain_files_exist() -> None:
    assert len(FILES) > 10


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_no_infrastructure_imports(path: Path) -> None:
    assert not _imports(path) & set(FORBIDDEN)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_no_float_and_no_clock(path: Path) -> None:
    # Money is Decimal and "now" is always handed in: a float() or a clock call is a bug here.
    tree = parse_source(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            assert node.func.id != "float", f"{path.name}:{node.lineno}"
        if isinstance(node, ast.Attribute):
            assert node.attr not in {"now", "utcnow", "today"}, f"{path.name}:{node.lineno}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_files_stay_small(path: Path) -> None:
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 300
