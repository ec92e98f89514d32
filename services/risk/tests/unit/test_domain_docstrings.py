"""Every public function of the domain says what it does (its imports: the import-linter
contracts in pyproject.toml; its size: ruff's complexity and statement-count rules)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import risk.domain
from qingshan_core.testing.source import parse_source

pytestmark = pytest.mark.unit

DOMAIN = Path(risk.domain.__file__).parent
FILES = sorted(DOMAIN.glob("*.py"))


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
