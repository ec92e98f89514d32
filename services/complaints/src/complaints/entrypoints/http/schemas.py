"""REST bodies (separate from the domain): validated here so bad input is a 422 naming the field,
with a message a Chinese operator understands."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

from complaints.domain.model import Category, Channel, Satisfaction, Urgency, normal_phone

# Mainland China, generously bounded (WGS84).
LAT_RANGE, LON_RANGE = (3.8, 53.6), (73.5, 135.1)
MOBILE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE = re.compile(r"^0\d{2,3}\d{7,8}$")
CLOCK_SKEW = timedelta(minutes=2)


class LocationIn(BaseModel):
    """Where the problem is."""

    model_config = ConfigDict(extra="forbid")
    address: str = Field(min_length=1, max_length=200, description="地址 / address")
    town: str = Field(default="", max_length=50, description="镇街 / town or street office")
    lat: float | None = Field(default=None, description="WGS84 latitude")
    lon: float | None = Field(default=None, description="WGS84 longitude")

    @field_validator("address")
    @classmethod
    def _address(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("地址不能为空 / address must not be blank")
        return v.strip()

    @field_validator("lat")
    @classmethod
    def _lat(cls, v: float | None) -> float | None:
        if v is not None and not LAT_RANGE[0] <= v <= LAT_RANGE[1]:
            raise ValueError("纬度不在中国境内 / latitude is outside China")
        return v

    @field_validator("lon")
    @classmethod
    def _lon(cls, v: float | None) -> float | None:
        if v is not None and not LON_RANGE[0] <= v <= LON_RANGE[1]:
            raise ValueError("经度不在中国境内 / longitude is outside China")
        return v

    @model_validator(mode="after")
    def _pair(self) -> LocationIn:
        if (self.lat is None) != (self.lon is None):
            raise ValueError("经纬度须同时提供 / lat and lon come together")
        return self


class ComplainantIn(BaseModel):
    """The reporter; anonymous reports carry no name or phone."""

    model_config = ConfigDict(extra="forbid")
    anonymous: bool = False
    name: str | None = Field(default=None, max_length=50)
    phone: str | None = Field(default=None, max_length=30)

    @field_validator("phone")
    @classmethod
    def _phone(cls, v: str | None) -> str | None:
        if v is None or not v.strip():
            return None
        digits = normal_phone(v)
        if not (MOBILE.match(digits) or LANDLINE.match(digits)):
            raise ValueError(
                "电话号码不是有效的大陆手机或座机号码 / not a plausible mainland phone number"
            )
        return digits

    @model_validator(mode="after")
    def _identity(self) -> ComplainantIn:
        if self.anonymous and (self.name or self.phone):
            raise ValueError(
                "匿名举报不得填写姓名或电话 / anonymous reports carry no name or phone"
            )
        if not self.anonymous and not ((self.name or "").strip() or self.phone):
            raise ValueError("实名举报须填写姓名或电话 / a named report needs a name or a phone")
        return self


class ComplaintCreate(BaseModel):
    """POST /v1/complaints."""

    model_config = ConfigDict(extra="forbid")
    channel: Channel = Field(description="12345 | 12369 | web | app | letter | visit")
    external_id: str | None = Field(
        default=None, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$", description="平台工单号"
    )
    category: Category = Field(
        description="air water noise solid_waste soil radiation ecology other"
    )
    urgency: Urgency = Urgency.NORMAL
    description: str = Field(min_length=1, max_length=4000)
    location: LocationIn
    complainant: ComplainantIn
    received_at: AwareDatetime | None = Field(
        default=None, description="平台受理时间 (defaults to now; never in the future)"
    )

    @field_validator("received_at")
    @classmethod
    def _not_future(cls, v: datetime | None) -> datetime | None:
        if v is not None and v > datetime.now(UTC) + CLOCK_SKEW:
            raise ValueError("受理时间不能晚于当前时间 / received_at is in the future")
        return v

    @field_validator("description")
    @classmethod
    def _description(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("问题描述不能为空 / description must not be blank")
        return v.strip()


class DraftIn(BaseModel):
    """POST /v1/complaints/duplicates: a report being typed, before it is submitted."""

    model_config = ConfigDict(extra="forbid")
    category: Category
    location: LocationIn
    phone: str | None = Field(default=None, max_length=30, description="来电号码 (optional)")

    @field_validator("phone")
    @classmethod
    def _phone(cls, v: str | None) -> str | None:
        return ComplainantIn._phone(v)


class NoteIn(BaseModel):
    """POST /v1/complaints/{id}/notes: an internal note (never shown to the reporter)."""

    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=2000, description="备注内容")


class ActionBody(BaseModel):
    """POST /v1/complaints/{id}/{action}: each action reads the fields it needs."""

    model_config = ConfigDict(extra="forbid")
    unit_id: str | None = Field(default=None, max_length=64, description="assign, reopen")
    reason: str | None = Field(default=None, max_length=2000, description="return, extend …")
    amount: int | None = Field(default=None, ge=1, le=366, description="extend")
    text: str | None = Field(default=None, max_length=8000, description="reply")
    substantiated: bool | None = Field(default=None, description="close")
    note: str | None = Field(default=None, max_length=2000, description="close")
    satisfaction: Satisfaction | None = Field(default=None, description="follow-up")
    into_id: str | None = Field(default=None, max_length=64, description="merge")
    deadline: AwareDatetime | None = Field(
        default=None, description="bureau-supervise: 督办回复期限 (optional)"
    )


class PolicyIn(BaseModel):
    """A deadline policy: every limit as {amount, unit}."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$")
    channel: Channel | None = None
    category: Category | None = None
    urgency: Urgency | None = None
    limits: dict[str, dict[str, Any]] = Field(
        description="assign, accept, reply, close, extension_max, return_window"
    )


class CalendarDayIn(BaseModel):
    """One override: is this date a working day?"""

    model_config = ConfigDict(extra="forbid")
    workday: bool
    note: str = Field(default="", max_length=200)
