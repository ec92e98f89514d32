#!/usr/bin/env python3
"""The development e-mail sink: a real SMTP server (aiosmtpd) on 127.0.0.1 that keeps every
message it is given as one .eml file and delivers nothing anywhere.

    .venv/bin/python deploy/local/mailsink.py --port 8025 --dir .run/dev/mail

`make run` starts it (deploy/local/services.py) and points notify's SMTP settings at it. A file
is named <UTC time>-<sequence>.eml and holds the message as received, with the envelope's
sender and recipients added as X-Envelope-* headers; it is written to a temporary name first
and renamed, so a reader never sees half a message.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import signal
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope


class MailFolder:
    """aiosmtpd handler: each DATA command becomes one file in `folder`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self._seq = itertools.count(1)

    async def handle_DATA(self, server: Any, session: Any, envelope: Envelope) -> str:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
        name = f"{stamp}-{os.getpid()}-{next(self._seq):05d}.eml"
        head = (
            f"X-Envelope-From: {envelope.mail_from}\r\n"
            f"X-Envelope-To: {', '.join(envelope.rcpt_tos)}\r\n"
        ).encode()
        content = envelope.original_content or envelope.content or b""
        data = content if isinstance(content, bytes) else content.encode()
        tmp = self.folder / f".{name}.tmp"
        tmp.write_bytes(head + data)
        tmp.rename(self.folder / name)
        return "250 Message accepted for delivery"


async def serve(host: str, port: int, folder: Path) -> None:
    controller = Controller(MailFolder(folder), hostname=host, port=port)
    controller.start()
    print(f"mail sink on smtp://{host}:{port}, messages in {folder}", flush=True)
    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopped.set)
    try:
        await stopped.wait()
    finally:
        controller.stop()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--dir", type=Path, required=True)
    args = ap.parse_args()
    asyncio.run(serve(args.host, args.port, args.dir.resolve()))


if __name__ == "__main__":
    main()
