"""Static checks of the service images (no Docker engine runs here): one Dockerfile for the four
services (services/Dockerfile, build argument SERVICE) is a multi-stage build on
python:3.11-slim with locked dependencies and generated protobuf code, whose final stage holds no
build tools, runs as an unprivileged user and starts the service it was built for on all
interfaces; .dockerignore lets in what the COPY lines need and nothing local."""

from __future__ import annotations

import fnmatch
import importlib
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("complaints", "projects", "risk", "notify")
DOCKERFILE = ROOT / "services" / "Dockerfile"

pytestmark = pytest.mark.unit


def instructions(svc: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the image of `svc` (the build argument SERVICE=svc put in),
    with continuation lines joined and comments dropped."""
    text = DOCKERFILE.read_text(encoding="utf-8").replace("${SERVICE}", svc)
    logical, current = [], ""
    for line in text.splitlines():
        if not current and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.lstrip().startswith("#"):
            continue
        current += line.rstrip("\\").strip() + " "
        if not line.endswith("\\"):
            logical.append(current.strip())
            current = ""
    return [(ln.split(" ", 1)[0].upper(), ln.split(" ", 1)[1]) for ln in logical]


def stages(svc: str) -> list[list[tuple[str, str]]]:
    out: list[list[tuple[str, str]]] = []
    for ins in instructions(svc):
        if ins[0] == "FROM":
            out.append([])
        if out:
            out[-1].append(ins)
    return out


def ignored(path: str) -> bool:
    """Docker's .dockerignore rule: the last matching pattern wins, `!` re-includes; a pattern
    matching a parent directory matches everything below it."""
    verdict = False
    for raw in (ROOT / ".dockerignore").read_text().splitlines():
        pattern = raw.strip()
        if not pattern or pattern.startswith("#"):
            continue
        negate = pattern.startswith("!")
        pattern = pattern.lstrip("!").rstrip("/")
        parts = path.split("/")
        prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
        if any(fnmatch.fnmatchcase(p, pattern) for p in prefixes):
            verdict = not negate
    return verdict


@pytest.mark.parametrize("svc", SERVICES)
def test_build_stage_uses_the_lock_and_generates_the_protobuf_code(svc: str) -> None:
    assert len(stages(svc)) >= 3, "uv image, build stage, runtime stage"
    build = next(s for s in stages(svc) if s[0][1].endswith(" AS build"))
    runs = " ".join(args for ins, args in build if ins == "RUN")
    assert f'uv sync --frozen --no-dev --package "qingshan-{svc}"' in runs
    assert "grpc_tools.protoc -I proto" in runs
    assert "--grpc_python_out=libs/contracts/src" in runs


def test_the_console_image_generates_the_contracts_its_labels_come_from() -> None:
    text = (ROOT / "services" / "console" / "Dockerfile").read_text(encoding="utf-8")
    assert "grpc_tools.protoc -I proto" in text
    assert "--python_out=libs/contracts/src" in text
    assert "COPY --from=build /app/libs/contracts/src /app/libs/contracts/src" in text


@pytest.mark.parametrize("svc", SERVICES)
def test_final_stage_is_slim_unprivileged_and_free_of_build_tools(svc: str) -> None:
    declared = [a.partition("=") for ins, a in instructions(svc) if ins == "ARG"]
    args = {name: default for name, _, default in declared}
    assert args["PYTHON_IMAGE"] == "python:3.11-slim"
    final = stages(svc)[-1]
    assert final[0] == ("FROM", "${PYTHON_IMAGE} AS runtime")
    body = " ".join(a for _, a in final)
    for tool in ("uv ", "pip ", "apt-get", "gcc", "grpc_tools", "build-essential"):
        assert tool not in body, f"{tool!r} in the runtime stage"
    users = [a for ins, a in final if ins == "USER"]
    assert users and re.fullmatch(r"[1-9][0-9]*:[1-9][0-9]*", users[-1]), users
    copies = [a for ins, a in final if ins == "COPY"]
    assert all(c.startswith("--from=") for c in copies), "runtime copies from stages only"


@pytest.mark.parametrize("svc", SERVICES)
def test_image_starts_the_service_it_was_built_for(svc: str) -> None:
    final = stages(svc)[-1]
    assert [a for ins, a in final if ins == "ENTRYPOINT"] == ['["python", "-m", "qingshan_core"]']
    env = dict(item.split("=", 1) for ins, a in final if ins == "ENV" for item in shlex.split(a))
    assert env["QINGSHAN_SERVICE"] == svc
    assert env["QINGSHAN_HTTP_HOST"] == "0.0.0.0"
    assert env.get("PYTHONDONTWRITEBYTECODE") == "1", "the root filesystem is read-only"
    # The image's listen address reaches the service's settings; its own variable still wins.
    settings = importlib.import_module(f"{svc}.config").Settings
    prefix = f"QINGSHAN_{svc.upper()}_"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("QINGSHAN_HTTP_HOST", "0.0.0.0")
        assert settings(environment="test").http_host == "0.0.0.0"
        mp.setenv(f"{prefix}HTTP_HOST", "10.0.0.7")
        assert settings(environment="test").http_host == "10.0.0.7"
    # The Deployment declares the ports the service's settings serve.
    deployment = yaml.safe_load(
        (ROOT / "deploy" / "k8s" / "base" / svc / "deployment.yaml").read_text(encoding="utf-8")
    )
    [container] = deployment["spec"]["template"]["spec"]["containers"]
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    fields = settings.model_fields
    assert ports == {"http": fields["http_port"].default, "grpc": fields["grpc_port"].default}


def test_launcher_runs_the_named_service_and_refuses_an_unknown_one() -> None:
    """`python -m qingshan_core` runs `python -m $QINGSHAN_SERVICE`: an unknown name is refused
    in one line; a known one is the service's own entry point (here it stops at its settings,
    which name what is missing)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("QINGSHAN_")}
    run = [sys.executable, "-m", "qingshan_core"]
    bad = subprocess.run(
        run, env={**env, "QINGSHAN_SERVICE": "console"}, capture_output=True, text=True
    )
    assert bad.returncode == 1 and "QINGSHAN_SERVICE must be one of" in bad.stderr
    started = subprocess.run(
        run, env={**env, "QINGSHAN_SERVICE": "risk"}, capture_output=True, text=True, timeout=60
    )
    assert started.returncode != 0
    assert "risk" in started.stderr and "environment" in started.stderr, started.stderr


