"""The suite's identity provider: the real Keycloak the stack started (`make test` exports its
issuer as QINGSHAN_TEST_OIDC_ISSUER), and what tests ask of it.

- `token(role, unit)`: a real access token, from the role's demo user of the development realm
  (deploy/local/keycloak/development.json), or for `integration` from client credentials.
- `signing_key()`: an RSA key the test holds, added to the realm through Keycloak's admin API
  (priority 1: Keycloak keeps signing with its own key) so that it is published in the realm's
  real JWKS. Tokens the provider would never issue (expired, not yet valid, a 100-year lifetime,
  another issuer) are signed with it and must be refused for their claims, not their key.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

ROOT = Path(__file__).resolve().parents[5]
DEVELOPMENT = ROOT / "deploy" / "local" / "keycloak" / "development.json"
TOKEN_CLIENT = "qingshan-dev-cli"
INTEGRATION_CLIENT = "qingshan-integration"


def development() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DEVELOPMENT.read_text(encoding="utf-8"))
    return data


@dataclass
class TestKey:
    """A private key whose public half the provider publishes under `kid`."""

    __test__ = False  # not a test class
    kid: str
    pem: bytes
    component_id: str

    def sign(self, claims: dict[str, Any]) -> str:
        return jwt.encode(claims, self.pem, algorithm="RS256", headers={"kid": self.kid})


@dataclass
class Provider:
    issuer: str
    _cache: dict[tuple[str, str | None], tuple[float, str]] = field(default_factory=dict)

    @property
    def base(self) -> str:
        return self.issuer.split("/realms/")[0]

    @property
    def realm(self) -> str:
        return self.issuer.rsplit("/", 1)[1]

    async def _token(self, form: dict[str, str], realm: str | None = None) -> str:
        url = f"{self.base}/realms/{realm or self.realm}/protocol/openid-connect/token"
        async with httpx.AsyncClient(timeout=15) as c:
            r = await c.post(url, data=form)
        assert r.status_code == 200, f"Keycloak refused {form.get('grant_type')}: {r.text}"
        return str(r.json()["access_token"])

    async def password(self, username: str, password: str) -> str:
        """A demo user's token from the `make token` client (password grant)."""
        return await self._token(
            {
                "grant_type": "password",
                "client_id": TOKEN_CLIENT,
                "username": username,
                "password": password,
                "scope": "openid",
            }
        )

    async def client_credentials(self, client_id: str, secret: str) -> str:
        return await self._token(
            {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
        )

    async def token(self, role: str, unit: str | None = None) -> str:
        """A real token acting in `role` (cached while it has more than a minute left)."""
        key = (role, unit)
        hit = self._cache.get(key)
        if hit and hit[0] > time.time() + 60:
            return hit[1]
        dev = development()
        if role == "integration":
            secret = dev["client_secrets"]["QINGSHAN_INTEGRATION_SECRET"]
            token = await self.client_credentials(INTEGRATION_CLIENT, secret)
        else:
            user = next(
                u
                for u in dev["users"]
                if role in u["realmRoles"]
                and (unit is None or unit in u.get("attributes", {}).get("unit", []))
            )
            token = await self.password(user["username"], user["credentials"][0]["value"])
        exp = float(jwt.decode(token, options={"verify_signature": False})["exp"])
        self._cache[key] = (exp, token)
        return token

    async def _admin(self) -> httpx.AsyncClient:
        admin = development()["bootstrap_admin"]
        form = {
            "grant_type": "password",
            "client_id": "admin-cli",
            "username": admin["username"],
            "password": admin["password"],
        }
        token = await self._token(form, realm="master")
        return httpx.AsyncClient(
            base_url=f"{self.base}/admin/realms/{self.realm}",
            headers={"Authorization": f"Bearer {token}"},
            timeout=15,
        )

    async def add_signing_key(self) -> TestKey:
        """Publish a key of the test's own in the realm's JWKS (see the module docstring)."""
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
        name = f"test-key-{uuid.uuid4().hex[:8]}"
        async with await self._admin() as c:
            realm_id = (await c.get("")).json()["id"]
            r = await c.post(
                "/components",
                json={
                    "name": name,
                    "providerId": "rsa",
                    "providerType": "org.keycloak.keys.KeyProvider",
                    "parentId": realm_id,
                    "config": {
                        "priority": ["1"],
                        "enabled": ["true"],
                        "active": ["true"],
                        "algorithm": ["RS256"],
                        "privateKey": [pem.decode()],
                    },
                },
            )
            assert r.status_code == 201, r.text
            component_id = r.headers["location"].rsplit("/", 1)[1]
            keys = (await c.get("/keys")).json()["keys"]
        kid = next(k["kid"] for k in keys if k.get("providerId") == component_id)
        return TestKey(kid, pem, component_id)

    async def remove_signing_key(self, key: TestKey) -> None:
        async with await self._admin() as c:
            await c.delete(f"/components/{key.component_id}")
