"""How each platform names things: configuration, not code (no national interface schema is
published; provinces write their own, e.g. DB36/T 1180-2019).

A platform's configuration says where its API is, which fields it calls what, which status
code each district step is, and how it writes satisfaction. The defaults carry the field
names seen in practice (工单号, 诉求类型, 办理时限, 承办单位, 办理结果, 满意度); a province's
rules replace them through QINGSHAN_COMPLAINTS_PLATFORMS (JSON) or a JSON document named by
QINGSHAN_COMPLAINTS_PLATFORMS_FILE.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from complaints.domain.model import Category, Satisfaction
from complaints.domain.platform import Step
from qingshan.complaints.v1 import events_pb2 as pb
from qingshan_core.workdays import SHANGHAI

# Our name → the platform's field name.
DEFAULT_FIELDS: dict[str, str] = {
    "order_number": "工单号",
    "step": "办理环节",
    "seq": "序号",
    "category": "诉求类型",
    "deadline": "办理时限",
    "unit": "承办单位",
    "result": "办理结果",
    "reason": "原因",
    "extension_days": "延期天数",
    "extension": "延期时长",
    "substantiated": "是否属实",
    "handled_at": "办理时间",
    "satisfaction": "满意度",
}
DEFAULT_STEPS: dict[Step, str] = {s: s.label for s in Step}
DEFAULT_SATISFACTION: dict[str, Satisfaction] = {s.label: s for s in Satisfaction}
DEFAULT_CATEGORIES: dict[Category, str] = {c: f"生态环境-{c.label}" for c in Category}
DEFAULT_SUBSTANTIATED: dict[str, str] = {"true": "属实", "false": "不属实", "": "未说明"}


class PlatformConfig(BaseModel):
    """One platform's connection and vocabulary."""

    model_config = ConfigDict(extra="forbid")

    # Empty: not connected; its steps wait (stored) until it is configured.
    base_url: str = ""
    step_path: str = "/orders/{order_number}/steps"
    # The signing key to use (an id in QINGSHAN_COMPLAINTS_PLATFORM_KEYS); default the active.
    key_id: str | None = None
    timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    fields: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_FIELDS))
    steps: dict[Step, str] = Field(default_factory=lambda: dict(DEFAULT_STEPS))
    satisfaction: dict[str, Satisfaction] = Field(
        default_factory=lambda: dict(DEFAULT_SATISFACTION)
    )
    categories: dict[Category, str] = Field(default_factory=lambda: dict(DEFAULT_CATEGORIES))
    substantiated: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_SUBSTANTIATED))
    # 回访 不满意: send the case back to its unit for rework, or only record it.
    dissatisfied: Literal["reopen", "record"] = "reopen"

    @field_validator("fields")
    @classmethod
    def _all_fields(cls, value: dict[str, str]) -> dict[str, str]:
        return {**DEFAULT_FIELDS, **value}  # a province names some fields differently

    @field_validator("steps")
    @classmethod
    def _all_steps(cls, value: dict[Step, str]) -> dict[Step, str]:
        return {**DEFAULT_STEPS, **value}

    @property
    def connected(self) -> bool:
        return bool(self.base_url)

    def url(self, order_number: str) -> str:
        return self.base_url.rstrip("/") + self.step_path.format(order_number=order_number)

    def satisfaction_of(self, value: str) -> Satisfaction | None:
        """The platform's word (满意…) or our code (satisfied…); None when it is neither."""
        if value in self.satisfaction:
            return self.satisfaction[value]
        try:
            return Satisfaction(value)
        except ValueError:
            return None


def default_platforms() -> dict[str, PlatformConfig]:
    return {"12345": PlatformConfig(), "12369": PlatformConfig()}


def _local(moment: Any) -> str:
    at: datetime = moment.ToDatetime(tzinfo=SHANGHAI)
    return at.strftime("%Y-%m-%d %H:%M:%S")


def step_body(cfg: PlatformConfig, step: pb.PlatformStepQueued) -> dict[str, Any]:
    """The JSON body of one step, in the platform's names (empty values left out)."""
    f = cfg.fields
    body: dict[str, Any] = {
        f["order_number"]: step.order_number,
        f["step"]: cfg.steps[Step(step.step)],
        f["seq"]: step.seq,
        f["category"]: cfg.categories.get(Category(step.category), step.category),
        f["handled_at"]: _local(step.occurred_at),
        f["deadline"]: _local(step.deadline),
        f["unit"]: step.unit_id,
    }
    if step.reason:
        body[f["reason"]] = step.reason
    if step.extension:
        body[f["extension"]] = step.extension
        body[f["extension_days"]] = step.extension_days
    if step.step == Step.REPLY:
        body[f["result"]] = step.reply_text
    if step.step == Step.CLOSE:
        body[f["substantiated"]] = cfg.substantiated.get(step.substantiated, step.substantiated)
    return {k: v for k, v in body.items() if v not in ("", None)}
