"""REST bodies of the directory (pydantic), separate from the domain. Robot secrets are never
read back: only whether one is set."""

from __future__ import annotations

from datetime import time
from functools import cache
from typing import Annotated
from urllib.parse import parse_qsl, urlsplit, urlunsplit
from zoneinfo import available_timezones

from pydantic import AfterValidator, BaseModel, Field, WithJsonSchema, field_validator

from notify.domain.model import SHANGHAI, EscalationChain, Group, QuietHours, Recipient, Robot

Ident = Field(min_length=1, max_length=100, pattern=r"^[^\s$.][^\s]*$")


def _wall_clock(v: time) -> time:
    # The zone is `tz`: an offset here would make the quiet-hours check compare naive and
    # aware times (a TypeError when the message is planned).
    if v.tzinfo is not None:
        raise ValueError("a local time without offset (the zone is tz) / 本地时刻，不带时区偏移")
    return v


LocalTime = Annotated[
    time,
    AfterValidator(_wall_clock),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$",
            "examples": ["22:00"],
        }
    ),
]


@cache
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


class QuietHoursBody(BaseModel):
    start: LocalTime = time(22, 0)
    end: LocalTime = time(7, 0)
    tz: str = Field(default=SHANGHAI, description="IANA time zone, e.g. Asia/Shanghai")
    enabled: bool = True

    @field_validator("tz")
    @classmethod
    def _known_zone(cls, v: str) -> str:
        if v not in _zones():
            raise ValueError(f"unknown time zone / 未知时区: {v!r}")
        return v

    def domain(self) -> QuietHours:
        return QuietHours(self.start, self.end, self.tz, self.enabled)

    @classmethod
    def of(cls, q: QuietHours | None) -> QuietHoursBody | None:
        return None if q is None else cls(start=q.start, end=q.end, tz=q.tz, enabled=q.enabled)


class RobotIn(BaseModel):
    url: str = Field(min_length=1, max_length=2000)
    secret: str = Field(
        default="", max_length=200, description="DingTalk signing secret / 加签密钥"
    )

    def domain(self) -> Robot:
        return Robot(self.url, self.secret)


class RobotOut(BaseModel):
    """The webhook's key/token is a credential: query values are masked when read back."""

    url: str
    signed: bool

    @classmethod
    def of(cls, r: Robot | None) -> RobotOut | None:
        return None if r is None else cls(url=mask_query(r.url), signed=bool(r.secret))


def keep_stored(body: RobotIn | None, stored: Robot | None) -> RobotIn | None:
    """A replace that sends back the masked URL it read keeps the stored webhook (and its
    secret, unless a new one is given): a form can be saved without retyping credentials."""
    if body is None or stored is None or body.url != mask_query(stored.url):
        return body
    return RobotIn(url=stored.url, secret=body.secret or stored.secret)


def mask_query(url: str) -> str:
    parts = urlsplit(url)
    if not parts.query:
        return url
    masked = "&".join(f"{k}=***" for k, _ in parse_qsl(parts.query, keep_blank_values=True))
    return urlunsplit(parts._replace(query=masked))


class RecipientIn(BaseModel):
    id: str = Ident
    name: str = Field(min_length=1, max_length=100)
    unit: str = ""
    subject: str = Field(
        default="", description="login (token subject) owning the inbox; default id"
    )
    email: str = ""
    phone: str = ""
    wecom: RobotIn | None = None
    dingtalk: RobotIn | None = None
    quiet_hours: QuietHoursBody | None = None
    active: bool = True

    def domain(self) -> Recipient:
        return Recipient(
            id=self.id,
            name=self.name,
            unit=self.unit,
            subject=self.subject,
            email=self.email.strip(),
            phone=self.phone.strip(),
            wecom=self.wecom.domain() if self.wecom else None,
            dingtalk=self.dingtalk.domain() if self.dingtalk else None,
            quiet_hours=self.quiet_hours.domain() if self.quiet_hours else None,
            active=self.active,
        )


class RecipientOut(BaseModel):
    id: str
    name: str
    unit: str
    subject: str
    email: str
    phone: str
    wecom: RobotOut | None
    dingtalk: RobotOut | None
    quiet_hours: QuietHoursBody | None
    active: bool

    @classmethod
    def of(cls, r: Recipient) -> RecipientOut:
        return cls(
            id=r.id,
            name=r.name,
            unit=r.unit,
            subject=r.login,
            email=r.email,
            phone=r.phone,
            wecom=RobotOut.of(r.wecom),
            dingtalk=RobotOut.of(r.dingtalk),
            quiet_hours=QuietHoursBody.of(r.quiet_hours),
            active=r.active,
        )


class GroupIn(BaseModel):
    id: str = Ident
    name: str = Field(min_length=1, max_length=100)
    members: list[str] = []
    wecom: RobotIn | None = None
    dingtalk: RobotIn | None = None
    quiet_hours: QuietHoursBody | None = None

    def domain(self) -> Group:
        return Group(
            self.id,
            self.name,
            tuple(dict.fromkeys(self.members)),
            self.wecom.domain() if self.wecom else None,
            self.dingtalk.domain() if self.dingtalk else None,
            self.quiet_hours.domain() if self.quiet_hours else None,
        )


class GroupOut(BaseModel):
    id: str
    name: str
    members: list[str]
    wecom: RobotOut | None
    dingtalk: RobotOut | None
    quiet_hours: QuietHoursBody | None

    @classmethod
    def of(cls, g: Group) -> GroupOut:
        return cls(
            id=g.id,
            name=g.name,
            members=list(g.members),
            wecom=RobotOut.of(g.wecom),
            dingtalk=RobotOut.of(g.dingtalk),
            quiet_hours=QuietHoursBody.of(g.quiet_hours),
        )


class ChainBody(BaseModel):
    handlers: list[str] = []
    unit_heads: list[str] = []
    bureau: list[str] = []

    def domain(self, unit: str) -> EscalationChain:
        return EscalationChain(
            unit, tuple(self.handlers), tuple(self.unit_heads), tuple(self.bureau)
        )


class ChainOut(ChainBody):
    unit: str
    source: str = "admin"  # registry: handlers and unit heads from complaints' unit registry

    @classmethod
    def of(cls, c: EscalationChain, source: str = "admin") -> ChainOut:
        return cls(
            unit=c.unit,
            source=source,
            handlers=list(c.handlers),
            unit_heads=list(c.unit_heads),
            bureau=list(c.bureau),
        )
