"""What notify's administration forms share: reading a submitted form into notify's REST bodies
(targets "kind:ref", conditions one a line, quiet hours, group robots) and the lists the
pickers offer. A form that cannot be read is refused like notify refuses (422 naming the
field), so the page shows both the same way, next to the field."""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.datastructures import FormData

from console.api import Api, ApiError, FieldError

CHANNELS = {
    "inbox": "站内信",
    "email": "邮件",
    "sms": "短信",
    "wecom": "企业微信",
    "dingtalk": "钉钉",
}
UNIT_LEVELS = {"handler": "承办人员", "unit_head": "单位负责人", "bureau": "局督办"}
DIGESTS = {"": "不汇总（逐条发送）", "hourly": "每小时汇总", "daily": "每日汇总（08:00）"}
KINDS = {"unit": "单位岗位", "group": "分组", "recipient": "接收人"}
ESCALATION_STEPS = 3  # the form offers this many steps after the first notice


def refuse(field: str, label: str, message: str) -> ApiError:
    return ApiError(422, "填写的内容有误", [FieldError(field, label, message)])


def text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def values(form: FormData, name: str) -> list[str]:
    return [v.strip() for v in form.getlist(name) if isinstance(v, str) and v.strip()]


def targets(form: FormData, name: str) -> list[dict[str, str]]:
    """Picker values "unit:handler", "group:duty", "recipient:p-01" as rule targets."""
    out = []
    for v in values(form, name):
        kind, _, ref = v.partition(":")
        if kind not in KINDS or not ref:
            raise refuse(name, "对象", f"无法识别的对象：{v}")
        out.append({"kind": kind, "ref": ref})
    return out


def conditions(form: FormData, name: str = "conditions") -> list[dict[str, Any]]:
    """One condition a line: `attr = v1, v2` (any of) or `attr != v1, v2` (none of)."""
    out: list[dict[str, Any]] = []
    for n, line in enumerate(text(form, name).splitlines(), start=1):
        if not line.strip():
            continue
        negate = "!=" in line
        attr, sep, rest = line.partition("!=" if negate else "=")
        vals = [v.strip() for v in rest.replace("，", ",").split(",") if v.strip()]
        if not sep or not attr.strip() or not vals:
            raise refuse(name, "条件", f"第 {n} 行应写作「属性 = 值1, 值2」或「属性 != 值」")
        out.append({"attr": attr.strip(), "values": vals, "negate": negate})
    return out


def whole_number(form: FormData, name: str, label: str) -> int | None:
    raw = text(form, name)
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError as exc:
        raise refuse(name, label, "须为整数") from exc


def quiet_hours(form: FormData, prefix: str = "quiet_hours") -> dict[str, Any] | None:
    """默认 (None: notify's 22:00–07:00), 关闭 (enabled false), or a window of one's own."""
    mode = text(form, f"{prefix}.mode")
    if mode == "off":
        return {"enabled": False}
    if mode != "custom":
        return None
    window: dict[str, Any] = {"enabled": True, "tz": text(form, f"{prefix}.tz") or "Asia/Shanghai"}
    for end in ("start", "end"):
        if not (value := text(form, f"{prefix}.{end}")):
            raise refuse(f"{prefix}.{end}", "免打扰时段", "请填写起止时刻")
        window[end] = value
    return window


def robot(form: FormData, prefix: str) -> dict[str, str] | None:
    """A group robot's webhook; the read-back (masked) URL left as it is keeps the stored one."""
    url = text(form, f"{prefix}.url")
    if not url:
        return None
    return {"url": url, "secret": text(form, f"{prefix}.secret")}


async def directory(api: Api, token: str) -> dict[str, Any]:
    """What the pickers offer: recipients, groups and the registry's units (for chains)."""
    recipients, groups = await asyncio.gather(
        api.call("GET", "notify", "/v1/recipients", token),
        api.call("GET", "notify", "/v1/groups", token),
    )
    return {"recipients": recipients, "groups": groups}
