"""Service-layer errors the entrypoints map to HTTP/gRPC status codes."""

from __future__ import annotations


class ServiceError(Exception):
    """Base: carries a Chinese and an English message."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(f"{zh} / {en}")
        self.zh = zh
        self.en = en


class NotFound(ServiceError):
    """No such aggregate (404)."""


class AlreadyExists(ServiceError):
    """An aggregate with that id exists already (409)."""


class Conflict(ServiceError):
    """The aggregate changed while this request worked on it (409; retry)."""


def not_found(what_zh: str, what_en: str, key: str) -> NotFound:
    """A NotFound naming the aggregate kind and id."""
    return NotFound(f"{what_zh}{key}不存在", f"{what_en} {key} not found")
