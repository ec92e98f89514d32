"""The console's session: a small dict kept in one encrypted, authenticated HttpOnly cookie, as
Starlette's SessionMiddleware keeps a signed one (`request.session`, which authlib's Starlette
integration uses for the sign-in's state, nonce and PKCE verifier).

Encrypted, not only signed, because it holds the provider's access, refresh and ID tokens:
Fernet (AES-128-CBC with HMAC-SHA256, from `cryptography`) under a key derived from the
configured secret; the cookie's age is checked on every read (Fernet's timestamp). The JSON is
compressed first so the three tokens fit one cookie (~2.5 kB of the 4 kB a browser keeps);
what is compressed together with the tokens never comes from the request.
"""

from __future__ import annotations

import base64
import json
import zlib
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from qingshan_core.logging import get_logger

log = get_logger(__name__)
COOKIE_LIMIT = 4000  # bytes of one cookie a browser keeps (name, value and attributes)


class SessionCodec:
    """Encrypts a session dict into a cookie value and back (None: absent, forged or old)."""

    def __init__(self, secret: str, max_age_seconds: int) -> None:
        derived = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=b"qingshan-console-session"
        ).derive(secret.encode())
        self._fernet = Fernet(base64.urlsafe_b64encode(derived))
        self.max_age = max_age_seconds

    def encode(self, data: dict[str, Any]) -> str:
        raw = json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()
        return self._fernet.encrypt(zlib.compress(raw, 9)).decode("ascii")

    def decode(self, value: str) -> dict[str, Any] | None:
        try:
            raw = zlib.decompress(self._fernet.decrypt(value.encode("ascii"), ttl=self.max_age))
            data = json.loads(raw)
        except (InvalidToken, UnicodeEncodeError, zlib.error, ValueError):
            return None
        return data if isinstance(data, dict) else None


class EncryptedSessionMiddleware:
    """`scope["session"]` from the cookie; written back (or deleted) when a request changed it."""

    def __init__(self, app: ASGIApp, codec: SessionCodec, cookie: str, secure: bool = True) -> None:
        self.app = app
        self.codec = codec
        self.cookie = cookie
        self.flags = "; path=/; HttpOnly; SameSite=lax" + ("; Secure" if secure else "")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        value = HTTPConnection(scope).cookies.get(self.cookie)
        data = (self.codec.decode(value) if value else None) or {}
        before = json.dumps(data, sort_keys=True)
        scope["session"] = data

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                session = scope["session"]
                if json.dumps(session, sort_keys=True) != before or (value and not session):
                    MutableHeaders(scope=message).append("Set-Cookie", self._header(session))
            await send(message)

        await self.app(scope, receive, send_with_cookie)

    def _header(self, session: dict[str, Any]) -> str:
        if not session:
            return f"{self.cookie}=; Max-Age=0{self.flags}"
        header = f"{self.cookie}={self.codec.encode(session)}; Max-Age={self.codec.max_age}"
        if len(header) > COOKIE_LIMIT:
            log.warning("console.session_cookie_too_large", size=len(header))
        return header + self.flags
