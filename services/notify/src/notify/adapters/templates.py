"""Jinja2 rendering in a sandbox with StrictUndefined: a template can read the context but
not reach Python internals, and a misspelt field is an error instead of an empty string."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from jinja2 import StrictUndefined
from jinja2 import TemplateError as JinjaError
from jinja2.environment import Template as JinjaTemplate
from jinja2.sandbox import SandboxedEnvironment

from notify.domain.labels import label
from notify.service_layer.ports import TemplateError

MAX_SOURCE = 10_000


class JinjaRenderer:
    """Compiles each distinct source once (a small LRU cache) and renders it."""

    def __init__(self, cache_size: int = 512) -> None:
        self.env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False)
        self.env.filters["label"] = label
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
        try:
            return template.render(**context)
        except JinjaError as exc:
            raise TemplateError(f"{type(exc).__name__}: {exc}") from exc
        except (TypeError, ValueError, KeyError, AttributeError) as exc:
            raise TemplateError(f"{type(exc).__name__}: {exc}") from exc
