"""Service-layer errors, subclasses of the one contract in qingshan_core.errors (rendered once,
as problem details over HTTP and as status codes over gRPC)."""

from __future__ import annotations

from qingshan_core import errors as core

# No such aggregate: the core's 404, re-exported for the use cases.
from qingshan_core.errors import NotFound as NotFound


class ServiceError(core.QingshanError):
    """Base: carries a Chinese and an English message."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(zh, en)
        self.zh = zh
        self.en = en


class AlreadyExists(core.AlreadyExists, ServiceError):
    """An aggregate with that id exists already (409)."""


class Conflict(core.ConcurrentUpdate, ServiceError):
    """The aggregate changed while this request worked on it (409; retry)."""


def not_found(what_zh: str, what_en: str, key: str) -> NotFound:
    """A NotFound naming the aggregate kind and id."""
    return NotFound(f"{what_zh}{key}不存在", f"{what_en} {key} not found")
