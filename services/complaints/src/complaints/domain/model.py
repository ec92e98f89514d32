"""Value objects of the complaints domain: channels, categories, states, roles, people, places."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

# The labels are the owner's catalogue in its contract (proto/qingshan/complaints/v1/labels.proto).
from qingshan_core.labels import label_of

# The one Role enum, re-exported for the domain (SYSTEM: the deadline sweeper).
from qingshan_core.roles import Role as Role


class Channel(StrEnum):
    """Where a complaint came in."""

    HOTLINE_12345 = "12345"  # since 2024-06 this also carries the old 12369 phone line
    PLATFORM_12369 = "12369"  # national reporting platform (WeChat account, website)
    WEB = "web"
    APP = "app"
    LETTER = "letter"  # 来信
    VISIT = "visit"  # 来访

    @property
    def label(self) -> str:
        """Chinese label."""
        return label_of("complaints.Channel", self.value)

    @property
    def is_petition(self) -> bool:
        """信访-type channels, whose limits come from 信访工作条例 rather than 12345 rules."""
        return self in (Channel.PLATFORM_12369, Channel.LETTER, Channel.VISIT)


class Category(StrEnum):
    """What the complaint is about."""

    AIR = "air"
    WATER = "water"
    NOISE = "noise"
    SOLID_WASTE = "solid_waste"
    SOIL = "soil"
    RADIATION = "radiation"
    ECOLOGY = "ecology"
    OTHER = "other"

    @property
    def label(self) -> str:
        """Chinese label."""
        return label_of("complaints.Category", self.value)


class Urgency(StrEnum):
    """How fast the case must move; drives the deadline policy."""

    NORMAL = "normal"
    URGENT = "urgent"
    VERY_URGENT = "very_urgent"  # pollution happening now (偷排, 异味扰民 at night ...)

    @property
    def label(self) -> str:
        """Chinese label."""
        return label_of("complaints.Urgency", self.value)


class Status(StrEnum):
    """States of the complaint state machine."""

    RECEIVED = "received"
    ASSIGNED = "assigned"
    ACCEPTED = "accepted"
    REPLIED = "replied"
    CLOSED = "closed"
    FOLLOWED_UP = "followed_up"
    RETURNED = "returned"  # 退单: waits for reassignment exactly like RECEIVED
    MERGED = "merged"
    WITHDRAWN = "withdrawn"  # 撤单 by the platform the order came from: final

    @property
    def label(self) -> str:
        """Chinese label."""
        return label_of("complaints.Status", self.value)


class Satisfaction(StrEnum):
    """Result of the follow-up call (回访)."""

    SATISFIED = "satisfied"
    BASICALLY_SATISFIED = "basically_satisfied"
    DISSATISFIED = "dissatisfied"

    @property
    def label(self) -> str:
        """Chinese label."""
        return _SATISFACTION_LABELS[self]


_SATISFACTION_LABELS = {
    Satisfaction.SATISFIED: "满意",
    Satisfaction.BASICALLY_SATISFIED: "基本满意",
    Satisfaction.DISSATISFIED: "不满意",
}


class Action(StrEnum):
    """Everything that changes a complaint; values match the HTTP action names."""

    RECEIVE = "receive"
    ASSIGN = "assign"
    ACCEPT = "accept"
    RETURN = "return"
    REQUEST_EXTENSION = "extend"
    APPROVE_EXTENSION = "approve-extension"
    REJECT_EXTENSION = "reject-extension"
    REPLY = "reply"
    CLOSE = "close"
    FOLLOW_UP = "follow-up"
    REOPEN = "reopen"
    MERGE = "merge"
    RAISE_ALERT = "raise-alert"
    # 督办 by the bureau's own supervisor (the platform's 督办 is SUPERVISE below).
    BUREAU_SUPERVISE = "bureau-supervise"
    # What only the platform an order came from does (its own API, not the action endpoint).
    URGE = "urge"  # 催办
    SUPERVISE = "supervise"  # 督办
    WITHDRAW = "withdraw"  # 撤单
    REDISPATCH = "redispatch"  # 改派


@dataclass(frozen=True)
class Actor:
    """The authenticated caller; a unit handler is bound to exactly one handling unit."""

    id: str
    role: Role
    unit_id: str | None = None

    def __post_init__(self) -> None:
        if not self.id:
            raise ValueError("actor id is required")
        if self.role is Role.UNIT_HANDLER and not self.unit_id:
            raise ValueError("a unit_handler must be bound to a unit")


SYSTEM_ACTOR = Actor(id="deadline-monitor", role=Role.SYSTEM)


@dataclass(frozen=True)
class Location:
    """Where the problem is: free-text address, the town/street office, optional WGS84 point."""

    address: str
    town: str = ""
    lat: float | None = None
    lon: float | None = None

    def __post_init__(self) -> None:
        if not self.address.strip():
            raise ValueError("address is required")
        if (self.lat is None) != (self.lon is None):
            raise ValueError("lat and lon come together or not at all")


@dataclass(frozen=True)
class Complainant:
    """The reporter. Identity is confidential by law: kept out of repr, events and history."""

    anonymous: bool
    name: str | None = field(default=None, repr=False)
    phone: str | None = field(default=None, repr=False)
    # Keyed hash computed by the service (it holds the key): lets duplicates match on phone
    # without the domain ever comparing plaintext numbers.
    phone_hash: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.anonymous and (self.name or self.phone or self.phone_hash):
            raise ValueError("an anonymous complainant carries no name or phone")
        if not self.anonymous and not (self.name or self.phone):
            raise ValueError("a named complainant needs a name or a phone")

    @property
    def masked_phone(self) -> str | None:
        """Phone with the middle hidden, e.g. 138****5678, for roles without PII access."""
        if not self.phone:
            return None
        digits = self.phone
        if len(digits) < 7:
            return "*" * len(digits)
        return f"{digits[:3]}{'*' * (len(digits) - 7)}{digits[-4:]}"


def normal_phone(raw: str) -> str:
    """Digits only, without +86/0086: 138 1234 5678 and +86-13812345678 are the same number."""
    digits = re.sub(r"[\s\-()（）]", "", raw)
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            digits = digits[len(prefix) :]
    return digits
