"""Channel senders: email (SMTP via aiosmtplib), WeCom and DingTalk group robots and an SMS
HTTP gateway (httpx). Apprise speaks these protocols too, but it posts only to the vendors'
fixed hosts (no local or proxy endpoint), is synchronous, and answers a bare True/False; the
service needs the channel's real answer for its receipts, so these are small direct clients.

Each returns a SendResult; `permanent` marks failures a retry cannot fix (a refused address,
a 4xx answer, a robot that no longer exists)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from email.message import EmailMessage
from typing import Any
from urllib.parse import quote_plus

import aiosmtplib
import httpx

from notify.adapters.webhook_targets import WebhookTargets
from notify.domain.delivery import Delivery
from notify.service_layer.ports import SendResult

# Robot error codes that mean "try again later" (WeCom 45009 and DingTalk 130101: sent too
# fast; -1: system busy). Any other non-zero errcode is a configuration problem.
ROBOT_TRANSIENT = {-1, 45009, 130101}


def _ms(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)


class EmailSender:
    """SMTP through aiosmtplib; `security` is none, starttls or tls."""

    def __init__(
        self,
        *,
        host: str,
        port: int,
        sender: str,
        username: str = "",
        password: str = "",
        security: str = "starttls",
        timeout: float = 10.0,
    ) -> None:
        self.host, self.port, self.sender = host, port, sender
        self.username, self.password = username or None, password or None
        self.security, self.timeout = security, timeout

    async def send(self, delivery: Delivery, secret: str) -> SendResult:
        msg = EmailMessage()
        msg["From"] = self.sender
        msg["To"] = delivery.address
        msg["Subject"] = delivery.title
        # The delivery id as Message-ID lets a mail system drop a resend after a crash.
        msg["Message-ID"] = f"<{delivery.id}@qingshan.notify>"
        msg["X-Qingshan-Event-Id"] = delivery.event_id
        msg.set_content(delivery.body or delivery.title)
        started = time.perf_counter()
        try:
            _, response = await aiosmtplib.send(
                msg,
                hostname=self.host,
                port=self.port,
                username=self.username,
                password=self.password,
                use_tls=self.security == "tls",
                start_tls=self.security == "starttls",
                timeout=self.timeout,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            return SendResult(
                False, f"SMTP refused recipient: {exc}"[:500], 550, True, _ms(started)
            )
        except aiosmtplib.SMTPResponseException as exc:
            permanent = 500 <= exc.code < 600
            return SendResult(
                False, f"SMTP {exc.code} {exc.message}"[:500], exc.code, permanent, _ms(started)
            )
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            return SendResult(False, f"{type(exc).__name__}: {exc}"[:500], 0, False, _ms(started))
        return SendResult(True, f"SMTP {response}"[:500], 250, False, _ms(started))


async def _post(
    client: httpx.AsyncClient,
    url: str,
    payload: dict[str, Any],
    headers: dict[str, str] | None = None,
) -> tuple[SendResult, Any]:
    started = time.perf_counter()
    try:
        resp = await client.post(url, json=payload, headers=headers)
    except httpx.HTTPError as exc:
        return SendResult(False, f"{type(exc).__name__}: {exc}"[:500], 0, False, _ms(started)), None
    ms = _ms(started)
    text = resp.text[:300]
    if resp.status_code == 429 or resp.status_code >= 500:
        return SendResult(
            False, f"HTTP {resp.status_code}: {text}", resp.status_code, False, ms
        ), None
    if resp.status_code >= 400:
        return SendResult(
            False, f"HTTP {resp.status_code}: {text}", resp.status_code, True, ms
        ), None
    try:
        body = resp.json()
    except ValueError:
        body = None
    return SendResult(True, f"HTTP {resp.status_code}: {text}", resp.status_code, False, ms), body


def _robot_answer(result: SendResult, body: Any) -> SendResult:
    """Robots answer HTTP 200 with {"errcode": 0, "errmsg": "ok"}; anything else failed."""
    if not result.ok:
        return result
    code = body.get("errcode") if isinstance(body, dict) else None
    if code == 0:
        return result
    if code is None:
        return SendResult(
            False,
            f"unexpected robot answer: {result.detail}",
            result.status_code,
            False,
            result.duration_ms,
        )
    return SendResult(
        False,
        f"robot errcode {code}: {body.get('errmsg', '')}"[:500],
        result.status_code,
        code not in ROBOT_TRANSIENT,
        result.duration_ms,
    )


def _refused(reason: str) -> SendResult:
    """A target the policy refuses: permanent (the URL must be changed), never sent."""
    return SendResult(False, reason[:500], 0, True, 0)


class WecomRobotSender:
    """企业微信群机器人: POST markdown to the robot's webhook URL (checked just before)."""

    def __init__(self, client: httpx.AsyncClient, targets: WebhookTargets) -> None:
        self.client = client
        self.targets = targets

    async def send(self, delivery: Delivery, secret: str) -> SendResult:
        if reason := await self.targets.refusal(delivery.address):
            return _refused(reason)
        content = f"**{delivery.title}**\n{delivery.body}".strip()
        payload = {"msgtype": "markdown", "markdown": {"content": content[:4000]}}
        return _robot_answer(*await _post(self.client, delivery.address, payload))


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's signature: HMAC-SHA256 over "<timestamp>\\n<secret>", base64, url-encoded."""
    mac = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256)
    return quote_plus(base64.b64encode(mac.digest()).decode())


def dingtalk_url(url: str, secret: str, timestamp_ms: int) -> str:
    if not secret:
        return url
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}timestamp={timestamp_ms}&sign={dingtalk_sign(secret, timestamp_ms)}"


class DingTalkRobotSender:
    """钉钉群机器人: POST markdown, signed with the robot's secret when it has one."""

    def __init__(self, client: httpx.AsyncClient, targets: WebhookTargets) -> None:
        self.client = client
        self.targets = targets

    async def send(self, delivery: Delivery, secret: str) -> SendResult:
        if reason := await self.targets.refusal(delivery.address):
            return _refused(reason)
        # DingTalk accepts a signature for one hour around its own clock: use the real time.
        url = dingtalk_url(delivery.address, secret, int(time.time() * 1000))
        text = f"#### {delivery.title}\n\n{delivery.body}".strip()
        payload = {
            "msgtype": "markdown",
            "markdown": {"title": delivery.title, "text": text[:4000]},
        }
        return _robot_answer(*await _post(self.client, url, payload))


class HttpSmsSender:
    """An SMS gateway reached over HTTP: POST {"to", "text", "client_ref"} (JSON) with an
    optional bearer key and `Idempotency-Key: <delivery id>`; 2xx = accepted, 429/5xx = retry,
    other 4xx = refused."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        url: str,
        api_key: str = "",
        sign: str = "",
        max_chars: int = 300,
    ) -> None:
        self.client, self.url, self.api_key, self.sign = client, url, api_key, sign
        self.max_chars = max_chars

    async def send(self, delivery: Delivery, secret: str) -> SendResult:
        prefix = f"【{self.sign}】" if self.sign else ""
        text = f"{prefix}{delivery.title}\n{delivery.body}".strip()[: self.max_chars]
        headers = {"Idempotency-Key": delivery.id}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        payload = {"to": delivery.address, "text": text, "client_ref": delivery.id}
        result, _ = await _post(self.client, self.url, payload, headers)
        return result
