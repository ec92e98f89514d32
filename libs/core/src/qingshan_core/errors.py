"""The one error contract of every qingshan service: what went wrong, in Chinese and English.

Pure (standard library only), so every layer may raise these, the domain included.
`qingshan_core.problems` renders them once as RFC 9457 problem details
(`application/problem+json`), `qingshan_core.grpc_errors` once as gRPC status codes. A service
declares only its own subclasses (a constructor that fills `detail`/`detail_en`, a `code`).

The members a client reads (see `Problem` in qingshan_core.problems):

- `code`: stable, machine-readable (`not_found`, `invalid_transition`, a rule's own code ...);
- `title`/`detail` in Chinese, `title_en`/`detail_en` in English;
- `field` (the offending field) and `errors` (every refused field, each with its own
  `detail`/`detail_en`) for a 422;
- `current` (the state the request collided with; the attribute `current_info`) for a 409;
- `retry_after` (seconds; also the Retry-After header) for a 429/503 or a busy 409;
- `extra`: members of the service's own (RFC 9457 extension members).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

_CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")


def bilingual(text: str) -> tuple[str, str]:
    """Split "中文 / English" (either order) into (zh, en); the whole text for both otherwise."""
    parts = [p.strip() for p in text.split(" / ", 1)]
    if len(parts) == 2:
        zh_first = bool(_CJK.search(parts[0])) or not _CJK.search(parts[1])
        return (parts[0], parts[1]) if zh_first else (parts[1], parts[0])
    return text, text


@dataclasses.dataclass(frozen=True, slots=True)
class FieldProblem:
    """One refused input: which field (a dotted path, or a column), and why in both languages."""

    field: str
    detail: str
    detail_en: str
    extra: Mapping[str, Any] = dataclasses.field(default_factory=dict)


class QingshanError(Exception):
    """Base of every error a caller may see. Subclasses set `status`, `code` and the titles."""

    status: ClassVar[int] = 400
    code: str = "bad_request"
    title: ClassVar[str] = "请求有误"
    title_en: ClassVar[str] = "Bad request"

    def __init__(
        self,
        detail: str | None = None,
        detail_en: str | None = None,
        *,
        code: str | None = None,
        field: str | None = None,
        errors: Iterable[FieldProblem] = (),
        current: Mapping[str, Any] | None = None,
        retry_after: int | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        zh = self.title if detail is None else detail
        en = detail_en if detail_en is not None else (self.title_en if detail is None else zh)
        super().__init__(zh if zh == en else f"{zh} / {en}")
        self.detail, self.detail_en = zh, en
        if code is not None:
            self.code = code
        self.errors: tuple[FieldProblem, ...] = tuple(errors)
        self.field = field if field is not None else (self.errors[0].field if self.errors else None)
        self.current_info = dict(current) if current is not None else None
        self.retry_after = retry_after
        self.extra: dict[str, Any] = dict(extra or {})


class NotFound(QingshanError):
    """No such record (404)."""

    status = 404
    code = "not_found"
    title = "未找到"
    title_en = "Not found"


class Unauthorized(QingshanError):
    """No valid credentials (401); answered with `WWW-Authenticate: Bearer`."""

    status = 401
    code = "unauthorized"
    title = "未登录或令牌无效"
    title_en = "Unauthorized"


class Forbidden(QingshanError):
    """The caller's role or unit may not do this (403)."""

    status = 403
    code = "forbidden"
    title = "无权执行"
    title_en = "Forbidden"


class Gone(QingshanError):
    """The record existed but what was asked for has been removed for good (410), e.g. a
    reporter's identity erased on request or after its retention period."""

    status = 410
    code = "gone"
    title = "已依法删除"
    title_en = "Gone"


class Conflict(QingshanError):
    """Not possible as things stand (409): `current` says how they stand, where it is known."""

    status = 409
    code = "conflict"
    title = "与当前状态冲突"
    title_en = "Conflict"


class InvalidTransition(Conflict):
    """The action is not possible in the aggregate's current state (409 with `current`)."""

    code = "invalid_transition"
    title = "当前状态下不能执行该操作"
    title_en = "Invalid transition"


class AlreadyExists(Conflict):
    """A record with that id or unique value exists already (409)."""

    code = "already_exists"
    title = "已存在"
    title_en = "Already exists"


class ConcurrentUpdate(Conflict):
    """The record changed while this request worked on it (409): read it again and retry."""

    code = "concurrent_update"
    title = "数据已被他人修改，请重试"
    title_en = "Changed concurrently, retry"


class RuleViolation(QingshanError):
    """Refused input or a broken business rule (422): `field`/`errors` name what was refused."""

    status = 422
    code = "rule_violation"
    title = "请求不符合要求"
    title_en = "Unprocessable request"


class TooManyRequests(QingshanError):
    """Too many requests from this caller (429 with `retry_after`)."""

    status = 429
    code = "too_many_requests"
    title = "请求过于频繁，请稍后重试"
    title_en = "Too many requests"


class Unavailable(QingshanError):
    """A part the request needs is down for now (503 with `retry_after`)."""

    status = 503
    code = "unavailable"
    title = "服务暂不可用，请稍后重试"
    title_en = "Service unavailable"
