"""Run the complaints service: `python -m complaints` (HTTP :8001, gRPC :50051 by default)."""

from __future__ import annotations

from complaints.bootstrap import create_app
from complaints.config import Settings
from qingshan_core.service import serve


def main() -> None:
    serve(create_app, Settings())


if __name__ == "__main__":
    main()
