"""Real servers standing in for the outside world: an HTTP receiver (robot webhooks, SMS
gateway) and an SMTP server (aiosmtpd), each on a free 127.0.0.1 port, recording what arrives."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from aiosmtpd.controller import Controller

from qingshan_core.testing.ports import free_port


@dataclass
class Received:
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any
    at: float  # time.perf_counter() when it arrived
    wall: float  # time.time()


@dataclass
class HttpReceiver:
    """Answers 200 {"errcode": 0} unless a path prefix is told otherwise."""

    port: int = field(default_factory=free_port)
    requests: list[Received] = field(default_factory=list)
    answers: dict[str, tuple[int, Any]] = field(default_factory=dict)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                raw = self.rfile.read(length)
                parts = urlsplit(self.path)
                try:
                    body = json.loads(raw or b"null")
                except ValueError:
                    body = raw.decode(errors="replace")
                receiver.requests.append(
                    Received(
                        parts.path,
                        parse_qs(parts.query),
                        dict(self.headers.items()),
                        body,
                        time.perf_counter(),
                        time.time(),
                    )
                )
                status, answer = 200, {"errcode": 0, "errmsg": "ok"}
                for prefix, (st, ans) in receiver.answers.items():
                    if parts.path.startswith(prefix):
                        status, answer = st, ans
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def at(self, path_prefix: str) -> list[Received]:
        return [r for r in self.requests if r.path.startswith(path_prefix)]


class _Mailbox:
    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(
            {
                "from": envelope.mail_from,
                "to": list(envelope.rcpt_tos),
                "data": envelope.content.decode("utf-8", errors="replace"),
                "at": time.perf_counter(),
            }
        )
        return "250 OK queued as test"


class SmtpServer:
    """aiosmtpd in its own thread."""

    def __init__(self) -> None:
        self.port = free_port()
        self.mailbox = _Mailbox()
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)

    @property
    def messages(self) -> list[dict[str, Any]]:
        return self.mailbox.messages

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()


async def eventually(check: Callable[[], Any], timeout: float = 20.0, every: float = 0.05) -> Any:
    """Poll `check` (sync or async) until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        await asyncio.sleep(every)
