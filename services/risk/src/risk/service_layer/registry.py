"""Use cases of the risk-source registry: register, update, look up, grade (HJ 941)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from risk.domain.clock import china_date
from risk.domain.enterprises import Enterprise
from risk.domain.errors import ValidationError
from risk.domain.geo import GeoPoint
from risk.domain.grading_types import RiskLevel
from risk.service_layer.context import Deps
from risk.service_layer.errors import AlreadyExists, not_found
from risk.service_layer.grading_input import GradingSpec, grade
from risk.service_layer.parsing import credit_code
from risk.service_layer.ports import BBox, Loaded, Page, Query

SEED_NAMESPACE = uuid.UUID("6b1f4c1e-3a55-4c1b-9f43-7d1c8a0e5a10")


def seed_id(kind: str, name: str) -> str:
    """Deterministic id of a seeded enterprise (same name, same id, on every start)."""
    return f"ent-{uuid.uuid5(SEED_NAMESPACE, f'{kind}:{name}').hex[:16]}"


def parse_level(raw: str | None) -> str | None:
    """A risk level filter: 一般/较大/重大 or general/significant/major."""
    if raw is None or raw == "":
        return None
    for level in RiskLevel:
        if raw in (level.value, level.english):
            return level.value
    raise ValidationError("level", "风险等级应为一般/较大/重大", "level: general|significant|major")


def _check_cluster(deps: Deps, cluster: str | None) -> None:
    known = {c.name for c in deps.park_clusters}
    if cluster and known and cluster not in known:
        raise ValidationError(
            "park_cluster",
            f"园区组团应为{'、'.join(sorted(known))}之一",
            f"park_cluster must be one of {sorted(known)}",
        )


@dataclass(frozen=True)
class Registration:
    """What registering an enterprise needs."""

    name: str
    credit_code: str | None = None
    park_cluster: str | None = None
    lists: tuple[str, ...] = ()
    location: GeoPoint | None = None
    address: str | None = None
    industry: str | None = None


async def register_enterprise(deps: Deps, reg: Registration, by: str | None) -> Enterprise:
    """Enter an enterprise; its id is its credit code (or a name-derived id without one)."""
    code = credit_code(reg.credit_code) if reg.credit_code else None
    _check_cluster(deps, reg.park_cluster)
    for field, value in (("credit_code", code.value if code else None), ("name", reg.name)):
        if value:
            same = await deps.enterprises.find(Query(where={field: value.strip()}, limit=1))
            if same.items:
                other = same.items[0].source_id
                raise AlreadyExists(
                    f"企业已登记（{other}），请修改该条记录", f"already registered as {other}"
                )
    key = code.value if code else seed_id("registry", reg.name.strip())
    enterprise = Enterprise.register(
        source_id=key,
        name=reg.name,
        at=deps.clock(),
        credit_code=code,
        park_cluster=reg.park_cluster,
        lists=reg.lists,
        location=reg.location,
        address=reg.address,
        industry=reg.industry,
        by=by,
    )
    await deps.enterprises.add(key, enterprise)
    return enterprise


async def load_enterprise(deps: Deps, key: str) -> tuple[str, Loaded[Enterprise]]:
    """By id, or by credit code when the id is not found."""
    loaded = await deps.enterprises.get(key)
    if loaded is not None:
        return key, loaded
    page = await deps.enterprises.find(Query(where={"credit_code": key.strip().upper()}, limit=1))
    if page.items:
        found = page.items[0].source_id
        again = await deps.enterprises.get(found)
        if again is not None:
            return found, again
    raise not_found("风险源", "risk source", key)


async def get_enterprise(deps: Deps, key: str) -> Enterprise:
    """One enterprise by id or credit code."""
    return (await load_enterprise(deps, key))[1].aggregate


async def update_enterprise(
    deps: Deps, key: str, changes: dict[str, object], by: str | None
) -> Enterprise:
    """Change profile fields; a credit code is validated and must be unique."""
    found, loaded = await load_enterprise(deps, key)
    enterprise = loaded.aggregate
    now = deps.clock()
    raw_code = changes.pop("credit_code", None)
    if "park_cluster" in changes:
        _check_cluster(deps, str(changes["park_cluster"] or "") or None)
    if raw_code:
        code = credit_code(str(raw_code))
        same = await deps.enterprises.find(Query(where={"credit_code": code.value}, limit=1))
        if same.items and same.items[0].source_id != enterprise.source_id:
            raise AlreadyExists(
                f"统一社会信用代码已属于{same.items[0].source_id}",
                f"credit code already belongs to {same.items[0].source_id}",
            )
        enterprise.assign_credit_code(code, now, by)
    enterprise.update_profile(now, changes, by)
    await deps.enterprises.save(found, loaded)
    return enterprise


async def grade_source(deps: Deps, key: str, spec: GradingSpec, by: str | None) -> Enterprise:
    """Grade under HJ 941 with the configured rules and keep the result."""
    found, loaded = await load_enterprise(deps, key)
    now = deps.clock()
    result = grade(spec, china_date(now), deps.rules.grading)
    loaded.aggregate.record_grading(result, now, by)
    await deps.enterprises.save(found, loaded)
    return loaded.aggregate


async def list_enterprises(
    deps: Deps,
    *,
    level: str | None = None,
    park_cluster: str | None = None,
    list_name: str | None = None,
    bbox: BBox | None = None,
    limit: int = 100,
    offset: int = 0,
) -> Page[Enterprise]:
    """Registered enterprises, filtered."""
    where = {"level": parse_level(level), "park_cluster": park_cluster, "list": list_name}
    return await deps.enterprises.find(Query(where=where, bbox=bbox, limit=limit, offset=offset))


async def seed_enterprises(deps: Deps, names: Iterable[tuple[str, str]]) -> int:
    """Insert-if-absent the seeded (name, list) entries; returns how many were new."""
    added = 0
    now = deps.clock()
    for name, list_name in names:
        key = seed_id("seed", name)
        if await deps.enterprises.get(key) is not None:
            continue
        enterprise = Enterprise.register(
            source_id=key, name=name, at=now, lists=[list_name], by="seed"
        )
        try:
            await deps.enterprises.add(key, enterprise)
            added += 1
        except AlreadyExists:  # another replica seeded it meanwhile
            continue
    return added
