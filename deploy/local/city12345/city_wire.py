"""The wire side of the simulated platform: how it checks qingshan's signatures, and the faults
it injects on request (slowness, 503s with Retry-After, dropped connections, refusals)."""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass, field
from typing import Any

from city_orders import Refused
from starlette.requests import Request

DEV_KEYS = "dev1:qingshan-development-only-platform-signing-key"
MAX_SKEW = 300  # seconds a signature's timestamp may be off


@dataclass
class Faults:
    """What the platform does wrong on purpose, set by a test or PUT /_sim/faults."""

    slow_seconds: float = 0.0  # every step request waits this long before it is answered
    fail_next: int = 0  # the next N step requests answer `fail_status`, not handled
    fail_status: int = 503
    retry_after: int = 1
    drop_next: int = 0  # the next N steps are taken, then the connection is dropped
    refuse: dict[str, int] = field(default_factory=dict)  # 办理环节 → status it is refused with


class Dropped(Exception):
    """Drop the connection without an answer."""


def parse_keys(spec: str) -> dict[str, bytes]:
    out = {}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        kid, _, secret = part.partition(":")
        out[kid] = secret.encode()
    return out


def verify(request: Request, body: bytes, keys: dict[str, bytes], nonces: set[str]) -> None:
    """Check the HMAC-SHA256 signature qingshan puts on a step (written here from the
    interface description, not from qingshan's code); Refused(401) when it does not hold."""
    h = request.headers
    kid, stamp = h.get("x-qingshan-key-id", ""), h.get("x-qingshan-timestamp", "")
    nonce, signature = h.get("x-qingshan-nonce", ""), h.get("x-qingshan-signature", "")
    if kid not in keys or not stamp.isdigit() or not nonce:
        raise Refused(401, "SIGNATURE_MISSING", "缺少或无法识别签名")
    if abs(time.time() - int(stamp)) > MAX_SKEW:
        raise Refused(401, "SIGNATURE_EXPIRED", "签名时间戳已过期")
    mac = hmac.new(
        keys[kid], stamp.encode() + b"\n" + nonce.encode() + b"\n" + body, hashlib.sha256
    ).hexdigest()
    if not hmac.compare_digest(mac, signature):
        raise Refused(401, "SIGNATURE_INVALID", "签名校验失败")
    if nonce in nonces:
        raise Refused(401, "NONCE_REUSED", "请求已被使用（重放）")
    nonces.add(nonce)


class DropMiddleware:
    """Turns `Dropped` into a connection that ends mid-answer (the client sees no answer)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        try:
            await self.app(scope, receive, send)
        except Dropped:
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [(b"content-length", b"1000")],
                }
            )
            await send({"type": "http.response.body", "body": b"{", "more_body": True})
