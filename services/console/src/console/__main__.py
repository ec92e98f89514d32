"""Run the console: `python -m console` (HTTP :8000 by default)."""

from __future__ import annotations

import asyncio

import uvicorn
import uvloop

from console.app import create_app
from console.config import Settings


def main() -> None:
    settings = Settings()
    config = uvicorn.Config(
        create_app(settings),
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=10,
        http="httptools",
    )
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(uvicorn.Server(config).serve())


if __name__ == "__main__":
    main()
