"""`python -m qingshan_core`: start the service this image was built for.

The one image recipe of the four services (services/Dockerfile) names its service in
QINGSHAN_SERVICE; this runs that service's own entry point (`python -m <service>`), so the image
starts exactly as a developer's `python -m complaints` does.
"""

from __future__ import annotations

import os
import runpy
import sys

SERVICES = ("complaints", "projects", "risk", "notify")


def main() -> None:
    service = os.environ.get("QINGSHAN_SERVICE", "")
    if service not in SERVICES:
        sys.exit(f"QINGSHAN_SERVICE must be one of {', '.join(SERVICES)} (got {service!r})")
    runpy.run_module(service, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
