"""Alerts that belong to no single case (stale calendar, rates below target), raised once
each: an insert-if-absent document keyed by what the alert is about, carrying its event."""

from __future__ import annotations

from datetime import datetime

from google.protobuf.message import Message
from pymongo.errors import DuplicateKeyError

from complaints.service_layer.context import Context
from qingshan.complaints.v1 import events_pb2 as pb
from qingshan_core.events import Envelope, timestamp
from qingshan_core.logging import get_logger

log = get_logger(__name__)


async def raise_once(ctx: Context, key: str, message: Message, now: datetime) -> bool:
    """Publish `message` about `key` unless it was raised before; True when raised now."""
    if key in ctx.raised:
        return False
    env = Envelope.wrap(message, source=ctx.ops.source, subject=key)
    try:
        await ctx.ops.insert({"_id": key, "type": env.type, "raised_at": now}, [env])
    except DuplicateKeyError:
        ctx.raised.add(key)
        return False
    ctx.raised.add(key)
    log.warning("ops_alert.raised", key=key, type=env.type)
    return True


async def note_stale_calendar(ctx: Context, now: datetime) -> list[int]:
    """After deadline arithmetic: alert once for every year the calendar had to guess."""
    raised = []
    for year in sorted(ctx.calendar.stale_years):
        key = f"calendar/{year}"
        msg = pb.WorkCalendarStale(subject=key, occurred_at=timestamp(now), year=year)
        if await raise_once(ctx, key, msg, now):
            raised.append(year)
    return raised
