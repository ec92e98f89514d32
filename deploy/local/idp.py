"""Keycloak, the local OpenID Connect provider: fetched, built once, started per profile.

Standard library only (stack.py imports it before the virtualenv exists).

- `fetch()` downloads `org.keycloak:keycloak-quarkus-dist` (tar.gz) from Maven Central with
  `mvn dependency:copy`, unpacks it under the cache and runs `kc.sh build` once with BUILD_OPTIONS,
  so every start is an `--optimized` one.
- Each profile gets a home of its own under .run/<profile>/keycloak/ (its conf, its H2 database,
  its import directory); `lib/` is a link to the cached build.
- The realm (idp_realm.py) is imported once into an H2 database template under the cache
  (`kc.sh import`); a profile's database starts as a copy of it, and `--import-realm` at start
  imports the realm only into a database that lacks it.
- Keycloak 26 needs Java 21 or newer: `java_home()` looks for one and says so when there is none.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
# The realm and its demo users (sibling module); re-exported for stack.py and services.py.
from idp_realm import (
    DEVELOPMENT_FILE,
    REALM,
    REALM_FILE,
    demo_user,
    describe,
    development,
    issuer,
    realm,
    token,
)

__all__ = ["demo_user", "describe", "issuer", "token"]
HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CACHE = Path(os.environ.get("QINGSHAN_CACHE", ROOT / ".cache"))
VERSION = "26.5.6"
MIN_JAVA = 21
# Build-time options (`kc.sh build`): an embedded H2 file database and a local cache (one node,
# no cluster discovery). Nothing is exposed on the management interface, so it stays closed.
BUILD_OPTIONS = ["--db=dev-file", "--cache=local"]


def log(msg: str) -> None:
    print(f"[stack] {msg}", flush=True)


def dist() -> Path:
    """The unpacked, built distribution (one per version and build options)."""
    key = "-".join(o.split("=")[-1] for o in BUILD_OPTIONS)
    return CACHE / f"keycloak-{VERSION}-{key}" / f"keycloak-{VERSION}"


def _java_version(java: Path) -> int | None:
    try:
        out = subprocess.run(
            [str(java), "-version"], capture_output=True, text=True, timeout=20
        ).stderr
    except (OSError, subprocess.SubprocessError):
        return None
    m = re.search(r'version "(\d+)', out)
    return int(m.group(1)) if m else None


def java_home() -> Path:
    """A JDK of version 21 or newer: $QINGSHAN_KEYCLOAK_JAVA_HOME, $JAVA_HOME, then /usr/lib/jvm/*
    (these machines carry a Temurin 25 beside the default Java 17)."""
    candidates: list[Path] = []
    for var in ("QINGSHAN_KEYCLOAK_JAVA_HOME", "JAVA_HOME"):
        if os.environ.get(var):
            candidates.append(Path(os.environ[var]))
    jvm = Path("/usr/lib/jvm")
    if jvm.is_dir():
        candidates += sorted(jvm.iterdir(), reverse=True)
    on_path = shutil.which("java")
    if on_path:
        candidates.append(Path(on_path).resolve().parent.parent)
    seen: list[str] = []
    for home in candidates:
        java = home / "bin" / "java"
        if not java.exists() or str(home) in seen:
            continue
        seen.append(str(home))
        version = _java_version(java)
        if version is not None and version >= MIN_JAVA:
            return home
    raise SystemExit(
        f"Keycloak {VERSION} needs Java {MIN_JAVA} or newer, and none was found (looked at "
        f"$QINGSHAN_KEYCLOAK_JAVA_HOME, $JAVA_HOME, /usr/lib/jvm/*, java on PATH: "
        f"{', '.join(seen) or 'nothing'}). Install a JDK {MIN_JAVA}+ and set "
        "QINGSHAN_KEYCLOAK_JAVA_HOME to it."
    )


def fetch() -> Path:
    """Download, unpack and build Keycloak once, and the realm's database template; returns
    the built distribution."""
    home = _fetch_dist()
    build_template()
    return home


def _fetch_dist() -> Path:
    home = dist()
    if (home / ".complete").exists():
        return home
    base = home.parent
    base.mkdir(parents=True, exist_ok=True)
    archive = base / f"keycloak-quarkus-dist-{VERSION}.tar.gz"
    if not archive.exists():
        log(f"fetching Keycloak {VERSION} (keycloak-quarkus-dist tar.gz) from Maven Central")
        subprocess.run(
            [
                "mvn",
                "-q",
                "-B",
                "-Dstyle.color=never",
                "dependency:copy",
                f"-Dartifact=org.keycloak:keycloak-quarkus-dist:{VERSION}:tar.gz",
                f"-DoutputDirectory={base}",
            ],
            cwd=base,
            check=True,
        )
    partial = base / "unpack.partial"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir()
    with tarfile.open(archive) as tar:
        tar.extractall(partial, filter="tar")
    built = partial / f"keycloak-{VERSION}"
    log(f"building Keycloak {VERSION} ({' '.join(BUILD_OPTIONS)}), once")
    env = _env()
    res = subprocess.run(
        [str(built / "bin" / "kc.sh"), "build", *BUILD_OPTIONS],
        env=env,
        capture_output=True,
        text=True,
    )
    if res.returncode != 0:
        raise SystemExit(f"kc.sh build failed:\n{res.stdout[-3000:]}{res.stderr[-3000:]}")
    shutil.rmtree(home, ignore_errors=True)
    built.rename(home)
    shutil.rmtree(partial, ignore_errors=True)
    archive.unlink()
    (home / ".complete").touch()
    return home


def template() -> Path:
    """The development realm, imported into an H2 database once per realm version."""
    h = hashlib.sha256(REALM_FILE.read_bytes() + DEVELOPMENT_FILE.read_bytes()).hexdigest()[:12]
    return CACHE / f"keycloak-{VERSION}-realm-{h}" / "h2"


def build_template() -> Path:
    """`kc.sh import` of the development realm into a fresh H2 database (schema migration and
    import, no server), copied into a profile's home on its first start: a wiped stack (every
    `make test`) then starts without migrating the schema and importing the realm again."""
    out = template()
    if (out.parent / ".complete").exists():
        return out
    work = out.parent / "partial"
    shutil.rmtree(work, ignore_errors=True)
    home = _home(work)
    log(f"importing the development realm into a Keycloak database template ({out})")
    realm_file = home / "data" / "import" / f"{REALM}-realm.json"
    res = subprocess.run(
        [
            *_kc(home),
            "import",
            "--optimized",
            f"--file={realm_file}",
            f"--db-url={_db_url(home / 'data' / 'h2')}",
        ],
        env=_env(),
        capture_output=True,
        text=True,
    )
    if res.returncode != 0:
        raise SystemExit(f"kc.sh import failed:\n{res.stdout[-3000:]}{res.stderr[-3000:]}")
    shutil.rmtree(out, ignore_errors=True)
    (home / "data" / "h2").rename(out)
    shutil.rmtree(work, ignore_errors=True)
    (out.parent / ".complete").touch()
    return out


def _db_url(h2: Path) -> str:
    return f"jdbc:h2:file:{h2 / 'keycloakdb'};NON_KEYWORDS=VALUE"


def _kc(home: Path) -> list[str]:
    return [
        str(dist() / "bin" / "kc.sh"),
        f"-Dkc.home.dir={home}",
        f"-Djboss.server.config.dir={home / 'conf'}",
    ]


def _env() -> dict[str, str]:
    dev = development()
    env = dict(os.environ, JAVA_HOME=str(java_home()), **dev["client_secrets"])
    # The master realm's first admin, created with the database (the template's import).
    env["KC_BOOTSTRAP_ADMIN_USERNAME"] = dev["bootstrap_admin"]["username"]
    env["KC_BOOTSTRAP_ADMIN_PASSWORD"] = dev["bootstrap_admin"]["password"]
    # C1 only, as for the local Kafka: a faster start on a busy two-core machine, less memory.
    env.setdefault("JAVA_OPTS_APPEND", "-XX:TieredStopAtLevel=1")
    return env


def profile_home(run_dir: Path) -> Path:
    """A profile's Keycloak home (own conf, data, import directory; lib/ is the cached build),
    its database started from the template when it has none yet."""
    home = _home(run_dir / "keycloak")
    h2 = home / "data" / "h2"
    if not h2.exists() and (template().parent / ".complete").exists():
        shutil.copytree(template(), h2)
    return home


def _home(home: Path) -> Path:
    for sub in ("conf", "data/import", "providers", "themes"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    lib = home / "lib"
    if lib.is_symlink() or lib.exists():
        lib.unlink()
    lib.symlink_to(dist() / "lib")
    (home / "data" / "import" / f"{REALM}-realm.json").write_text(
        json.dumps(realm(), ensure_ascii=False), encoding="utf-8"
    )
    return home


def command(run_dir: Path, port: int) -> tuple[list[str], dict[str, str]]:
    """argv and environment of one profile's Keycloak (production mode, optimized, HTTP on
    127.0.0.1 with a fixed hostname so the issuer never depends on how it was reached)."""
    home = profile_home(run_dir)
    env = _env()
    env.setdefault(
        "JAVA_OPTS_KC_HEAP", os.environ.get("QINGSHAN_KEYCLOAK_HEAP", "-Xms64m -Xmx512m")
    )
    argv = [
        *_kc(home),
        "start",
        "--optimized",
        "--http-enabled=true",
        "--http-host=127.0.0.1",
        f"--http-port={port}",
        f"--hostname=http://127.0.0.1:{port}",
        f"--db-url={_db_url(home / 'data' / 'h2')}",
        "--import-realm",  # skipped when the realm exists (the template holds it)
    ]
    return argv, env


def ready(port: int) -> bool:
    """The realm's discovery document answers (the realm was imported and the server is up)."""
    url = f"{issuer(port)}/.well-known/openid-configuration"
    try:
        with urllib.request.urlopen(url, timeout=2) as resp:
            return bool(resp.status == 200)
    except (urllib.error.URLError, OSError):
        return False
