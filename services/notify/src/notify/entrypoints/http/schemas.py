"""REST bodies (pydantic) of rules, templates, deliveries and the inbox, separate from the
domain: XIn is what a client sends, XOut what it reads."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from notify.domain.model import (
    Channel,
    Condition,
    DigestPeriod,
    Priority,
    Rule,
    Target,
    TargetKind,
    Template,
)
from notify.entrypoints.http.schemas_directory import Ident


class TargetBody(BaseModel):
    kind: TargetKind
    ref: str = Field(min_length=1)


class ConditionBody(BaseModel):
    attr: str = Field(min_length=1)
    values: list[str]
    negate: bool = False


class RuleIn(BaseModel):
    id: str = Ident
    name: str = Field(min_length=1, max_length=200)
    event_type: str
    channels: list[Channel]
    targets: list[TargetBody]
    conditions: list[ConditionBody] = []
    priority: Priority = Priority.NORMAL
    template_variant: str = "default"
    unit_attr: str = "unit_id"
    digest: DigestPeriod | None = None
    ack_within_minutes: int | None = None
    escalation: list[list[TargetBody]] = []
    enabled: bool = True

    def domain(self) -> Rule:
        def ts(items: list[TargetBody]) -> tuple[Target, ...]:
            return tuple(Target(t.kind, t.ref) for t in items)

        return Rule(
            id=self.id,
            name=self.name,
            event_type=self.event_type,
            channels=tuple(self.channels),
            targets=ts(self.targets),
            conditions=tuple(Condition(c.attr, tuple(c.values), c.negate) for c in self.conditions),
            priority=self.priority,
            template_variant=self.template_variant,
            unit_attr=self.unit_attr,
            digest=self.digest,
            ack_within_minutes=self.ack_within_minutes,
            escalation=tuple(ts(step) for step in self.escalation),
            enabled=self.enabled,
        )

    @classmethod
    def of(cls, r: Rule) -> RuleIn:
        def tb(items: tuple[Target, ...]) -> list[TargetBody]:
            return [TargetBody(kind=t.kind, ref=t.ref) for t in items]

        return cls(
            id=r.id,
            name=r.name,
            event_type=r.event_type,
            channels=list(r.channels),
            targets=tb(r.targets),
            conditions=[
                ConditionBody(attr=c.attr, values=list(c.values), negate=c.negate)
                for c in r.conditions
            ],
            priority=r.priority,
            template_variant=r.template_variant,
            unit_attr=r.unit_attr,
            digest=r.digest,
            ack_within_minutes=r.ack_within_minutes,
            escalation=[tb(s) for s in r.escalation],
            enabled=r.enabled,
        )


class TemplateIn(BaseModel):
    event_type: str
    channel: str = Field(default="*", description="email|sms|wecom|dingtalk|inbox or *")
    variant: str = "default"
    title: str = Field(min_length=1, max_length=2000)
    body: str = Field(default="", max_length=10000)
    description: str = ""

    def domain(self) -> Template:
        return Template(
            self.event_type, self.channel, self.title, self.body, self.variant, self.description
        )


class TemplateOut(TemplateIn):
    id: str

    @classmethod
    def of(cls, t: Template) -> TemplateOut:
        return cls(
            id=t.id,
            event_type=t.event_type,
            channel=t.channel,
            variant=t.variant,
            title=t.title,
            body=t.body,
            description=t.description,
        )


class PreviewIn(BaseModel):
    template_id: str | None = None
    template: TemplateIn | None = None
    data: dict[str, Any] | None = Field(default=None, description="overrides the sample data")


class PreviewOut(BaseModel):
    template_id: str
    title: str
    body: str


class AttemptOut(BaseModel):
    number: int
    at: datetime
    outcome: str
    detail: str
    status_code: int
    duration_ms: int


class DeliveryOut(BaseModel):
    id: str
    event_id: str
    event_type: str
    rule_id: str
    level: int
    recipient: str
    recipient_name: str
    channel: Channel
    priority: Priority
    status: str
    title: str
    body: str
    created_at: datetime
    next_attempt_at: datetime | None
    hold_reason: str
    template_id: str
    notes: str
    attempt_count: int
    attempts: list[AttemptOut]
    sent_at: datetime | None
    failed_at: datetime | None
    last_error: str
    dead_lettered: bool
    resent_at: datetime | None = None
    resent_by: str = ""
    resent_as: str = ""
    digest_id: str
    digest_items: list[str]
    ack_state: str
    ack_deadline: datetime | None
    acknowledged_at: datetime | None


class ResendOut(BaseModel):
    """A dead letter (marked resent, by whom and when) and the new delivery that resends it."""

    dead_letter: DeliveryOut
    resend: DeliveryOut


class EscalationStepOut(BaseModel):
    """One step of a notice's escalation chain (level 0: whom the rule addresses first)."""

    level: int
    label: str = Field(description="who the step addresses, e.g. 单位负责人 / 分组 值班组")
    people: list[str] = Field(description="names the step reaches in the unit's chain now")
    reached: bool = Field(description="notify has sent this notice at this level already")


class InboxItemOut(BaseModel):
    id: str
    event_id: str
    event_type: str
    subject: str = Field(description="the cause's aggregate id (a case, incident, sub-item …)")
    unit: str = Field(description="the unit(s) the event names, 、-joined")
    level: int = Field(description="escalation level this item was sent at (0: first)")
    title: str
    body: str
    priority: Priority
    created_at: datetime
    sent_at: datetime | None
    ack_required: bool
    ack_deadline: datetime | None
    acknowledged_at: datetime | None
    escalation: list[EscalationStepOut] = Field(
        default=[], description="the chain of a notice awaiting acknowledgement"
    )


class DirectIn(BaseModel):
    idempotency_key: str = Field(default="", max_length=200)
    recipient_ids: list[str] = []
    group_ids: list[str] = []
    channels: list[str]
    title: str = Field(min_length=1, max_length=200)
    body: str = Field(default="", max_length=4000)
    priority: Literal["low", "normal", "high", "critical"] = "normal"


class DirectOut(BaseModel):
    event_id: str
    deliveries: list[DeliveryOut]
    unreachable: list[str]


class ChannelOut(BaseModel):
    channel: Channel
    label: str
    configured: bool
    breaker: str
    failures: int
    open_until: datetime | None
    rate_limit_per_window: int | None


class EventTypeOut(BaseModel):
    name: str
    service: str
    attributes: list[str]
    sample: dict[str, Any]
