"""Crash points for the fault suite: a process kills itself with SIGKILL (what `kill -9` does:
no clean-up, no flush) when it reaches a named point, so a test can prove what a crash between
two writes leaves behind and that the service repairs it.

A point is armed by the service setting `crash_at` (`QINGSHAN_<SERVICE>_CRASH_AT`): a comma
separated list of `<point>` (any key) or `<point>:<key>` (that key only, e.g. one order number).
The settings refuse it outside the test environment, so production code paths never honour it;
unarmed, `reached` is one set lookup.
"""

from __future__ import annotations

import os
import signal

from qingshan_core.logging import get_logger

log = get_logger(__name__)
_armed: frozenset[str] = frozenset()


def arm(spec: str) -> None:
    """Arm the points named in `spec` (replacing what was armed; "" disarms everything)."""
    global _armed
    _armed = frozenset(p.strip() for p in spec.split(",") if p.strip())
    if _armed:
        log.warning("crashpoints.armed", points=sorted(_armed))


def reached(point: str, key: str = "") -> None:
    """Die here, at once, if this point (or this point for this key) is armed."""
    if _armed and (point in _armed or f"{point}:{key}" in _armed):
        log.warning("crashpoints.crashing", point=point, key=key)
        os.kill(os.getpid(), signal.SIGKILL)
