"""Address checks done when a recipient or group is saved, not when a message is sent."""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import urlsplit

from notify.domain.errors import Problem

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_EMAIL = re.compile(rf"^[A-Za-z0-9._%+-]+@{_LABEL}(?:\.{_LABEL})*\.[A-Za-z]{{2,}}$")
# Mainland mobile numbers (SMS goes to mobiles only), optionally with +86 / 86.
_MOBILE = re.compile(r"^(?:\+?86)?1[3-9]\d{9}$")


def check_email(value: str, field: str = "email") -> list[Problem]:
    if len(value) > 254 or not _EMAIL.match(value):
        return [Problem(field, f"malformed email address / 邮箱地址格式错误: {value!r}")]
    return []


def normalise_phone(value: str) -> str:
    """Digits only, without the +86 prefix."""
    digits = re.sub(r"[\s-]", "", value)
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits


def check_phone(value: str, field: str = "phone") -> list[Problem]:
    if not _MOBILE.match(re.sub(r"[\s-]", "", value)):
        return [Problem(field, f"malformed mainland mobile number / 手机号码格式错误: {value!r}")]
    return []


def check_webhook(
    value: str,
    field: str,
    *,
    require_https: bool,
    allowed_hosts: Sequence[str] = (),
) -> list[Problem]:
    """An absolute http(s) URL with a host; https and a listed host when configured so."""
    try:
        parts = urlsplit(value)
        host = parts.hostname or ""
        _ = parts.port  # raises on a malformed port
    except ValueError as exc:
        return [Problem(field, f"malformed webhook URL / 回调地址格式错误: {exc}")]
    if parts.scheme not in ("http", "https") or not host:
        return [Problem(field, f"malformed webhook URL / 回调地址格式错误: {value!r}")]
    if parts.username or parts.password:
        return [Problem(field, "webhook URL must not carry credentials / 回调地址不得包含账号密码")]
    if require_https and parts.scheme != "https":
        return [Problem(field, "webhook URL must use https / 回调地址必须使用 https")]
    if allowed_hosts and host not in allowed_hosts:
        return [
            Problem(
                field,
                f"webhook host {host!r} is not allowed (allowed: {', '.join(allowed_hosts)}) "
                f"/ 不允许的回调主机",
            )
        ]
    return []
