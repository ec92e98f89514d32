"""The dispatch check (调度检查) as a scheduled job; the runtime runs it (Runtime.every).

Durable and idempotent by construction (see service_layer.dispatch): a run that dies half-way
is simply repeated by the next; replicas running it at once cannot announce anything twice.
"""

from __future__ import annotations

from projects.service_layer.context import Context
from projects.service_layer.dispatch import check_dispatch
from qingshan_core.logging import get_logger

log = get_logger(__name__)


async def dispatch_once(ctx: Context) -> None:
    """One dispatch check, its counts logged (a failure is the runtime's to log and retry)."""
    s = await check_dispatch(ctx)
    log.info(
        "dispatch.checked",
        checked=s.checked,
        reports_overdue=s.reports_overdue,
        milestones_slipped=s.milestones_slipped,
        busy=s.busy,
    )
