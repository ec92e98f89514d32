"""Kubernetes and the identity provider: the services' issuer and audience come from their
ConfigMaps, the optional Keycloak component imports the repository's realm (without the local
stack's demo users), and the dev overlay's services pin the issuer that Keycloak announces."""

from __future__ import annotations

import importlib.util
import json
from typing import Any

import pytest

from .conftest import ROOT, SERVICES

pytestmark = pytest.mark.unit
Docs = list[dict[str, Any]]


def _realm_import() -> Any:
    spec = importlib.util.spec_from_file_location(
        "qingshan_realm_import", ROOT / "deploy" / "keycloak" / "realm_import.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def config(docs: Docs, svc: str) -> dict[str, str]:
    maps = [d for d in docs if d["kind"] == "ConfigMap" and d["metadata"]["name"].startswith(svc)]
    assert len(maps) == 1
    data: dict[str, str] = maps[0]["data"]
    return data


def test_the_realm_import_is_the_repository_realm() -> None:
    module = _realm_import()
    committed = json.loads(module.OUT.read_text(encoding="utf-8"))
    assert committed == module.render(), "run python3 deploy/keycloak/realm_import.py"
    realm = committed["spec"]["realm"]
    assert realm == {**json.loads(module.REALM.read_text()), "clients": realm["clients"]}
    assert not any("credentials" in u for u in realm["users"]), "no demo users in a cluster"
    assert {c["clientId"] for c in realm["clients"]} == {
        "qingshan-console",
        "qingshan-mobile",
        "city-12345",
        "qingshan-integration",
        "qingshan-console-public",  # the reporter pages' public-role client (credentials)
    }
    public = next(
        u for u in realm["users"] if u.get("serviceAccountClientId") == "qingshan-console-public"
    )
    assert public["realmRoles"] == ["public"]
    roles = {r["name"] for r in realm["roles"]["realm"]}
    assert roles == {"operator", "unit_handler", "supervisor", "admin", "integration", "public"}


@pytest.mark.parametrize("overlay", ["dev", "prod"])
def test_every_service_has_an_issuer_and_its_audience(
    rendered: dict[str, Docs], overlay: str
) -> None:
    for svc in SERVICES:
        data = config(rendered[overlay], svc)
        prefix = f"QINGSHAN_{svc.upper()}_"
        assert data[prefix + "OIDC_ISSUER"].startswith(("https://", "http://")), svc
        assert data[prefix + "OIDC_AUDIENCE"] == f"qingshan-{svc}"
        assert prefix + "JWT_SECRET" not in data


def test_dev_services_pin_the_issuer_of_the_dev_keycloak(rendered: dict[str, Docs]) -> None:
    docs = rendered["dev"]
    kc = next(d for d in docs if d["kind"] == "Keycloak")
    realm = next(d for d in docs if d["kind"] == "KeycloakRealmImport")
    assert realm["spec"]["keycloakCRName"] == kc["metadata"]["name"]
    issuer = f"{kc['spec']['hostname']['hostname']}/realms/{realm['spec']['realm']['realm']}"
    for svc in SERVICES:
        assert config(docs, svc)[f"QINGSHAN_{svc.upper()}_OIDC_ISSUER"] == issuer
    placeholders = realm["spec"]["placeholders"]
    secrets = {d["metadata"]["name"]: d for d in docs if d["kind"] == "Secret"}
    for ref in placeholders.values():
        assert ref["secret"]["key"] in secrets[ref["secret"]["name"]]["data"]


@pytest.mark.parametrize("overlay", ["dev", "prod"])
def test_the_console_signs_in_at_the_issuer_with_its_client(
    rendered: dict[str, Docs], overlay: str
) -> None:
    data = config(rendered[overlay], "console")
    assert data["QINGSHAN_CONSOLE_OIDC_ISSUER"].startswith(("https://", "http://"))
    assert data["QINGSHAN_CONSOLE_OIDC_CLIENT_ID"] == "qingshan-console"
    assert "QINGSHAN_CONSOLE_DEV_SIGNIN" not in data, "the demo sign-in is gone"
    assert not any("SECRET" in k for k in data), "secrets come from a Secret, not the ConfigMap"
    deployment = next(
        d
        for d in rendered[overlay]
        if d["kind"] == "Deployment" and d["metadata"]["name"] == "console"
    )
    env = {e["name"]: e for e in deployment["spec"]["template"]["spec"]["containers"][0]["env"]}
    for name in ("QINGSHAN_CONSOLE_SESSION_SECRET", "QINGSHAN_CONSOLE_OIDC_CLIENT_SECRET"):
        ref = env[name]["valueFrom"]["secretKeyRef"]
        assert ref["name"].startswith("qingshan-console"), ref  # dev: with its content hash
    if overlay == "dev":
        issuer = config(rendered[overlay], "complaints")["QINGSHAN_COMPLAINTS_OIDC_ISSUER"]
        assert data["QINGSHAN_CONSOLE_OIDC_ISSUER"] == issuer
    else:
        assert data["QINGSHAN_CONSOLE_PUBLIC_URL"].startswith("https://")
