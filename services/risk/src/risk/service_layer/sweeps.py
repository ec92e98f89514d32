"""Periodic deadline sweeps: durable (state in the aggregate) and idempotent (once-only flags,
optimistic saves). Each sweep reads only aggregates whose `next_check_at` has passed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from risk.domain.aggregate import Aggregate
from risk.service_layer.context import Deps
from risk.service_layer.errors import Conflict
from risk.service_layer.ports import Store

A = TypeVar("A", bound=Aggregate)
# Enough rounds to drain a backlog; a guard, since each check moves next_check_at forward.
MAX_ROUNDS = 50


@dataclass
class SweepReport:
    """How many aggregates each sweep checked, and how many events they recorded."""

    checked: dict[str, int] = field(default_factory=dict)
    events: dict[str, int] = field(default_factory=dict)
    conflicts: int = 0


async def _sweep(
    name: str,
    store: Store[A],
    check: Callable[[A, datetime], None],
    now: datetime,
    batch: int,
    report: SweepReport,
) -> None:
    for _ in range(MAX_ROUNDS):
        due = await store.due(now, batch)
        for key, loaded in due:
            check(loaded.aggregate, now)
            report.events[name] = report.events.get(name, 0) + len(loaded.aggregate.events)
            try:
                await store.save(key, loaded)
            except Conflict:
                # Someone else changed it meanwhile (a user, or another replica's sweep): the
                # next round reads the new state and decides again.
                report.conflicts += 1
            report.checked[name] = report.checked.get(name, 0) + 1
        if len(due) < batch:
            return


async def sweep(deps: Deps, now: datetime | None = None, batch: int = 200) -> SweepReport:
    """Check every due deadline: manifests, incidents, licences, plans, storage limits."""
    at = now or deps.clock()
    rules = deps.rules
    report = SweepReport()
    await _sweep(
        "manifests", deps.manifests, lambda m, t: m.check_confirmation_overdue(t), at, batch, report
    )
    await _sweep(
        "incidents", deps.incidents, lambda i, t: i.check_report_overdue(t), at, batch, report
    )
    await _sweep(
        "licences",
        deps.licences,
        lambda lic, t: lic.check_expiry(t, rules.licences),
        at,
        batch,
        report,
    )
    await _sweep(
        "plans", deps.plans, lambda p, t: p.check_deadlines(t, rules.plans), at, batch, report
    )
    await _sweep(
        "storage", deps.ledgers, lambda s, t: s.check_limits(t, rules.storage), at, batch, report
    )
    return report