@pytest.mark.parametrize("svc", ["projects", "risk"])
def test_reference_tables_reach_the_image_as_package_data(svc: str) -> None:
    """The tables live in the package (src/<svc>/data): the build copies the sources that hold
    them, the runtime stage copies those, and no build context from outside the repository."""
    tables = sorted((ROOT / "services" / svc / "src" / svc / "data").glob("*.csv"))
    assert tables
    build = next(s for s in stages(svc) if s[0][1].endswith(" AS build"))
    assert ("COPY", f"services/{svc}/src services/{svc}/src") in build
    final = stages(svc)[-1]
    assert ("COPY", f"--from=build /app/services/{svc}/src /app/services/{svc}/src") in final
    for table in tables:
        assert not ignored(str(table.relative_to(ROOT))), f"{table.name} is excluded"
    text = DOCKERFILE.read_text(encoding="utf-8")
    assert "--build-context" not in text and "seed-data" not in text


@pytest.mark.parametrize("svc", SERVICES)
def test_dockerignore_lets_in_what_copy_needs(svc: str) -> None:
    sources = []
    for stage in stages(svc):
        for ins, args in stage:
            if ins == "COPY" and not args.startswith("--from"):
                sources += [s for s in args.split()[:-1] if not s.startswith("--")]
    assert sources
    for src in sources:
        assert (ROOT / src).exists(), src
        assert not ignored(src.rstrip("/")), f"{src} is excluded by .dockerignore"
    for local in (
        ".venv",
        ".git",
        ".cache",
        ".run",
        "libs/contracts/src/qingshan/__init__.py",
        "services/complaints/tests",
        "libs/core/src/qingshan_core/__pycache__/x.pyc",
    ):
        assert ignored(local), f"{local} reaches the build context"


@pytest.mark.slow
def test_buildkit_linter_passes_the_dockerfiles_and_fails_a_broken_one(tmp_path: Path) -> None:
    """The linter `make k8s` runs (BuildKit's parser and lint rules, built from
    deploy/k8s/dockerfile-lint) accepts the services' and the console's Dockerfiles and rejects
    a sloppy one."""
    binary = ROOT / ".cache" / "dockerfile-lint" / "dockerfile-lint"
    if shutil.which("go") is None and not binary.exists():
        pytest.skip("Go is not installed: the Dockerfile linter cannot be built (CI has Go)")
    make = ["make", "--no-print-directory", "-s", str(binary.relative_to(ROOT))]
    built = subprocess.run(make, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stdout + built.stderr
    dockerfiles = [str(DOCKERFILE), str(ROOT / "services" / "console" / "Dockerfile")]
    ok = subprocess.run([binary, *dockerfiles], capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0, ok.stdout
    bad = tmp_path / "Dockerfile"
    bad.write_text("from python:3.11-slim as Runtime\nCMD python -m complaints\n")
    run = subprocess.run([binary, str(bad)], capture_output=True, text=True, timeout=60)
    assert run.returncode == 1
    assert "StageNameCasing" in run.stdout and "JSONArgsRecommended" in run.stdout
