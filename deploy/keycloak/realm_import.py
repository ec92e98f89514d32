#!/usr/bin/env python3
"""Render the KeycloakRealmImport of deploy/k8s/components/keycloak from the one realm file.

    python3 deploy/keycloak/realm_import.py          # rewrite realm-import.json
    python3 deploy/keycloak/realm_import.py --check  # exit 1 when it is out of date

The realm is deploy/keycloak/qingshan-realm.json (what the local stack imports too, without its
demo users). In a cluster the console's address is the bureau's, not 127.0.0.1: its redirect
URIs and web origin become the operator placeholder ${CONSOLE_URL}; the client secrets stay the
placeholders the realm already has. All of them come from the Secret `qingshan-keycloak-realm`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
REALM = ROOT / "deploy" / "keycloak" / "qingshan-realm.json"
OUT = ROOT / "deploy" / "k8s" / "components" / "keycloak" / "realm-import.json"
SECRET = "qingshan-keycloak-realm"
PLACEHOLDERS = {
    "CONSOLE_URL": "console-url",
    "QINGSHAN_CITY_12345_SECRET": "city-12345-secret",
    "QINGSHAN_INTEGRATION_SECRET": "integration-secret",
    "QINGSHAN_CONSOLE_PUBLIC_SECRET": "console-public-secret",
}


def render() -> dict[str, Any]:
    realm = json.loads(REALM.read_text(encoding="utf-8"))
    for client in realm["clients"]:
        if client["clientId"] == "qingshan-console":
            client["redirectUris"] = ["${CONSOLE_URL}/*"]
            client["webOrigins"] = ["${CONSOLE_URL}"]
            client["attributes"]["post.logout.redirect.uris"] = "${CONSOLE_URL}/*"
    return {
        "apiVersion": "k8s.keycloak.org/v2alpha1",
        "kind": "KeycloakRealmImport",
        "metadata": {
            "name": "qingshan-realm",
            "labels": {"app.kubernetes.io/part-of": "qingshan"},
        },
        "spec": {
            "keycloakCRName": "qingshan-keycloak",
            "placeholders": {
                name: {"secret": {"name": SECRET, "key": key}} for name, key in PLACEHOLDERS.items()
            },
            "realm": realm,
        },
    }


def text() -> str:
    return json.dumps(render(), ensure_ascii=False, indent=2) + "\n"


if __name__ == "__main__":
    if sys.argv[1:] == ["--check"]:
        sys.exit(0 if OUT.read_text(encoding="utf-8") == text() else 1)
    OUT.write_text(text(), encoding="utf-8")
