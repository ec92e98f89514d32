"""The domain stays pure: standard library and itself only, small files, docstrings."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

import risk.domain
from qingshan_core.testing.source import parse_source

pytestmark = pytest.mark.unit

DOMAIN = Path(risk.domain.__file__).parent
FILES = sorted(DOMAIN.glob("*.py"))


def _imports(path: Path) -> set[str]:
    tree = parse_source(path.read_text("utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_only_stdlib_and_domain_imports(path: Path) -> None:
    for name in _imports(path):
        top = name.split(".")[0]
        assert top in sys.stdlib_module_names or name.startswith("risk.domain"), name


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_files_stay_small(path: Path) -> None:
    assert len(path.read_text("utf-8").splitlines()) <= 300


def _public_callables(tree: ast.Module) -> list[ast.FunctionDef]:
    found: list[ast.FunctionDef] = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
            found.append(node)
        elif isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
            found.extend(
                item
                for item in node.body
                if isinstance(item, ast.FunctionDef) and not item.name.startswith("_")
            )
    return found


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_public_functions_have_docstrings(path: Path) -> None:
    tree = parse_source(path.read_text("utf-8"))
    for node in _public_callables(tree):
        assert ast.get_docstring(node), f"{path.name}:{node.lineno} {node.name}"
