"""交办率 and 按时回复率 per period and unit, and the running-month below-target alert."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from fractions import Fraction

from complaints.adapters.documents import assignment_in_force, local
from complaints.domain.model import Status
from complaints.domain.rates import (
    CaseFacts,
    Escalations,
    Period,
    Rate,
    Reading,
    ReworkFacts,
    assignment_rate,
    escalation_counts,
    joined,
    on_time_reply_rate,
    rework_reply_rate,
)
from complaints.service_layer.context import Context
from complaints.service_layer.ops_alerts import raise_once
from complaints.service_layer.ports import Doc
from qingshan.complaints.v1 import events_pb2 as pb
from qingshan_core.events import timestamp

FACT_FIELDS = {
    "_id": 1,
    "unit_id": 1,
    "received_at": 1,
    "deadlines.assign.due": 1,
    "first_assigned_at": 1,
    "assigned_at": 1,
    "reply_by": 1,
    "first_replied_at": 1,
    "status": 1,
    "urge_count": 1,
    "supervise_count": 1,
    "bureau_supervise_count": 1,
    "merged_into": 1,
    "merged_at": 1,
    "rework": 1,
}
# A merged case may join a case that was itself merged later: follow the chain this far.
MAX_MERGE_CHAIN = 8


@dataclass(frozen=True)
class Rates:
    """The rates for one period (and unit)."""

    period: Period
    unit_id: str | None
    assignment: Rate
    on_time_reply: Rate
    escalations: Escalations
    rework_reply: Rate
    reading: Reading = Reading.DEFINED


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
        assigned_at=assignment_in_force(doc),
        reply_by=local(doc.get("reply_by")),
        first_replied_at=local(doc.get("first_replied_at")),
        merged=doc.get("status") == Status.MERGED.value,
        withdrawn=doc.get("status") == Status.WITHDRAWN.value,
        urges=int(doc.get("urge_count") or 0),
        supervisions=int(doc.get("supervise_count") or 0),
        bureau_supervisions=int(doc.get("bureau_supervise_count") or 0),
        rework=tuple(
            ReworkFacts(local(r.get("reply_due")), local(r.get("replied_at")))
            for r in doc.get("rework") or ()
        ),
    )


async def _resolve_merged(ctx: Context, docs: list[Doc]) -> list[CaseFacts]:
    """Facts of every case; a merged one is joined with the case it was merged into."""
    known: dict[str, Doc] = {d["_id"]: d for d in docs}
    for _ in range(MAX_MERGE_CHAIN):
        wanted = {d["merged_into"] for d in known.values() if d.get("merged_into")} - set(known)
        if not wanted:
            break
        for d in await ctx.repo.stream({"_id": {"$in": sorted(wanted)}}, FACT_FIELDS):
            known[d["_id"]] = d

    def resolved(doc: Doc, depth: int = 0) -> CaseFacts:
        own = facts_from(doc)
        first = known.get(doc.get("merged_into") or "")
        merged_at = local(doc.get("merged_at"))
        if first is None or merged_at is None or depth >= MAX_MERGE_CHAIN:
            return own  # older documents without merged_at: as stored
        return joined(own, resolved(first, depth + 1), merged_at)

    return [resolved(d) for d in docs]


async def compute(
    ctx: Context,
    period: Period,
    unit_id: str | None,
    as_of: datetime,
    reading: Reading = Reading.DEFINED,
) -> Rates:
    """Rates exactly as docs/rates.md defines them (or the named reading), from the cases that
    can matter to the period: received in it, or with a reply or rework deadline in it."""
    window = {"$gte": period.start, "$lt": period.end}
    query: Doc = {
        "$or": [{"received_at": window}, {"reply_by": window}, {"rework.reply_due": window}]
    }
    if unit_id:  # a merged case without a unit of its own counts for the unit it joined
        query = {"$and": [query, {"$or": [{"unit_id": unit_id}, {"status": "merged"}]}]}
    docs = await ctx.repo.stream(query, FACT_FIELDS)
    facts = await _resolve_merged(ctx, docs)
    return Rates(
        period=period,
        unit_id=unit_id,
        assignment=assignment_rate(facts, period, as_of, unit_id=unit_id, reading=reading),
        on_time_reply=on_time_reply_rate(facts, period, as_of, unit_id=unit_id),
        escalations=escalation_counts(facts, period, unit_id=unit_id),
        rework_reply=rework_reply_rate(facts, period, as_of, unit_id=unit_id),
        reading=reading,
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
    units = await ctx.repo.units_since(period.start)
    target = Fraction(Decimal(str(ctx.rate_target)))
    raised = 0
    for unit in (u for u in units if u):
        # The early warning reads "so far": a case still inside its limit is no miss yet.
        rates = await compute(ctx, period, unit, now, Reading.SO_FAR)
        for name, rate in (
            ("on_time_reply_rate", rates.on_time_reply),
            ("assignment_rate", rates.assignment),
        ):
            if rate.rate is None or not rate.below(target):
                continue
            key = f"rates/{unit}/{period.start:%Y-%m}/{name}"
            msg = pb.RatesBelowTarget(
                subject=key,
                occurred_at=timestamp(now),
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
