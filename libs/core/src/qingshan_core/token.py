"""Print an HS256 development token: `python -m qingshan_core.token --role operator`.

`make token ROLE=… [UNIT=…]` gets a real token from the local identity provider instead
(deploy/local/stack.py token); this one is for a service started by hand with
QINGSHAN_<SERVICE>_ENVIRONMENT=development, the only environment (besides test) that accepts it.
Signs with QINGSHAN_JWT_SECRET (the development secret when unset).
"""

from __future__ import annotations

import argparse
import os
from datetime import timedelta

from qingshan_core.auth import TokenCodec
from qingshan_core.roles import TOKEN_ROLES
from qingshan_core.settings import DEV_JWT_SECRET


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--role", required=True, choices=sorted(r.value for r in TOKEN_ROLES))
    ap.add_argument("--unit", default=None, help="handling unit (required for unit_handler)")
    ap.add_argument("--sub", default=None, help="subject; defaults to local-<role>")
    ap.add_argument("--name", default=None)
    ap.add_argument("--minutes", type=float, default=60, help="lifetime (services accept ≤ 60)")
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
            ttl=timedelta(minutes=args.minutes),
        )
    except ValueError as exc:
        ap.error(str(exc))
    print(token)


if __name__ == "__main__":
    main()
