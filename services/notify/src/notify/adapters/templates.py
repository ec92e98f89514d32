"""Jinja2 rendering in a sandbox with StrictUndefined: a template can read the context but
not reach Python internals, and a misspelt field is an error instead of an empty string.

Every render runs within budgets, so no template (an administrator's typo or worse) can hang
or exhaust the service: `{{ 'x' * 10**9 }}` is refused before the string is built.
- size: what builds a large text or number is checked before it is computed, at most
  MAX_OUTPUT characters (or a MAX_POWER_BITS number): `*` (a repeated string or list), `**`,
  `%` and `.format` (their field widths), padding methods (`'x'.ljust(10**9)`) and the filters
  that pad or replace (`center`, `indent`, `format`, `replace`); any other filter's result is
  checked after it;
- output: the text is produced piece by piece and refused past MAX_OUTPUT characters;
- time: the template's own code is traced line by line (only its frames, not Jinja's or
  Python's) and stopped once `time_budget` seconds have passed (loops in loops);
- every other failure (ZeroDivisionError, RecursionError, ...) is a TemplateError too, so the
  caller falls back to the generic template instead of failing the event.
"""

from __future__ import annotations

import functools
import math
import re
import sys
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from types import FrameType
from typing import Any

from jinja2 import StrictUndefined
from jinja2 import TemplateError as JinjaError
from jinja2.environment import Template as JinjaTemplate
from jinja2.sandbox import SandboxedEnvironment

from notify.adapters.labels import label
from notify.service_layer.ports import TemplateError

MAX_SOURCE = 10_000
MAX_OUTPUT = 64_000  # characters of one rendered text (titles and bodies are cut far shorter)
MAX_POWER_BITS = 4_096
TIME_BUDGET = 0.5  # seconds of one render
TEMPLATE_FILE = "<template>"  # the code file name Jinja gives templates compiled from strings


class BudgetExceeded(TemplateError):
    """A render that would take too long or produce too much."""


def _too_big(what: str) -> BudgetExceeded:
    return BudgetExceeded(f"{what} exceeds the template budget / 超出模板渲染限额")


def _length(value: Any) -> int | None:
    return len(value) if isinstance(value, str | bytes | list | tuple) else None


