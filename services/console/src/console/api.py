"""The four services' public HTTP APIs, called with the signed-in person's token, and the one
place their error answers are read.

`problem()` understands every error shape the services answer with: today's (`detail` as a
sentence or as a list of refused fields, `code`, `message`, `field`) and RFC 9457 problem
details (`title`, `detail`, `code`, `field`, `errors`, `status`), so the services' switch to
problem+json is one edit here at most. What it returns is shown to people: Chinese, with the
fields it concerns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import httpx

from console.signin import SignInRequired

CJK = re.compile(r"[\u4e00-\u9fff]")
STATUS_ZH = {
    400: "请求无法解析",
    401: "登录已过期，请重新登录",
    403: "无权执行该操作",
    404: "未找到",
    409: "当前状态下不能执行该操作",
    413: "提交的内容过大",
    422: "填写的内容有误",
    429: "操作过于频繁，请稍后再试",
    503: "服务暂不可用，请稍后重试",
}
FIELD_LABELS = {
    "channel": "来源渠道",
    "external_id": "平台工单号",
    "category": "问题类别",
    "urgency": "紧急程度",
    "description": "问题描述",
    "location": "问题位置",
    "location.address": "地址",
    "location.town": "镇街",
    "location.lat": "纬度",
    "location.lon": "经度",
    "complainant": "举报人",
    "complainant.name": "姓名",
    "complainant.phone": "电话",
    "complainant.anonymous": "匿名",
    "unit_id": "承办单位",
    "reason": "原因",
    "amount": "延期天数",
    "text": "内容",
    "note": "说明",
    "into_id": "并入案件",
    "deadline": "回复期限",
    "satisfaction": "满意度",
    "substantiated": "是否属实",
    "purpose": "查阅事由",
    "phone": "电话",
    "from": "开始日期",
    "to": "结束日期",
    # the risk registry's forms
    "number": "编号",
    "credit_code": "统一社会信用代码",
    "title": "名称",
    "signed_at": "签署发布时间",
    "filing_number": "备案编号",
    "filed_at": "备案时间",
    "reviewed_at": "评估时间",
    "producer": "移出单位",
    "producer.credit_code": "移出单位统一社会信用代码",
    "producer.name": "移出单位名称",
    "receiver": "接受单位",
    "receiver.credit_code": "接受单位统一社会信用代码",
    "receiver.name": "接受单位名称",
    "vehicle_plate": "车牌号",
    "planned_ship_date": "计划转移日期",
    "waste_code": "危废代码",
    "quantity": "数量",
    "holder_credit_code": "持证单位统一社会信用代码",
    "holder_name": "持证单位名称",
    "valid_from": "有效期起",
    "valid_until": "有效期止",
    "codes": "核准代码",
    "categories": "核准类别",
    "kind": "类型",
    # notify's rules, recipients, groups and chains (a list's item is labelled as its list)
    "id": "编号",
    "name": "名称",
    "email": "邮箱",
    "subject": "登录名",
    "event_type": "事件",
    "channels": "渠道",
    "targets": "首发对象",
    "conditions": "条件",
    "escalation": "升级对象",
    "priority": "优先级",
    "digest": "汇总",
    "ack_within_minutes": "确认时限",
    "template_variant": "模板变体",
    "unit_attr": "单位属性",
    "members": "成员",
    "quiet_hours": "免打扰时段",
    "quiet_hours.start": "免打扰开始",
    "quiet_hours.end": "免打扰结束",
    "quiet_hours.tz": "时区",
    "wecom": "企业微信机器人",
    "wecom.url": "企业微信机器人",
    "dingtalk": "钉钉机器人",
    "dingtalk.url": "钉钉机器人",
    "handlers": "承办人员",
    "unit_heads": "单位负责人",
    "bureau": "局督办",
}
LIST_ITEM = re.compile(r"\.\d+(\..*)?$")  # "targets.0.ref" → "targets"
# Pydantic's error types, for field errors whose message is English.
TYPE_ZH = {
    "missing": "必填",
    "string_too_short": "不能为空",
    "string_too_long": "内容过长",
    "string_pattern_mismatch": "格式不正确",
    "enum": "取值无效",
    "literal_error": "取值无效",
    "int_parsing": "须为整数",
    "float_parsing": "须为数字",
    "bool_parsing": "须为是或否",
    "greater_than_equal": "数值太小",
    "less_than_equal": "数值太大",
    "extra_forbidden": "不应填写",
    "datetime_parsing": "时间格式不正确",
    "date_from_datetime_parsing": "日期格式不正确",
    "timezone_aware": "须带时区",
}


def zh(text: str) -> str | None:
    """The Chinese half of a "中文 / English" message (or the message, if it is Chinese)."""
    text = re.sub(r"^Value error, ", "", text.strip())
    for part in text.split(" / "):
        if CJK.search(part):
            return part.strip()
    return None


@dataclass(frozen=True)
class FieldError:
    field: str
    label: str
    message: str
    row: int | None = None  # a refused table row (an import), as the file numbers it


@dataclass
class ApiError(Exception):
    """An error answer, ready to show: a Chinese sentence and the fields it concerns."""

    status: int
    message: str
    fields: list[FieldError] = field(default_factory=list)
    code: str | None = None
    retry_after: str | None = None

    def __str__(self) -> str:
        return f"{self.status} {self.message}"


def _field_error(item: dict[str, Any]) -> FieldError:
    name = str(item.get("field") or ".".join(str(p) for p in item.get("loc", [])[1:]) or "")
    text = str(item.get("detail") or item.get("message") or item.get("msg") or "")
    message = zh(text) or TYPE_ZH.get(str(item.get("type")), "") or "填写有误"
    label = str(
        item.get("column_zh")
        or FIELD_LABELS.get(name)
        or FIELD_LABELS.get(LIST_ITEM.sub("", name), name)
    )
    row = item.get("row")
    return FieldError(name, label, message, row if isinstance(row, int) else None)


def problem(
    status: int, body: Any, headers: httpx.Headers | dict[str, str] | None = None
) -> ApiError:
    """An error answer of any service, in any of its shapes, as people read it."""
    retry = (headers or {}).get("Retry-After")
    if not isinstance(body, dict):
        return ApiError(status, STATUS_ZH.get(status, "操作失败"), retry_after=retry)
    code = body.get("code")
    detail = body.get("detail")
    items: list[Any] = body.get("errors") or (detail if isinstance(detail, list) else [])
    fields = [_field_error(i) for i in items if isinstance(i, dict)]
    texts = [body.get("message"), detail if isinstance(detail, str) else None, body.get("title")]
    message = next((m for t in texts if isinstance(t, str) and (m := zh(t))), None)
    if body.get("field") and not fields:
        name = str(body["field"])
        fields = [FieldError(name, FIELD_LABELS.get(name, name), message or "填写有误")]
    if message and fields and message.startswith(f"{fields[0].field}: "):
        message = message[len(fields[0].field) + 2 :]  # "receiver: 接收单位…": the field is listed
    if message is None or (fields and message.startswith("请求参数有误")):
        message = STATUS_ZH.get(status, "操作失败")
    if retry and status in (429, 503):
        message = f"{message}（请{retry}秒后重试）"
    return ApiError(status, message, fields, code if isinstance(code, str) else None, retry)


class Api:
    """One HTTP client for the four services; every call carries the caller's token."""

    def __init__(self, upstreams: dict[str, str], timeout: float) -> None:
        self.upstreams = upstreams
        self.client = httpx.AsyncClient(timeout=timeout)

    async def close(self) -> None:
        await self.client.aclose()

    async def call(
        self,
        method: str,
        service: str,
        path: str,
        token: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        next_path: str = "/",
        idempotency_key: str | None = None,
        files: dict[str, tuple[str, bytes, str]] | None = None,
        raw: bool = False,
    ) -> Any:
        """The decoded answer (`raw`: the httpx response itself, e.g. a file); ApiError for
        an error answer, SignInRequired for a 401. `files` uploads as multipart/form-data."""
        url = self.upstreams[service] + path
        clean = {k: v for k, v in (params or {}).items() if v not in (None, "")}
        headers = {"Authorization": f"Bearer {token}"} if token else {}  # "": no credentials
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        try:
            r = await self.client.request(
                method, url, params=clean, json=json, headers=headers, files=files
            )
        except httpx.HTTPError as exc:
            raise ApiError(503, STATUS_ZH[503]) from exc
        if r.status_code == 401:
            raise SignInRequired(next_path)
        if r.status_code >= 400:
            try:
                body = r.json()
            except ValueError:
                body = None
            raise problem(r.status_code, body, r.headers)
        if raw:
            return r
        return r.json() if r.content else None

    async def ready(self) -> dict[str, bool]:
        """Whether each service answers its /healthz."""
        out = {}
        for name, base in self.upstreams.items():
            try:
                out[name] = (await self.client.get(base + "/healthz", timeout=2)).status_code == 200
            except httpx.HTTPError:
                out[name] = False
        return out
