"""Use cases of 突发环境事件: register (获知), reports, grading, cross-boundary notices."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from risk.domain.errors import ValidationError
from risk.domain.geo import GeoPoint
from risk.domain.incident_grading import IncidentFacts
from risk.domain.incident_rules import IncidentGrade, IncidentMedium, ReportKind
from risk.domain.incidents import Incident
from risk.service_layer.context import Deps
from risk.service_layer.errors import AlreadyExists, not_found
from risk.service_layer.parsing import past_or_now
from risk.service_layer.ports import BBox, Loaded, Page, Query

INCIDENT_NAMESPACE = uuid.UUID("0c7f2d36-59e4-4f57-8d0b-2f5b9f1e6a21")


@dataclass(frozen=True)
class IncidentIn:
    """What the bureau learns first."""

    title: str
    occurred_at: datetime
    learned_at: datetime | None = None
    grade: str | None = None
    media: Sequence[str] = ()
    location: GeoPoint | None = None
    river: str | None = None
    drinking_water: bool = False
    heavy_metals: bool = False
    idempotency_key: str | None = None
    facts: IncidentFacts | None = None


def _media(values: Sequence[str]) -> list[IncidentMedium]:
    try:
        return [IncidentMedium(v) for v in values]
    except ValueError as exc:
        raise ValidationError("media", "介质应为air/water/soil", "media: air|water|soil") from exc


def parse_report_kind(raw: str) -> ReportKind:
    """初报/续报/处理结果报告 or initial/follow_up/result."""
    for kind in ReportKind:
        if raw in (kind.value, kind.name.lower()):
            return kind
    raise ValidationError(
        "kind", "报告类型应为初报/续报/处理结果报告", "kind: initial|follow_up|result"
    )


async def register_incident(deps: Deps, cmd: IncidentIn, by: str | None) -> tuple[Incident, bool]:
    """Record an incident; a repeated idempotency key returns the first one (created False)."""
    key = (
        f"inc-{uuid.uuid5(INCIDENT_NAMESPACE, cmd.idempotency_key).hex[:20]}"
        if cmd.idempotency_key
        else f"inc-{uuid.uuid4().hex[:20]}"
    )
    if cmd.idempotency_key:
        existing = await deps.incidents.get(key)
        if existing is not None:
            return existing.aggregate, False
    now = deps.clock()
    occurred = past_or_now("occurred_at", cmd.occurred_at, now)
    learned = (
        past_or_now("learned_at", cmd.learned_at, now) if cmd.learned_at else max(now, occurred)
    )
    incident = Incident.register(
        incident_id=key,
        title=cmd.title,
        occurred_at=occurred,
        learned_at=learned,
        grade=IncidentGrade.parse(cmd.grade) if cmd.grade else None,
        media=_media(cmd.media),
        location=cmd.location,
        river=cmd.river,
        drinking_water=cmd.drinking_water,
        heavy_metals=cmd.heavy_metals,
        facts=cmd.facts,
        rules=deps.rules.incidents,
        grading=deps.rules.incident_grading,
        by=by,
    )
    try:
        await deps.incidents.add(key, incident)
    except AlreadyExists:
        again = await deps.incidents.get(key)
        if again is None:
            raise
        return again.aggregate, False
    return incident, True


async def _load(deps: Deps, incident_id: str) -> Loaded[Incident]:
    loaded = await deps.incidents.get(incident_id)
    if loaded is None:
        raise not_found("事件", "incident", incident_id)
    return loaded


async def get_incident(deps: Deps, incident_id: str) -> Incident:
    """One incident."""
    return (await _load(deps, incident_id)).aggregate


async def file_report(
    deps: Deps, incident_id: str, kind: str, content: str, at: datetime | None, by: str | None
) -> Incident:
    """初报, 续报 or 处理结果报告, in that order."""
    loaded = await _load(deps, incident_id)
    when = past_or_now("reported_at", at, deps.clock())
    loaded.aggregate.report(parse_report_kind(kind), when, content, by)
    await deps.incidents.save(incident_id, loaded)
    return loaded.aggregate


async def grade_incident(
    deps: Deps, incident_id: str, grade: str, by: str | None, reason: str = ""
) -> Incident:
    """定级: never below what the facts reach; above it only with a reason."""
    loaded = await _load(deps, incident_id)
    loaded.aggregate.assign_grade(IncidentGrade.parse(grade), deps.clock(), by, reason)
    await deps.incidents.save(incident_id, loaded)
    return loaded.aggregate


async def update_facts(
    deps: Deps, incident_id: str, facts: IncidentFacts, by: str | None
) -> Incident:
    """New facts: graded again with the grading configuration in force now."""
    loaded = await _load(deps, incident_id)
    loaded.aggregate.update_facts(facts, deps.clock(), deps.rules.incident_grading, by)
    await deps.incidents.save(incident_id, loaded)
    return loaded.aggregate


async def record_neighbour_notified(
    deps: Deps, incident_id: str, neighbour: str, by: str | None
) -> Incident:
    """The downstream district has been told."""
    loaded = await _load(deps, incident_id)
    loaded.aggregate.record_neighbour_notified(neighbour, deps.clock(), by)
    await deps.incidents.save(incident_id, loaded)
    return loaded.aggregate


async def list_incidents(
    deps: Deps,
    *,
    open_only: bool = False,
    bbox: BBox | None = None,
    limit: int = 100,
    offset: int = 0,
) -> Page[Incident]:
    """Incidents, optionally only open ones (no 处理结果报告 yet) inside a box."""
    where: dict[str, str | bool | None] = {"open": True} if open_only else {}
    return await deps.incidents.find(Query(where=where, bbox=bbox, limit=limit, offset=offset))
