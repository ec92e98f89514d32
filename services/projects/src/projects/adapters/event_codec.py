"""Domain events → protobuf payloads of proto/qingshan/projects/v1/events.proto → envelopes."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from google.protobuf.message import Message

from projects.adapters.row_codec import money
from projects.domain import events as ev
from projects.domain.row import ReserveRow
from qingshan.projects.v1 import events_pb2 as pb
from qingshan_core.events import Envelope, timestamp


def ref(row: ReserveRow) -> pb.SubItemRef:
    """Who a sub-item event concerns, from the row as it stands after the change."""
    return pb.SubItemRef(
        subitem_id=row.subitem_id,
        project_id=row.project_id,
        project=row.project,
        name=row.name,
        field_code=row.field.code,
        lead_units=list(row.lead_units),
    )


def _changes(changes: Iterable[ev.FieldChange]) -> list[pb.FieldChange]:
    return [pb.FieldChange(attr=c.attr, before=c.before, after=c.after) for c in changes]


def _added(e: ev.SubItemAdded, row: ReserveRow, import_id: str) -> Message:
    return pb.SubItemAdded(
        subitem=ref(row),
        occurred_at=timestamp(e.at),
        actor=e.by,
        no=row.no,
        content=row.content,
        investment_wan=money(e.investment_wan),
        start_year=row.years.start,
        end_year=row.years.end,
        source=row.source,
        source_class=row.source_class.value,
        stage=e.stage.value,
        import_id=import_id,
    )


_Builder = Callable[[Any, ReserveRow, str], Message]

# One builder per sub-item event type; the common fields are subitem/occurred_at/actor.
_SUBITEM: dict[type[ev.Event], _Builder] = {
    ev.SubItemAdded: _added,
    ev.SubItemCorrected: lambda e, r, i: pb.SubItemCorrected(
        subitem=ref(r),
        occurred_at=timestamp(e.at),
        actor=e.by,
        changes=_changes(e.changes),
        import_id=i,
    ),
    ev.SubItemWithdrawn: lambda e, r, _: pb.SubItemWithdrawn(
        subitem=ref(r), occurred_at=timestamp(e.at), actor=e.by, reason=e.reason
    ),
    ev.SubItemReinstated: lambda e, r, _: pb.SubItemReinstated(
        subitem=ref(r), occurred_at=timestamp(e.at), actor=e.by, reason=e.reason
    ),
    ev.StageAdvanced: lambda e, r, _: pb.StageAdvanced(
        subitem=ref(r),
        occurred_at=timestamp(e.at),
        actor=e.by,
        from_stage=e.from_stage.value,
        to_stage=e.to_stage.value,
        on_date=e.on.isoformat(),
        document_no=e.document_no or "",
        skipped=[
            pb.SkippedStage(stage=s.stage.value, reason=s.reason, document_no=s.document_no)
            for s in e.skipped
        ],
    ),
    ev.StageReturned: lambda e, r, _: pb.StageReturned(
        subitem=ref(r),
        occurred_at=timestamp(e.at),
        actor=e.by,
        from_stage=e.from_stage.value,
        to_stage=e.to_stage.value,
        on_date=e.on.isoformat(),
        reason=e.reason,
    ),
    ev.AdjustmentRequested: lambda e, r, _: pb.AdjustmentRequested(
        subitem=ref(r),
        occurred_at=timestamp(e.at),
        actor=e.by,
        adjustment_id=e.adjustment_id,
        kind=e.kind,
        changes=_changes(e.changes),
        reason=e.reason,
    ),
    ev.AdjustmentApproved: lambda e, r, _: pb.AdjustmentApproved(
        subitem=ref(r),
        occurred_at=timestamp(e.at),
        actor=e.by,
        adjustment_id=e.adjustment_id,
        kind=e.kind,
        changes=_changes(e.changes),
    ),
    ev.AdjustmentRejected: lambda e, r, _: pb.AdjustmentRejected(
        subitem=ref(r),
        occurred_at=timestamp(e.at),
        actor=e.by,
        adjustment_id=e.adjustment_id,
        kind=e.kind,
        reason=e.reason,
    ),
    ev.MilestonePlanned: lambda e, r, _: pb.MilestonePlanned(
        subitem=ref(r),
        occurred_at=timestamp(e.at),
        actor=e.by,
        stage=e.stage.value,
        due_date=e.due.isoformat(),
    ),
    ev.ProgressReported: lambda e, r, _: pb.ProgressReported(
        subitem=ref(r),
        occurred_at=timestamp(e.at),
        actor=e.by,
        period=e.period,
        percent_complete=money(e.percent_complete),
        invested_to_date_wan=money(e.invested_to_date_wan),
        late=e.late,
        correction=e.correction,
    ),
    ev.ProgressReportMissed: lambda e, r, _: pb.ProgressReportOverdue(
        subitem=ref(r), occurred_at=timestamp(e.at), period=e.period, due_date=e.due.isoformat()
    ),
    ev.MilestoneSlipped: lambda e, r, _: pb.MilestoneSlipped(
        subitem=ref(r),
        occurred_at=timestamp(e.at),
        stage=e.stage.value,
        due_date=e.due.isoformat(),
        current_stage=e.current_stage.value,
        reached_on=e.reached_on.isoformat() if e.reached_on else "",
    ),
    ev.Evaluated: lambda e, r, _: pb.Evaluated(
        subitem=ref(r),
        occurred_at=timestamp(e.at),
        actor=e.by,
        year=e.year,
        score=money(e.score),
        grade=e.grade,
    ),
}


def subitem_envelopes(
    events: Iterable[ev.Event], row: ReserveRow, *, source: str, import_id: str = ""
) -> list[Envelope]:
    """Envelopes for a sub-item's new events, keyed (subject) by the sub-item id."""
    out = []
    for e in events:
        build = _SUBITEM[type(e)]
        msg = build(e, row, import_id)
        at = e.at if isinstance(e, ev.SubItemEvent) else None
        out.append(Envelope.wrap(msg, source=source, subject=row.subitem_id, time=at))
    return out


def indicator_subject(no: int) -> str:
    """Document id and Kafka key of an indicator."""
    return f"indicator-{no:02d}"


def indicator_envelopes(events: Iterable[ev.Event], *, unit: str, source: str) -> list[Envelope]:
    """Envelopes for an indicator's new events, keyed by `indicator-NN`."""
    out = []
    for e in events:
        msg: Message
        if isinstance(e, ev.IndicatorValueRecorded):
            msg = pb.IndicatorValueRecorded(
                indicator_no=e.indicator_no,
                occurred_at=timestamp(e.at),
                actor=e.by,
                year=e.year,
                value=money(e.value),
            )
        elif isinstance(e, ev.IndicatorTargetSet):
            msg = pb.IndicatorTargetSet(
                indicator_no=e.indicator_no,
                occurred_at=timestamp(e.at),
                actor=e.by,
                all_years=e.year is None,
                year=e.year or 0,
                target=money(e.target),
            )
        elif isinstance(e, ev.IndicatorOffTrack):
            msg = pb.IndicatorOffTrack(
                indicator_no=e.indicator_no,
                occurred_at=timestamp(e.at),
                name=e.name,
                year=e.year,
                value=money(e.value),
                target=money(e.target),
                direction=e.direction,
                unit=unit,
            )
        else:  # pragma: no cover - the ledger emits only the three above
            raise TypeError(f"not an indicator event: {e!r}")
        assert isinstance(e, ev.IndicatorEvent)
        subject = indicator_subject(e.indicator_no)
        out.append(Envelope.wrap(msg, source=source, subject=subject, time=e.at))
    return out
