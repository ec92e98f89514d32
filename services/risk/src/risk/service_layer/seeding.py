"""Seed the registry on start: park clusters and the soil key enterprises, insert-if-absent
under deterministic ids, so every replica and every restart converges on the same rows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from risk.domain.seeds import ParkCluster, SoilKeyEnterprise
from risk.service_layer.context import Deps
from risk.service_layer.registry import seed_enterprises


@dataclass(frozen=True)
class SeedResult:
    """How many rows each seed added this time."""

    clusters: int
    enterprises: int


async def seed_registry(
    deps: Deps, soil: Sequence[SoilKeyEnterprise], clusters: Sequence[ParkCluster]
) -> SeedResult:
    """Insert what is missing; existing rows (and edits made to them) are left alone."""
    added_clusters = 0
    for cluster in clusters:
        added_clusters += await deps.clusters.insert_if_absent(cluster)
    deps.park_clusters = tuple(await deps.clusters.all())
    added = await seed_enterprises(deps, [(e.name, e.list_name) for e in soil])
    return SeedResult(added_clusters, added)
