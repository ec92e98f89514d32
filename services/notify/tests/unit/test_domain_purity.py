"""The domain package stays pure: the standard library and itself only."""

import ast
import sys
from pathlib import Path

import pytest

import notify.domain
from qingshan_core.testing.source import parse_source

pytestmark = pytest.mark.unit

DOMAIN = Path(notify.domain.__file__).parent


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
        assert root in sys.stdlib_module_names or module.startswith("notify.domain"), (
            f"{path.name} imports {module}"
        )


def test_service_layer_imports_no_io_or_framework() -> None:
    layer = DOMAIN.parent / "service_layer"
    for path in layer.glob("*.py"):
        for module in imported_modules(path):
            root = module.split(".")[0]
            assert root in sys.stdlib_module_names or root == "notify", f"{path.name}: {module}"
            assert not module.startswith(("notify.adapters", "notify.entrypoints")), path.name


def test_modules_stay_small() -> None:
    for path in DOMAIN.parent.rglob("*.py"):
        assert len(path.read_text(encoding="utf-8").splitlines()) <= 320, path.name
