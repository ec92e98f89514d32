"""Where a robot message may go: outside development and test, a webhook's host is resolved
when the message is sent and every address it resolves to must be a public one -- private
(10/8, 172.16/12, 192.168/16, fc00::/7), loopback, link-local (169.254/16, where cloud metadata
services answer), shared, reserved or unspecified addresses are refused, so a robot URL saved
by an administrator can never reach into the bureau's own network.

(The host is resolved again when httpx connects; a name that answers differently between the
two -- DNS rebinding -- is a risk this check narrows, not one it closes.)
"""

from __future__ import annotations

import asyncio
import socket
from urllib.parse import urlsplit

from notify.domain.addresses import non_public


class WebhookTargets:
    """Checks a webhook URL just before it is posted to; `refuse_private` off (development,
    test: the local receivers on 127.0.0.1) lets every target through."""

    def __init__(self, refuse_private: bool) -> None:
        self.refuse_private = refuse_private

    async def refusal(self, url: str) -> str | None:
        """Why this URL may not be posted to, or None when it may."""
        if not self.refuse_private:
            return None
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port or (443 if parts.scheme == "https" else 80)
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(
                host, port, type=socket.SOCK_STREAM
            )
        except (socket.gaierror, UnicodeError) as exc:
            return f"webhook host {host!r} does not resolve ({exc}) / 回调主机无法解析"
        for *_, sockaddr in infos:
            if non_public(str(sockaddr[0])):
                return (
                    f"webhook host {host!r} resolves to the non-public address {sockaddr[0]} "
                    "/ 回调地址指向内网、本机或链路本地地址，已拒绝"
                )
        return None
