"""Sending one step to a platform: a signed request and what its answer means.

Every request is signed with HMAC-SHA256 over ``"<timestamp>\\n<nonce>\\n"`` followed by the
exact body bytes, under a key the platform shares with us (QINGSHAN_COMPLAINTS_PLATFORM_KEYS,
``kid:secret,...``, the last one active), in the headers ``X-Qingshan-Key-Id``,
``X-Qingshan-Timestamp`` (Unix seconds), ``X-Qingshan-Nonce`` and ``X-Qingshan-Signature``
(lower-case hex). ``Idempotency-Key`` names the case and step, so a repeat is recognised.
Mutual TLS is optional: a client certificate and key, and the CA that signs the platform's
certificate.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import ssl
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Literal

import httpx

from complaints.adapters.platform_mapping import PlatformConfig

# Development-only signing key; the settings refuse it outside development and test.
DEV_PLATFORM_KEYS = "dev1:qingshan-development-only-platform-signing-key"
ANSWER_LIMIT = 2000

Outcome = Literal["delivered", "duplicate", "retry", "refused"]


class SigningKeys:
    """HMAC keys by id; the last of the spec is the active one."""

    def __init__(self, spec: str) -> None:
        keys: dict[str, bytes] = {}
        for part in (p.strip() for p in spec.split(",") if p.strip()):
            kid, sep, secret = part.partition(":")
            if not sep or not kid or not secret:
                raise ValueError("platform_keys: expected kid:secret[,kid:secret...]")
            keys[kid] = secret.encode()
        if not keys:
            raise ValueError("platform_keys: at least one key is needed")
        self.keys = keys
        self.active = list(keys)[-1]

    def is_weak(self) -> bool:
        """The development key, or a secret shorter than 32 bytes."""
        dev = SigningKeys(DEV_PLATFORM_KEYS).keys
        return any(v in dev.values() or len(v) < 32 for v in self.keys.values())

    def sign(self, body: bytes, key_id: str | None = None) -> dict[str, str]:
        kid = key_id or self.active
        if kid not in self.keys:
            raise ValueError(f"no platform signing key {kid!r}")
        stamp, nonce = str(int(time.time())), secrets.token_hex(16)
        mac = hmac.new(self.keys[kid], f"{stamp}\n{nonce}\n".encode() + body, hashlib.sha256)
        return {
            "X-Qingshan-Key-Id": kid,
            "X-Qingshan-Timestamp": stamp,
            "X-Qingshan-Nonce": nonce,
            "X-Qingshan-Signature": mac.hexdigest(),
        }


@dataclass(frozen=True)
class Answer:
    """What the platform's answer means for the step."""

    outcome: Outcome
    status: int = 0  # 0: no answer (refused connection, timeout, dropped)
    body: str = ""
    retry_after: float | None = None


def retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date); None if absent."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def classify(response: httpx.Response) -> Answer:
    body = response.text[:ANSWER_LIMIT]
    code = response.status_code
    if 200 <= code < 300:
        try:
            duplicate = bool(response.json().get("duplicate"))
        except (ValueError, AttributeError):
            duplicate = False
        return Answer("duplicate" if duplicate else "delivered", code, body)
    if code in (408, 425, 429) or code >= 500:
        return Answer("retry", code, body, retry_after(response.headers.get("retry-after")))
    return Answer("refused", code, body)


def tls_context(cert: str | None, key: str | None, ca: str | None) -> ssl.SSLContext | bool:
    """The verify argument for httpx: a context with our client certificate (mutual TLS) and
    the platform's CA when configured, else the default verification."""
    if not (cert or ca):
        return True
    ctx = ssl.create_default_context(cafile=ca) if ca else ssl.create_default_context()
    if cert:
        ctx.load_cert_chain(cert, key)
    return ctx


class PlatformClient:
    """One pooled HTTP client for every platform; one signed POST per step."""

    def __init__(self, keys: SigningKeys, verify: ssl.SSLContext | bool = True) -> None:
        self.keys = keys
        self.http = httpx.AsyncClient(verify=verify, follow_redirects=False)

    async def send(
        self, cfg: PlatformConfig, order_number: str, body: dict[str, object], idempotency_key: str
    ) -> Answer:
        raw = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Idempotency-Key": idempotency_key,
            **self.keys.sign(raw, cfg.key_id),
        }
        try:
            response = await self.http.post(
                cfg.url(order_number), content=raw, headers=headers, timeout=cfg.timeout_seconds
            )
        except httpx.HTTPError as exc:  # down, slow past the timeout, or the line dropped
            return Answer("retry", 0, f"{type(exc).__name__}: {exc}"[:ANSWER_LIMIT])
        return classify(response)

    async def close(self) -> None:
        await self.http.aclose()
