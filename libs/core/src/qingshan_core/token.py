"""Print a bearer token for local use: `make token ROLE=unit_handler UNIT=town-01`.

Signs with QINGSHAN_JWT_SECRET (the development secret when unset, which the services accept
only in development).
"""

from __future__ import annotations

import argparse
import os
from datetime import timedelta

from qingshan_core.auth import Role, TokenCodec
from qingshan_core.settings import DEV_JWT_SECRET


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--role", required=True, choices=[r.value for r in Role])
    ap.add_argument("--unit", default=None, help="handling unit (required for unit_handler)")
    ap.add_argument("--sub", default=None, help="subject; defaults to local-<role>")
    ap.add_argument("--name", default=None)
    ap.add_argument("--hours", type=float, default=12)
    args = ap.parse_args(argv)
    codec = TokenCodec(
        os.environ.get("QINGSHAN_JWT_SECRET", DEV_JWT_SECRET),
        issuer=os.environ.get("QINGSHAN_JWT_ISSUER", "qingshan"),
        audience=os.environ.get("QINGSHAN_JWT_AUDIENCE", "qingshan"),
    )
    try:
        token = codec.issue(
            args.sub or f"local-{args.role}",
            args.role,
            unit=args.unit or None,
            name=args.name,
            ttl=timedelta(hours=args.hours),
        )
    except ValueError as exc:
        ap.error(str(exc))
    print(token)


if __name__ == "__main__":
    main()
