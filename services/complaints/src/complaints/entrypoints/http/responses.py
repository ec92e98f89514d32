"""What the complaints API answers (response models, so its OpenAPI documents every answer).

The case views leave out what a caller may not see (a unit handler gets no reporter mask, a
public caller only its receipt): the routes serialise them with `response_model_exclude_unset`,
so a member that was not set is absent rather than null. Every time is Beijing time (+08:00).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field, field_serializer


class LocationOut(BaseModel):
    address: str
    town: str = ""
    lat: float | None = None
    lon: float | None = None


class ComplainantOut(BaseModel):
    """Masks only, and nothing at all to a handling unit or of an anonymous report."""

    anonymous: bool
    name: str | None = None
    phone: str | None = None


class DeadlinesOut(BaseModel):
    """The due time of each stage the case has (absent: the stage has none)."""

    assign_by: datetime | None = None
    accept_by: datetime | None = None
    reply_by: datetime | None = None
    close_by: datetime | None = None
    return_by: datetime | None = None
    provisional: bool = False


class PolicyRef(BaseModel):
    id: str
    version: int


class DurationOut(BaseModel):
    amount: int
    unit: str


class ExtensionOut(BaseModel):
    """An extension request waiting for a supervisor."""

    amount: DurationOut
    reason: str
    requested_at: datetime
    requested_by: str


class ClockOut(BaseModel):
    """One deadline clock, green / yellow / red by the warning rule."""

    stage: str
    label: str
    start: datetime
    due: datetime
    warn_at: datetime | None
    light: str
    light_label: str


class ComplaintOut(BaseModel):
    """A case as the caller may see it. A public caller's receipt has only the first six
    members (and `created`); the list leaves out `allowed_actions`, `clocks` and `flags`."""

    id: str
    tracking_code: str
    status: str
    status_label: str
    received_at: datetime
    deadlines: DeadlinesOut
    channel: str | None = None
    channel_label: str | None = None
    external_id: str | None = None
    category: str | None = None
    category_label: str | None = None
    urgency: str | None = None
    urgency_label: str | None = None
    description: str | None = None
    location: LocationOut | None = None
    complainant: ComplainantOut | None = None
    unit_id: str | None = None
    policy: PolicyRef | None = None
    possible_duplicates: list[str] | None = None
    merged_into: str | None = None
    reply: str | None = None
    satisfaction: str | None = None
    bureau_supervisions: int | None = None  # 督办 by the bureau so far (已督办 when > 0)
    allowed_actions: list[str] | None = None
    pending_extension: ExtensionOut | None = None
    clocks: list[ClockOut] | None = None
    flags: list[str] | None = None
    created: bool | None = None  # intake only: False when the order number or key was known


class ComplaintPage(BaseModel):
    total: int
    items: list[ComplaintOut]


class ComplaintItems(BaseModel):
    items: list[ComplaintOut]


class HistoryOut(BaseModel):
    """Who did what and when."""

    at: datetime
    actor_id: str
    role: str
    action: str
    from_status: str | None
    to_status: str
    details: dict[str, Any]


class IdentityOut(BaseModel):
    """The reporter's identity, decrypted for an audited reveal."""

    anonymous: bool
    name: str | None
    phone: str | None


class QueueCount(BaseModel):
    queue: str
    label: str
    count: int


class QueueCounts(BaseModel):
    items: list[QueueCount]


class NoteOut(BaseModel):
    """An internal note (内部备注)."""

    id: str
    at: datetime
    author_id: str
    author_role: str
    author_unit: str | None
    text: str


class NoteList(BaseModel):
    items: list[NoteOut]


class TimelineStep(BaseModel):
    at: datetime
    status: str
    label: str


class PublicCase(BaseModel):
    """What a reporter sees by tracking code: status, public timeline and the reply only."""

    tracking_code: str
    status: str
    status_label: str
    category: str
    category_label: str
    received_at: datetime
    timeline: list[TimelineStep]
    reply: str | None


class PolicyOut(BaseModel):
    """A deadline policy version: every limit as {amount, unit}."""

    id: str
    version: int
    assign: DurationOut
    accept: DurationOut
    reply: DurationOut
    close: DurationOut
    extension_max: DurationOut
    return_window: DurationOut


class PolicyRule(BaseModel):
    """One rule of the policy table (None: any channel, category or urgency)."""

    key: str
    channel: str | None
    category: str | None
    urgency: str | None
    policy: PolicyOut


class StoredPolicy(PolicyOut):
    key: str


class CalendarDay(BaseModel):
    date: str
    workday: bool
    note: str


class CalendarOut(BaseModel):
    data_years: list[int]
    stale_years: list[int]
    overrides: list[CalendarDay]


class DaySet(BaseModel):
    date: date
    workday: bool


class YearConfirmed(BaseModel):
    year: int
    confirmed: bool


class RateOut(BaseModel):
    numerator: int
    denominator: int
    pending: int
    percent: str | None


class Escalations(BaseModel):
    cases: int
    urged_cases: int
    urges: int
    supervisions: int


class BureauSupervisions(BaseModel):
    """督办 issued by the bureau's own supervisors (apart from the platform's)."""

    cases: int
    supervised_cases: int
    supervisions: int


class RatesOut(BaseModel):
    """交办率 / 按时回复率 of a period (docs/rates.md)."""

    from_: date = Field(serialization_alias="from")
    to: date
    unit_id: str | None
    target_percent: str
    assignment_rate: RateOut
    on_time_reply_rate: RateOut
    rework_reply_rate: RateOut
    reading: str
    platform_escalations: Escalations  # the platforms' 催办 and 督办 of the period's cases
    bureau_supervisions: BureauSupervisions  # the bureau's own 督办, counted apart


class Erased(BaseModel):
    complaint_id: str
    removed: list[str]
    erased: bool


class RevealRecord(BaseModel):
    kind: str | None
    complaint_id: str | None
    actor_id: str | None
    role: str | None
    purpose: str | None
    at: datetime | None
    trace_id: str | None

    @field_serializer("at")
    def _as_stored(self, at: datetime | None) -> str | None:
        return None if at is None else at.isoformat()  # in UTC, as the audit keeps it


class RevealPage(BaseModel):
    total: int
    items: list[RevealRecord]


class RetentionOut(BaseModel):
    identity_days: int
    content_days: int
    reveal_audit_days: int
    reveal_daily_threshold: int
