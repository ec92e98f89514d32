"""交办率 and 按时回复率 per period and unit, and the running-month below-target alert."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from fractions import Fraction

from complaints.adapters.documents import Doc, local
from complaints.adapters.event_mapping import ts
from complaints.domain.model import Status
from complaints.domain.rates import (
    CaseFacts,
    Escalations,
    Period,
    Rate,
    assignment_rate,
    escalation_counts,
    on_time_reply_rate,
)
from complaints.service_layer.context import Context
from complaints.service_layer.ops_alerts import raise_once
from qingshan.complaints.v1 import events_pb2 as pb

FACT_FIELDS = {
    "_id": 1,
    "unit_id": 1,
    "received_at": 1,
    "deadlines.assign.due": 1,
    "first_assigned_at": 1,
    "reply_by": 1,
    "first_replied_at": 1,
    "status": 1,
    "urge_count": 1,
    "supervise_count": 1,
}


@dataclass(frozen=True)
class Rates:
    """Both rates for one period (and unit)."""

    period: Period
    unit_id: str | None
    assignment: Rate
    on_time_reply: Rate
    escalations: Escalations


def facts_from(doc: Doc) -> CaseFacts:
    """CaseFacts from a stored projection, without rehydrating the whole case."""
    assign_by = local(doc["deadlines"]["assign"]["due"])
    received = local(doc["received_at"])
    assert assign_by is not None and received is not None
    return CaseFacts(
        complaint_id=doc["_id"],
        unit_id=doc.get("unit_id"),
        received_at=received,
        assign_by=assign_by,
        first_assigned_at=local(doc.get("first_assigned_at")),
        reply_by=local(doc.get("reply_by")),
        first_replied_at=local(doc.get("first_replied_at")),
        merged=doc.get("status") == Status.MERGED.value,
        withdrawn=doc.get("status") == Status.WITHDRAWN.value,
        urges=int(doc.get("urge_count") or 0),
        supervisions=int(doc.get("supervise_count") or 0),
    )


async def compute(ctx: Context, period: Period, unit_id: str | None, as_of: datetime) -> Rates:
    """Rates exactly as DOMAIN.md defines them, from the cases that can matter to the period."""
    query: Doc = {
        "$or": [
            {"received_at": {"$gte": period.start, "$lt": period.end}},
            {"reply_by": {"$gte": period.start, "$lt": period.end}},
        ]
    }
    if unit_id:
        query["unit_id"] = unit_id
    facts = [facts_from(d) for d in await ctx.repo.stream(query, FACT_FIELDS)]
    return Rates(
        period=period,
        unit_id=unit_id,
        assignment=assignment_rate(facts, period, as_of, unit_id=unit_id),
        on_time_reply=on_time_reply_rate(facts, period, as_of, unit_id=unit_id),
        escalations=escalation_counts(facts, period, unit_id=unit_id),
    )


def month_of(moment: datetime) -> Period:
    start = moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    end = (
        start.replace(year=start.year + 1, month=1)
        if start.month == 12
        else start.replace(month=start.month + 1)
    )
    return Period(start, end)


async def check_targets(ctx: Context, now: datetime | None = None) -> int:
    """Alert (once per unit, month and rate) when a unit's running month falls below target."""
    now = now or ctx.clock()
    period = month_of(now)
    units = await ctx.repo.coll.distinct("unit_id", {"received_at": {"$gte": period.start}})
    target = Fraction(Decimal(str(ctx.rate_target)))
    raised = 0
    for unit in (u for u in units if u):
        rates = await compute(ctx, period, unit, now)
        for name, rate in (
            ("on_time_reply_rate", rates.on_time_reply),
            ("assignment_rate", rates.assignment),
        ):
            if rate.rate is None or not rate.below(target):
                continue
            key = f"rates/{unit}/{period.start:%Y-%m}/{name}"
            msg = pb.RatesBelowTarget(
                subject=key,
                occurred_at=ts(now),
                unit_id=unit,
                rate=name,
                numerator=rate.numerator,
                denominator=rate.denominator,
                value=f"{Decimal(rate.rate.numerator) / Decimal(rate.rate.denominator):.4f}",
                target=f"{Decimal(str(ctx.rate_target)):.4f}",
                period=f"{period.start:%Y-%m}",
            )
            raised += await raise_once(ctx, key, msg, now)
    return raised
