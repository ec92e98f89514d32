"""Reading Python source in tests (the architecture and domain-purity checks)."""

from __future__ import annotations

import ast
import gc


def parse_source(source: str) -> ast.Module:
    """ast.parse with the collector paused. Late in a long session, a finalizer that runs in
    the middle of a parse (an unclosed client logging from __del__) trips CPython 3.11.7's
    "AST constructor recursion depth mismatch" SystemError."""
    gc.disable()
    try:
        return ast.parse(source)
    finally:
        gc.enable()
