"""notify's side of complaints' unit registry: a unit's handlers and head come from the registry
(one source); an administrator's chain may add only the bureau level for such a unit.

The effective chains planning reads are the administrators' chains with every active registry
unit's handlers (its contacts) and head filled in, reachable by the unit's id and, where no
other chain has that key, by its Chinese name (projects name their lead units by name)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from notify.domain.errors import Problem
from notify.domain.model import EscalationChain, RegistryUnit


def effective_chains(
    chains: Iterable[EscalationChain], units: Iterable[RegistryUnit]
) -> dict[str, EscalationChain]:
    """Chains by unit key, the registry's levels taking the place of the stored ones."""
    out = {c.unit: c for c in chains}
    registry = [u for u in units if u.active]
    for u in registry:
        stored = out.get(u.id)
        out[u.id] = EscalationChain(
            u.id,
            handlers=u.contacts,
            unit_heads=(u.head,) if u.head else (),
            bureau=stored.bureau if stored else (),
        )
    ids = {u.id for u in registry}
    for u in registry:
        if u.name and u.name not in out and u.name not in ids:
            out[u.name] = out[u.id]
    return out


def registry_chain_problems(
    chain: EscalationChain, units: Mapping[str, RegistryUnit]
) -> list[Problem]:
    """An administrator may not set handlers or unit heads of a registry unit here."""
    unit = units.get(chain.unit)
    if unit is None or not unit.active:
        return []
    why = (
        f"maintained by the unit registry (complaints PATCH /v1/units/{unit.id}) / "
        f"由承办单位名录维护（{unit.name}），请在单位名录中修改"
    )
    return [
        Problem(level, why)
        for level, ids in (("handlers", chain.handlers), ("unit_heads", chain.unit_heads))
        if ids
    ]
