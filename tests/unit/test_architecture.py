"""The domain layers stay pure: no I/O frameworks imported from any service's domain/ package."""

from __future__ import annotations

import functools
import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit
ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = ("fastapi", "starlette", "pymongo", "motor", "aiokafka", "grpc", "httpx", "uvicorn")


_LIST_IMPORTS = """
import ast, json, sys
out = {}
for path in sys.argv[1:]:
    names = set()
    for node in ast.walk(ast.parse(open(path, encoding="utf-8").read())):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    out[path] = sorted(names)
print(json.dumps(out))
"""


@functools.cache
def _all_imports() -> dict[str, list[str]]:
    # Parsed in a fresh interpreter: CPython 3.11.7's ast.parse can fail with "AST constructor
    # recursion depth mismatch" late in a long test session (a finalizer ran mid-parse).
    files = [str(p) for p in domain_files()]
    run = subprocess.run(
        [sys.executable, "-c", _LIST_IMPORTS, *files], capture_output=True, text=True, check=True
    )
    return json.loads(run.stdout)


def _imports(path: Path) -> set[str]:
    return set(_all_imports()[str(path)])


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
