"""The console's session cookie (encrypted and authenticated, aged) and the settings that keep
development parts out of every other environment."""

from __future__ import annotations

import time

import pytest
from cryptography import fernet
from pydantic import ValidationError

from console.config import DEV_PUBLIC_CLIENT_SECRET, DEV_SESSION_SECRET, Settings
from console.cookie_session import SessionCodec

pytestmark = pytest.mark.unit
ISSUER = "https://id.example.gov.cn/realms/qingshan"
SESSION = {
    "tokens": {"access_token": "a" * 1200, "refresh_token": "r" * 650, "id_token": "i" * 1100},
    "person": {"sub": "u-1", "role": "unit_handler", "unit": "town-01", "name": "东城街道 承办人"},
}


def test_a_session_comes_back_as_it_was_written() -> None:
    codec = SessionCodec("s" * 40, 3600)
    value = codec.encode(SESSION)
    assert codec.decode(value) == SESSION
    assert "town-01" not in value and "承办人" not in value  # encrypted, not only signed


def test_forged_tampered_and_old_cookies_open_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    codec = SessionCodec("s" * 40, 3600)
    value = codec.encode(SESSION)
    assert SessionCodec("another secret of forty characters......", 3600).decode(value) is None
    assert codec.decode(value[:-6] + ("A" * 6 if not value.endswith("A" * 6) else "B" * 6)) is None
    assert codec.decode("not-a-cookie") is None
    assert codec.decode("说") is None
    now = time.time()
    monkeypatch.setattr(fernet.time, "time", lambda: now - 7200)  # written two hours ago
    stale = codec.encode(SESSION)
    monkeypatch.undo()
    assert codec.decode(stale) is None  # older than the session's maximum age


def test_real_sized_tokens_fit_one_cookie() -> None:
    import base64
    import os

    tokens = {
        k: base64.urlsafe_b64encode(os.urandom(n)).decode()
        for k, n in (("access_token", 880), ("refresh_token", 470), ("id_token", 820))
    }
    value = SessionCodec("s" * 40, 3600).encode({**SESSION, "tokens": tokens})
    assert len(value) < 4000 - 100  # name and attributes fit beside it


def _production(**over: object) -> Settings:
    values: dict[str, object] = {
        "environment": "production",
        "oidc_issuer": ISSUER,
        "session_secret": "x" * 40,
        "public_client_secret": "y" * 40,
        "secure_cookies": True,
        **over,
    }
    return Settings(**values)  # type: ignore[arg-type]


def test_production_needs_an_issuer_own_secrets_and_secure_cookies() -> None:
    assert _production().oidc_client_id == "qingshan-console"
    with pytest.raises(ValidationError, match="oidc_issuer"):
        _production(oidc_issuer="")
    with pytest.raises(ValidationError, match="session_secret"):
        _production(session_secret=DEV_SESSION_SECRET)
    with pytest.raises(ValidationError, match="public_client_secret"):
        _production(public_client_secret=DEV_PUBLIC_CLIENT_SECRET)
    with pytest.raises(ValidationError, match="secure_cookies"):
        _production(secure_cookies=False)
    assert Settings(environment="test", oidc_issuer=ISSUER).secure_cookies is False
