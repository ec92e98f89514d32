"""Run the risk service: `python -m risk` (HTTP :8003, gRPC :50053 by default)."""

from __future__ import annotations

from qingshan_core.service import serve
from risk.bootstrap import create_app
from risk.config import Settings


def main() -> None:
    serve(create_app, Settings())


if __name__ == "__main__":
    main()
