"""Run the notify service: `python -m notify` (HTTP :8004, gRPC :50054 by default)."""

from __future__ import annotations

from notify.bootstrap import create_app
from notify.config import Settings
from qingshan_core.service import serve


def main() -> None:
    serve(create_app, Settings())


if __name__ == "__main__":
    main()
