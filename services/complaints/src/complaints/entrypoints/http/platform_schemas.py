"""Bodies and answers of the platform-facing API (the city 12345 platform, 12369)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

REQUEST_ID = Field(
    min_length=1,
    max_length=128,
    pattern=r"^[\x21-\x7e]+$",
    description="平台请求号 / the platform's request id: a repeat is answered, not applied again",
)


class PlatformCode(StrEnum):
    """The platforms whose orders come in (and whose steps go back)."""

    HOTLINE_12345 = "12345"
    PLATFORM_12369 = "12369"


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")
    request_id: str = REQUEST_ID


class UrgeIn(_In):
    """催办 / 督办."""

    note: str = Field(
        default="", max_length=500, description="催办/督办意见 / what the centre says"
    )


class ExtensionDecisionIn(_In):
    """The city centre's decision on the pending 延期 request."""

    approved: bool = Field(description="同意延期 / approved")
    reason: str = Field(default="", max_length=500, description="审核意见 / why")


class FollowUpIn(_In):
    """回访 result."""

    satisfaction: str = Field(
        min_length=1,
        max_length=20,
        description="满意度：满意 | 基本满意 | 不满意 (or satisfied | basically_satisfied | "
        "dissatisfied); 不满意 sends the case back to its unit for rework",
    )
    note: str = Field(default="", max_length=500, description="回访记录 / what the caller said")

    @field_validator("satisfaction")
    @classmethod
    def _satisfaction(cls, v: str) -> str:
        return v.strip()


class WithdrawIn(_In):
    """撤单."""

    reason: str = Field(min_length=1, max_length=500, description="撤单原因 / why")

    @field_validator("reason")
    @classmethod
    def _reason(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("撤单原因不能为空 / reason must not be blank")
        return v.strip()


class RedispatchIn(_In):
    """改派 to another handling unit."""

    unit_id: str = Field(min_length=1, max_length=64, description="新承办单位 / the new unit")
    reason: str = Field(default="", max_length=500, description="改派原因 / why")

    @field_validator("unit_id")
    @classmethod
    def _unit(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("承办单位不能为空 / unit_id must not be blank")
        return v.strip()


class StepOut(BaseModel):
    """One district step and what became of it on its way to the platform."""

    seq: int
    step: str
    step_label: str
    outcome: str = Field(description="delivered | duplicate | refused | waiting")
    status: int | None = Field(default=None, description="the platform's HTTP status")
    attempts: int = 0
    answer: str | None = Field(default=None, description="the platform's answer (refusals)")


class PlatformOrderOut(BaseModel):
    """The order as qingshan holds it."""

    platform: PlatformCode
    order_number: str
    complaint_id: str
    status: str
    status_label: str
    unit_id: str | None = None
    escalation_level: str | None = Field(default=None, description="urge (催办) | supervise (督办)")
    urge_count: int = 0
    supervise_count: int = 0
    satisfaction: str | None = None
    reopen_count: int = 0
    pending_extension: bool = False
    deadline: datetime | None = Field(default=None, description="办理时限 (reply, else close)")
    duplicate: bool = Field(default=False, description="a repeated request id: nothing changed")
    steps: list[StepOut] | None = Field(default=None, description="only on GET")
