"""Fixtures for the Kubernetes manifest tests: the pinned kustomize, the checker, the overlays."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
SERVICES = ("complaints", "projects", "risk", "notify")


@pytest.fixture(scope="session")
def checker() -> ModuleType:
    """deploy/k8s/validate.py, the script `make k8s` runs."""
    spec = importlib.util.spec_from_file_location("qingshan_k8s_validate", K8S / "validate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def kustomize() -> str:
    """The pinned kustomize, installed by the Makefile (`go install`) when it is missing."""
    if shutil.which("go") is None and not list(ROOT.glob(".cache/kustomize-*/kustomize")):
        pytest.skip("Go is not installed: the pinned kustomize cannot be built (CI has Go)")
    run = subprocess.run(
        ["make", "--no-print-directory", "-s", "k8s-kustomize"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert run.returncode == 0, f"installing kustomize failed:\n{run.stdout}\n{run.stderr}"
    return run.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="session")
def rendered(checker: ModuleType, kustomize: str) -> dict[str, list[dict[str, Any]]]:
    """Every overlay rendered by kustomize: {"dev": [...], "prod": [...]}."""
    overlays = sorted(p for p in (K8S / "overlays").iterdir() if p.is_dir())
    return {p.name: checker.build(p, kustomize) for p in overlays}
