"""The development realm of the local Keycloak and what `make token` and `make run` say of it.

Standard library only (stack.py imports it before the virtualenv exists). The realm is
deploy/keycloak/qingshan-realm.json (what a deployment imports too) plus
deploy/local/keycloak/development.json (demo users, the `make token` client, the client secrets
and the bootstrap admin of local stacks), never deployed.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
REALM = "qingshan"
REALM_FILE = ROOT / "deploy" / "keycloak" / "qingshan-realm.json"
DEVELOPMENT_FILE = HERE / "keycloak" / "development.json"
# The `make token` client (development realm only) and the integrations' client.
TOKEN_CLIENT = "qingshan-dev-cli"
INTEGRATION_CLIENT = "qingshan-integration"


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
