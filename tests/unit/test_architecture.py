"""The domain layers stay pure: no I/O frameworks imported from any service's domain/ package."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from qingshan_core.testing.source import parse_source

pytestmark = pytest.mark.unit
ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = ("fastapi", "starlette", "pymongo", "motor", "aiokafka", "grpc", "httpx", "uvicorn")


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(parse_source(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def domain_files() -> list[Path]:
    return sorted(ROOT.glob("services/*/src/*/domain/**/*.py"))


def test_there_are_domain_layers_to_check():
    assert {p.relative_to(ROOT).parts[1] for p in domain_files()} == {
        "complaints",
        "projects",
        "risk",
        "notify",
    }


@pytest.mark.parametrize("path", domain_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_domain_module_imports_no_io_framework(path: Path):
    bad = {n for n in _imports(path) if n.split(".")[0] in FORBIDDEN}
    assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"
