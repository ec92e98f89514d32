"""Pydantic's refusals in words an operator reads: the field's name and the reason in Chinese.

`validation_problem` turns them into the one 422 (HTTP: FastAPI's RequestValidationError; gRPC:
a servicer's pydantic ValidationError).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from qingshan_core.errors import FieldProblem, RuleViolation, bilingual

# By pydantic error type; {name} placeholders come from the error's `ctx`.
_ZH = {
    "missing": "必填",
    "extra_forbidden": "不允许此字段",
    "json_invalid": "请求体不是有效的 JSON",
    "model_attributes_type": "应为对象",
    "dict_type": "应为对象",
    "list_type": "应为列表",
    "string_type": "应为文本",
    "string_too_short": "长度不能少于{min_length}",
    "string_too_long": "长度不能超过{max_length}",
    "string_pattern_mismatch": "格式不正确",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "decimal_parsing": "应为数字",
    "bool_type": "应为是/否",
    "bool_parsing": "应为是/否",
    "greater_than": "应大于{gt}",
    "greater_than_equal": "应不小于{ge}",
    "less_than": "应小于{lt}",
    "less_than_equal": "应不大于{le}",
    "too_short": "至少需要{min_length}项",
    "too_long": "最多{max_length}项",
    "enum": "取值应为：{expected}",
    "literal_error": "取值应为：{expected}",
    "date_parsing": "日期格式不正确（YYYY-MM-DD）",
    "date_from_datetime_parsing": "日期格式不正确（YYYY-MM-DD）",
    "date_type": "应为日期",
    "datetime_parsing": "时间格式不正确（ISO 8601）",
    "datetime_from_date_parsing": "时间格式不正确（ISO 8601）",
    "datetime_type": "应为时间",
    "timezone_aware": "时间须带时区",
    "uuid_parsing": "应为 UUID",
    "url_parsing": "网址格式不正确",
}


class _Blank(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return ""


def field_name(loc: Sequence[Any]) -> str:
    """The dotted field path of a pydantic `loc`, without "body"/"query"/"path"/"header"."""
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or ".".join(str(p) for p in loc)


def zh_message(error: Mapping[str, Any]) -> str:
    """Why pydantic refused a value, in Chinese (a validator's own "中文 / English" kept)."""
    kind = str(error.get("type", ""))
    if kind in _ZH:
        return _ZH[kind].format_map(_Blank(error.get("ctx") or {}))
    message = str(error.get("msg", ""))
    if kind in ("value_error", "assertion_error"):
        zh, _ = bilingual(message.removeprefix("Value error, ").removeprefix("Assertion failed, "))
        return zh
    return "取值无效"


def validation_problem(raw: Sequence[Mapping[str, Any]]) -> RuleViolation:
    """FastAPI's refused-request errors as one 422 that names every field, in Chinese too."""
    items = [
        FieldProblem(
            field_name(e["loc"]),
            zh_message(e),
            str(e["msg"]),
            {"loc": list(e["loc"]), "type": e["type"]},
        )
        for e in raw
    ]
    names = "、".join(dict.fromkeys(i.field for i in items))
    return RuleViolation(
        f"请求参数有误：{names}",
        f"invalid request: {', '.join(dict.fromkeys(i.field for i in items))}",
        code="invalid_request",
        errors=items,
    )
