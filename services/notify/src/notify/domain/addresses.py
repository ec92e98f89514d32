"""Address checks done when a recipient or group is saved, not when a message is sent."""

from __future__ import annotations

import ipaddress
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


def non_public(address: str) -> bool:
    """True for an IP address that is not globally routable: private, loopback, link-local,
    shared, reserved, unspecified or multicast (IPv4-mapped IPv6 judged as its IPv4)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # without an IPv6 zone id
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def _private_host(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return non_public(host)
    except ValueError:
        return False  # a name: resolved (and checked) when a message is sent


def check_webhook(
    value: str,
    field: str,
    *,
    require_https: bool,
    allowed_hosts: Sequence[str] = (),
    refuse_private: bool = False,
) -> list[Problem]:
    """An absolute http(s) URL with a host; https and a listed host when configured so; with
    `refuse_private`, no private, loopback or link-local address as the host."""
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
    if refuse_private and _private_host(host):
        return [
            Problem(
                field,
                f"webhook host {host!r} is a private, loopback or link-local address "
                "/ 回调地址不得指向内网、本机或链路本地地址",
            )
        ]
    if allowed_hosts and host not in allowed_hosts:
        return [
            Problem(
                field,
                f"webhook host {host!r} is not allowed (allowed: {', '.join(allowed_hosts)}) "
                f"/ 不允许的回调主机",
            )
        ]
    return []
