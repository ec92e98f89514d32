"""Who hears about what: channels, priorities, recipients, groups, escalation chains, rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from enum import StrEnum

SHANGHAI = "Asia/Shanghai"


class Channel(StrEnum):
    """How a message reaches a person."""

    EMAIL = "email"
    SMS = "sms"
    WECOM = "wecom"  # 企业微信群机器人
    DINGTALK = "dingtalk"  # 钉钉群机器人
    INBOX = "inbox"  # 站内信

    @property
    def label(self) -> str:
        return CHANNEL_LABELS[self]

    @property
    def is_robot(self) -> bool:
        """Group robots post into a chat: one message per group, not per member."""
        return self in (Channel.WECOM, Channel.DINGTALK)

    @property
    def is_push(self) -> bool:
        """Channels that interrupt someone: quiet hours, digests and rate limits apply."""
        return self is not Channel.INBOX


CHANNEL_LABELS = {
    Channel.EMAIL: "邮件",
    Channel.SMS: "短信",
    Channel.WECOM: "企业微信",
    Channel.DINGTALK: "钉钉",
    Channel.INBOX: "站内信",
}


class Priority(StrEnum):
    """How urgent a message is; critical ones ignore quiet hours and digests."""

    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return list(Priority).index(self)

    @property
    def label(self) -> str:
        return {"low": "低", "normal": "普通", "high": "高", "critical": "紧急"}[self.value]


class Status(StrEnum):
    """Where a delivery is: open ones (pending, held, retrying, sending) are picked up by the
    dispatcher when their `next_attempt_at` comes; sent, failed and digested are final."""

    PENDING = "pending"
    HELD = "held"  # waiting out quiet hours
    DIGEST = "digest"  # waiting for its digest
    DIGESTED = "digested"  # folded into a digest delivery
    SENDING = "sending"  # claimed by a dispatcher (lease until next_attempt_at)
    RETRYING = "retrying"
    SENT = "sent"
    FAILED = "failed"


OPEN_STATUSES = (Status.PENDING, Status.HELD, Status.RETRYING, Status.SENDING)


class AckState(StrEnum):
    """Acknowledgement of a message that asks for one (inbox items of rules with a deadline)."""

    NONE = "none"
    AWAITING = "awaiting"
    ACKNOWLEDGED = "acknowledged"
    COVERED = "covered"  # someone else of the same notice acknowledged it
    ESCALATED = "escalated"


class DigestPeriod(StrEnum):
    """How often low-priority messages are grouped into one."""

    HOURLY = "hourly"
    DAILY = "daily"


@dataclass(frozen=True, slots=True)
class QuietHours:
    """A daily window (local time) in which non-critical push messages wait; start > end wraps
    past midnight (the default 22:00–07:00). `enabled=False` opts a recipient out."""

    start: time = time(22, 0)
    end: time = time(7, 0)
    tz: str = SHANGHAI
    enabled: bool = True


DEFAULT_QUIET_HOURS = QuietHours()


@dataclass(frozen=True, slots=True)
class Robot:
    """A WeCom or DingTalk group robot: its webhook URL and (DingTalk) signing secret."""

    url: str
    secret: str = ""


@dataclass(frozen=True, slots=True)
class Recipient:
    """A person who receives messages. `subject` is the login (token subject) that owns the
    inbox; it defaults to the id."""

    id: str
    name: str
    unit: str = ""
    subject: str = ""
    email: str = ""
    phone: str = ""
    wecom: Robot | None = None
    dingtalk: Robot | None = None
    quiet_hours: QuietHours | None = None
    active: bool = True

    @property
    def login(self) -> str:
        return self.subject or self.id

    def address(self, channel: Channel) -> str:
        """The address this person has on `channel` ("" when none)."""
        if channel is Channel.EMAIL:
            return self.email
        if channel is Channel.SMS:
            return self.phone
        if channel is Channel.INBOX:
            return self.id
        robot = self.wecom if channel is Channel.WECOM else self.dingtalk
        return robot.url if robot else ""


@dataclass(frozen=True, slots=True)
class Group:
    """A set of recipients (e.g. 应急办), optionally with its own group-chat robots."""

    id: str
    name: str
    members: tuple[str, ...] = ()
    wecom: Robot | None = None
    dingtalk: Robot | None = None
    quiet_hours: QuietHours | None = None

    def robot(self, channel: Channel) -> Robot | None:
        if channel is Channel.WECOM:
            return self.wecom
        if channel is Channel.DINGTALK:
            return self.dingtalk
        return None


class UnitLevel(StrEnum):
    """Steps of a unit's escalation chain: handler → unit head → bureau supervisor."""

    HANDLER = "handler"
    UNIT_HEAD = "unit_head"
    BUREAU = "bureau"


ANY_UNIT = "*"


@dataclass(frozen=True, slots=True)
class EscalationChain:
    """Who is who in one unit (`*` is the fallback chain, usually holding the bureau)."""

    unit: str
    handlers: tuple[str, ...] = ()
    unit_heads: tuple[str, ...] = ()
    bureau: tuple[str, ...] = ()

    def level(self, level: UnitLevel) -> tuple[str, ...]:
        if level is UnitLevel.HANDLER:
            return self.handlers
        if level is UnitLevel.UNIT_HEAD:
            return self.unit_heads
        return self.bureau


@dataclass(frozen=True, slots=True)
class RegistryUnit:
    """A handling unit as complaints' unit registry last published it: the one source of a
    unit's name, head and handlers (person ids, i.e. recipient ids). notify keeps a copy,
    updated from UnitRegistered / UnitChanged / UnitRetired, and never edits it itself."""

    id: str
    name: str
    kind: str = ""
    head: str = ""
    contacts: tuple[str, ...] = ()
    active: bool = True
    version: int = 0


class TargetKind(StrEnum):
    RECIPIENT = "recipient"
    GROUP = "group"
    UNIT = "unit"  # a level of the chain of the unit(s) named by the event


@dataclass(frozen=True, slots=True)
class Target:
    """Whom a rule addresses: a recipient id, a group id, or a unit level (handler|…)."""

    kind: TargetKind
    ref: str


@dataclass(frozen=True, slots=True)
class Condition:
    """The event attribute `attr` has one of `values` (or none of them when `negate`)."""

    attr: str
    values: tuple[str, ...]
    negate: bool = False


@dataclass(frozen=True, slots=True)
class Rule:
    """Maps an event type (protobuf full name) plus attribute conditions to recipients,
    channels, template variant and priority; optional digest, acknowledgement and escalation."""

    id: str
    name: str
    event_type: str
    channels: tuple[Channel, ...]
    targets: tuple[Target, ...]
    conditions: tuple[Condition, ...] = ()
    priority: Priority = Priority.NORMAL
    template_variant: str = "default"
    unit_attr: str = "unit_id"
    digest: DigestPeriod | None = None
    ack_within_minutes: int | None = None
    escalation: tuple[tuple[Target, ...], ...] = ()
    enabled: bool = True

    @property
    def critical(self) -> bool:
        return self.priority is Priority.CRITICAL


ANY_CHANNEL = "*"


@dataclass(frozen=True, slots=True)
class Template:
    """Jinja2 text for one event type, channel (or `*`) and variant: a title and a body."""

    event_type: str
    channel: str
    title: str
    body: str
    variant: str = "default"
    description: str = ""

    @property
    def id(self) -> str:
        return template_id(self.event_type, self.channel, self.variant)


def template_id(event_type: str, channel: str, variant: str = "default") -> str:
    return f"{event_type}:{channel}:{variant}"
