"""Run the projects service: `python -m projects` (HTTP :8002, gRPC :50052 by default)."""

from __future__ import annotations

from projects.bootstrap import create_app
from projects.config import Settings
from qingshan_core.service import serve


def main() -> None:
    serve(create_app, Settings())


if __name__ == "__main__":
    main()
