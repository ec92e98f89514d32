"""Keycloak, the local OpenID Connect provider: fetched, built once, started per profile.

Standard library only (stack.py imports it before the virtualenv exists).

- `fetch()` downloads `org.keycloak:keycloak-quarkus-dist` (tar.gz) from Maven Central with
  `mvn dependency:copy`, unpacks it under the cache and runs `kc.sh build` once with BUILD_OPTIONS,
  so every start is an `--optimized` one.
- Each profile gets a home of its own under .run/<profile>/keycloak/ (its conf, its H2 database,
  its import directory); `lib/` is a link to the cached build.
- The realm is deploy/keycloak/qingshan-realm.json (what a deployment imports too) plus
  deploy/local/keycloak/development.json (demo users, the `make token` client), merged into the
  profile's import directory and imported at start when the realm does not exist yet.
- Keycloak 26 needs Java 21 or newer: `java_home()` looks for one and says so when there is none.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tarfile
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CACHE = Path(os.environ.get("QINGSHAN_CACHE", ROOT / ".cache"))
VERSION = "26.5.6"
REALM = "qingshan"
REALM_FILE = ROOT / "deploy" / "keycloak" / "qingshan-realm.json"
DEVELOPMENT_FILE = HERE / "keycloak" / "development.json"
MIN_JAVA = 21
# Build-time options (`kc.sh build`): an embedded H2 file database and a local cache (one node,
# no cluster discovery). Nothing is exposed on the management interface, so it stays closed.
BUILD_OPTIONS = ["--db=dev-file", "--cache=local"]
# The `make token` client (development realm only) and which demo user stands for which role.
TOKEN_CLIENT = "qingshan-dev-cli"
INTEGRATION_CLIENT = "qingshan-integration"


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
    """Download, unpack and build Keycloak once; returns the built distribution."""
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
    env = dict(os.environ, JAVA_HOME=str(java_home()))
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


def development() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DEVELOPMENT_FILE.read_text(encoding="utf-8"))
    return data


def realm() -> dict[str, Any]:
    """The development realm: the deployed realm plus demo users and the `make token` client."""
    rep: dict[str, Any] = json.loads(REALM_FILE.read_text(encoding="utf-8"))
    dev = development()
    rep["clients"] = [*rep.get("clients", []), *dev["clients"]]
    rep["users"] = [*rep.get("users", []), *dev["users"]]
    return rep


def issuer(port: int) -> str:
    return f"http://127.0.0.1:{port}/realms/{REALM}"


def profile_home(run_dir: Path) -> Path:
    """A profile's Keycloak home: own conf, data and import directory; lib/ is the cached build."""
    home = run_dir / "keycloak"
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
    dev = development()
    env = dict(os.environ, JAVA_HOME=str(java_home()), **dev["client_secrets"])
    env["KC_BOOTSTRAP_ADMIN_USERNAME"] = dev["bootstrap_admin"]["username"]
    env["KC_BOOTSTRAP_ADMIN_PASSWORD"] = dev["bootstrap_admin"]["password"]
    env.setdefault(
        "JAVA_OPTS_KC_HEAP", os.environ.get("QINGSHAN_KEYCLOAK_HEAP", "-Xms64m -Xmx512m")
    )
    db = home / "data" / "h2" / "keycloakdb"
    argv = [
        str(dist() / "bin" / "kc.sh"),
        f"-Dkc.home.dir={home}",
        f"-Djboss.server.config.dir={home / 'conf'}",
        "start",
        "--optimized",
        "--http-enabled=true",
        "--http-host=127.0.0.1",
        f"--http-port={port}",
        f"--hostname=http://127.0.0.1:{port}",
        f"--db-url=jdbc:h2:file:{db};NON_KEYWORDS=VALUE",
        "--import-realm",
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


def demo_user(role: str, unit: str | None) -> dict[str, Any]:
    """The development realm's demo user acting in `role` (for unit handlers: of `unit`)."""
    for user in development()["users"]:
        units = user.get("attributes", {}).get("unit", [])
        if role in user["realmRoles"] and (unit is None or unit in units):
            return dict(user)
    raise SystemExit(f"no demo user for role {role!r}{f' and unit {unit!r}' if unit else ''}")


def token(port: int, role: str, unit: str | None = None) -> str:
    """An access token from the profile's Keycloak: `integration` by client credentials (a
    service account, as integrations get theirs), every other role as its demo user."""
    if role == "integration":
        secret = development()["client_secrets"]["QINGSHAN_INTEGRATION_SECRET"]
        form = {"grant_type": "client_credentials", "client_id": INTEGRATION_CLIENT}
        form["client_secret"] = secret
    else:
        user = demo_user(role, unit if role == "unit_handler" else None)
        form = {"grant_type": "password", "client_id": TOKEN_CLIENT, "scope": "openid"}
        form.update(username=user["username"], password=user["credentials"][0]["value"])
    req = urllib.request.Request(
        f"{issuer(port)}/protocol/openid-connect/token",
        data=urllib.parse.urlencode(form).encode(),
    )
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return str(json.loads(resp.read())["access_token"])
    except urllib.error.HTTPError as exc:
        raise SystemExit(f"Keycloak refused the token request: {exc.read().decode()}") from exc
    except OSError as exc:
        raise SystemExit(
            f"Keycloak not reachable at {issuer(port)} ({exc}); `make run` first"
        ) from exc


def describe(port: int) -> str:
    """What `make run` prints about the provider: issuer, admin console, demo users."""
    dev = development()
    admin = dev["bootstrap_admin"]
    lines = [
        f"  Keycloak   issuer {issuer(port)}",
        f"             admin console http://127.0.0.1:{port}/admin/  "
        f"({admin['username']} / {admin['password']})",
        "  demo users (username / password, role):",
    ]
    for user in dev["users"]:
        unit = user.get("attributes", {}).get("unit", [""])[0]
        role = user["realmRoles"][0] + (f" {unit}" if unit else "")
        lines.append(
            f"             {user['username']} / {user['credentials'][0]['value']}  ({role})"
        )
    lines.append(
        f"             integrations: client credentials, {INTEGRATION_CLIENT} / "
        f"{dev['client_secrets']['QINGSHAN_INTEGRATION_SECRET']}"
    )
    return "\n".join(lines)
