"""Rule configurations as versioned documents: HJ 941 grading and incident grading.

The service starts with the shipped defaults (version 0), applies the newest stored version of
each, and reads the store again periodically (another replica may have stored one). An
administrator's change is merged onto the version in force, validated by the domain, stored as
the next version with its RuleConfigChanged event, and used by every grading from then on; each
grading records the version it used.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from risk.domain.grading_rules import PROVENANCE
from risk.domain.registry_events import RuleConfigChanged
from risk.service_layer.context import Deps
from risk.service_layer.errors import Conflict, not_found
from risk.service_layer.ports import StoredRules
from risk.service_layer.rule_documents import (
    DOCUMENTS,
    HJ941,
    INCIDENT_GRADING,
    rules_doc,
    rules_from,
)

# Which field of Rules each document configures.
_FIELD = {HJ941: "grading", INCIDENT_GRADING: "incident_grading"}


@dataclass(frozen=True)
class RuleConfig:
    """One configuration as in force: its version, its document and where the numbers come
    from (for hj941, the grading reference's confidence tags)."""

    name: str
    version: int
    body: dict[str, Any]
    provenance: Mapping[str, str]
    changed_by: str | None = None


def _check_name(name: str) -> None:
    if name not in DOCUMENTS:
        raise not_found("规则配置", "rule configuration", name)


def _in_force(deps: Deps, name: str) -> Any:
    return getattr(deps.rules, _FIELD[name])


def _apply(deps: Deps, name: str, rules: Any) -> None:
    deps.rules = replace(deps.rules, **{_FIELD[name]: rules})


async def refresh_rule_configs(deps: Deps) -> list[str]:
    """Put the newest stored version of each configuration in force; returns those changed."""
    changed = []
    for stored in await deps.rule_store.latest():
        if stored.name not in DOCUMENTS:
            continue
        if _in_force(deps, stored.name).version >= stored.version:
            continue
        _apply(deps, stored.name, rules_from(stored.name, stored.body, stored.version))
        changed.append(stored.name)
    return changed


def current(deps: Deps, name: str) -> RuleConfig:
    """The configuration in force."""
    _check_name(name)
    rules = _in_force(deps, name)
    provenance = PROVENANCE if name == HJ941 else {}
    return RuleConfig(name, rules.version, rules_doc(name, rules), provenance)


async def versions(deps: Deps, name: str) -> list[StoredRules]:
    """Every stored version, newest first (version 0, the defaults, is not stored)."""
    _check_name(name)
    return list(await deps.rule_store.versions(name))


async def change(
    deps: Deps,
    name: str,
    changes: Mapping[str, Any],
    by: str,
    expected_version: int | None = None,
) -> RuleConfig:
    """Store the configuration in force with ``changes`` as the next version and use it."""
    _check_name(name)
    await refresh_rule_configs(deps)
    rules = _in_force(deps, name)
    if expected_version is not None and expected_version != rules.version:
        raise Conflict(
            f"配置{name}当前为版本{rules.version}，不是{expected_version}，请刷新后重试",
            f"{name} is at version {rules.version}, not {expected_version}; reload and retry",
        )
    body = {**rules_doc(name, rules), **changes}
    version = rules.version + 1
    new_rules = rules_from(name, body, version)  # the domain validates every number
    stored = StoredRules(name, version, rules_doc(name, new_rules), by, deps.clock())
    event = RuleConfigChanged(
        at=stored.at, name=name, version=version, changed_keys=tuple(sorted(changes)), changed_by=by
    )
    await deps.rule_store.put(stored, event)
    _apply(deps, name, new_rules)
    return RuleConfig(name, version, stored.body, current(deps, name).provenance, by)
