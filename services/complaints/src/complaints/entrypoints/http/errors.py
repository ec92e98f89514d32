"""What the routers document besides success: the core's one problem-details body.

Every error (complaints.domain.errors, the intake's conflicts, the core's) is rendered by
qingshan_core.problems, installed by the app factory; nothing is mapped here.
"""

from __future__ import annotations

from qingshan_core.problems import CONFLICT, ERRORS, MALFORMED, NOT_FOUND, Problem

ErrorOut = Problem

__all__ = ["CONFLICT", "ERRORS", "MALFORMED", "NOT_FOUND", "ErrorOut"]