def _check_ints(args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> None:
    for v in (*args, *kwargs.values()):
        if isinstance(v, int) and not isinstance(v, bool) and abs(v) > MAX_OUTPUT:
            raise _too_big(f"a width of {v}")


# Field widths and precisions: `%-10.2f`, `%*d` (the width is an argument), `{:>10}`.
_PERCENT = re.compile(r"%(?:\([^)]*\))?[#0\- +]*(\*|\d+)?(?:\.(\*|\d+))?")
_BRACE = re.compile(r"\{[^{}]*?:([^{}]*)\}")


def _check_format(text: str, args: tuple[Any, ...] = ()) -> None:
    numbers = [n for m in _PERCENT.finditer(text) for n in m.groups() if n]
    numbers += [n for spec in _BRACE.findall(text) for n in re.findall(r"\d+", spec)]
    for n in numbers:
        if n == "*":
            _check_ints(args, {})
        elif int(n) > MAX_OUTPUT:
            raise _too_big(f"a field width of {n}")


PADDING = frozenset({"ljust", "rjust", "center", "zfill", "expandtabs"})


def _check_call(obj: Any, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> None:
    """A method of a string that pads (`ljust(10**9)`) or formats (`'{:>999999999}'.format`):
    the sandbox hands `.format` over wrapped, the string it belongs to behind `__wrapped__`."""
    target = getattr(obj, "__wrapped__", obj)
    owner, name = getattr(target, "__self__", None), getattr(target, "__name__", "")
    if not isinstance(owner, str):
        return
    if name in PADDING:
        _check_ints(args, kwargs)
    elif name in ("format", "format_map"):
        _check_format(owner)


def _check_filter(name: str, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> None:
    value, rest = (args[0], args[1:]) if args else (None, ())
    if name in ("center", "indent"):
        _check_ints(rest, kwargs)
    elif name == "format" and isinstance(value, str):
        _check_format(value, rest)
    elif name == "replace" and isinstance(value, str) and len(rest) >= 2:
        old, new = str(rest[0]), str(rest[1])
        if len(value) + (len(value) + 1) * max(0, len(new) - len(old)) > MAX_OUTPUT:
            raise _too_big("a replacement")


def _guarded(name: str, f: Callable[..., Any]) -> Callable[..., Any]:
    """A filter checked against the size budget before and after it runs. wraps() copies
    Jinja's pass_context/pass_environment marks along with the name."""
    marked = getattr(f, "jinja_pass_arg", None) is not None  # its first argument is Jinja's

    @functools.wraps(f)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        _check_filter(name, args[1:] if marked else args, kwargs)
        out = f(*args, **kwargs)
        size = _length(out)
        if size is not None and size > MAX_OUTPUT:
            raise _too_big(f"the result of {name}")
        return out

    return guarded


class BudgetedSandbox(SandboxedEnvironment):
    """The sandbox with `*`, `**`, `%` and calls checked against the size budget first."""

    intercepted_binops = frozenset({"*", "**", "%"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            for seq, n in ((left, right), (right, left)):
                size = _length(seq)
                if size is not None and isinstance(n, int) and size * n > MAX_OUTPUT:
                    raise _too_big(f"a repetition of {size} × {n}")
        elif operator == "**" and isinstance(left, int) and isinstance(right, int):
            if abs(left) > 1 and right * math.log2(abs(left)) > MAX_POWER_BITS:
                raise _too_big(f"{left} ** {right}")
        elif operator == "%" and isinstance(left, str):
            _check_format(left, right if isinstance(right, tuple) else (right,))
        return super().call_binop(context, operator, left, right)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        _check_call(__obj, args, kwargs)
        return super().call(__context, __obj, *args, **kwargs)


class _Deadline:
    """A trace function that stops the template's frames once the budget is spent."""

    def __init__(self, seconds: float) -> None:
        self.until = time.perf_counter() + seconds
        self.seconds = seconds

    def __call__(self, frame: FrameType, event: str, arg: Any) -> Any:
        if frame.f_code.co_filename != TEMPLATE_FILE:
            return None  # Jinja's and Python's own code: not traced line by line
        return self._line

    def _line(self, frame: FrameType, event: str, arg: Any) -> Any:
        if time.perf_counter() > self.until:
            raise _too_big(f"{self.seconds:g} s of rendering")
        return self._line


class JinjaRenderer:
    """Compiles each distinct source once (a small LRU cache) and renders it within budget."""

    def __init__(self, cache_size: int = 512, time_budget: float = TIME_BUDGET) -> None:
        self.env = BudgetedSandbox(undefined=StrictUndefined, autoescape=False)
        self.env.filters["label"] = label
        self.env.filters = {name: _guarded(name, f) for name, f in self.env.filters.items()}
        self.time_budget = time_budget
        self._cache: OrderedDict[str, JinjaTemplate] = OrderedDict()
        self._size = cache_size

    def _compile(self, source: str) -> JinjaTemplate:
        if len(source) > MAX_SOURCE:
            raise TemplateError(f"template longer than {MAX_SOURCE} characters / 模板过长")
        hit = self._cache.get(source)
        if hit is not None:
            self._cache.move_to_end(source)
            return hit
        try:
            compiled = self.env.from_string(source)
        except JinjaError as exc:
            raise TemplateError(f"{type(exc).__name__}: {exc}") from exc
        self._cache[source] = compiled
        if len(self._cache) > self._size:
            self._cache.popitem(last=False)
        return compiled

    def render(self, source: str, context: Mapping[str, Any]) -> str:
        template = self._compile(source)
        previous = sys.gettrace()
        sys.settrace(_Deadline(self.time_budget))
        try:
            return self._produce(template, context)
        except TemplateError:
            raise
        except (JinjaError, Exception) as exc:  # arithmetic, recursion, a filter's own error
            raise TemplateError(f"{type(exc).__name__}: {exc}"[:500]) from exc
        finally:
            sys.settrace(previous)

    @staticmethod
    def _produce(template: JinjaTemplate, context: Mapping[str, Any]) -> str:
        parts: list[str] = []
        size = 0
        for piece in template.generate(**context):
            size += len(piece)
            if size > MAX_OUTPUT:
                raise _too_big(f"output over {MAX_OUTPUT} characters")
            parts.append(piece)
        return "".join(parts)
