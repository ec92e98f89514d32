"""The domain package stays pure: standard library, itself, the shared calendar and roles only."""

import ast
import sys
from pathlib import Path

import pytest

import complaints.domain
from qingshan_core.testing.source import parse_source

pytestmark = pytest.mark.unit

DOMAIN = Path(complaints.domain.__file__).parent
ALLOWED_PREFIXES = ("complaints.domain", "qingshan_core.workdays", "qingshan_core.roles")


def imported_modules(path: Path) -> list[str]:
    found: list[str] = []
    for node in ast.walk(parse_source(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
    return found


@pytest.mark.parametrize("path", sorted(DOMAIN.glob("*.py")), ids=lambda p: p.name)
def test_domain_imports_no_io_or_framework(path: Path) -> None:
    for module in imported_modules(path):
        root = module.split(".")[0]
        assert root in sys.stdlib_module_names or module.startswith(ALLOWED_PREFIXES), (
            f"{path.name} imports {module}"
        )


def test_domain_modules_stay_small() -> None:
    for path in DOMAIN.glob("*.py"):
        assert len(path.read_text(encoding="utf-8").splitlines()) <= 320, path.name
