"""/v1/admin/rules: the versioned rule configurations (hj941, incident_grading).

Every number the HJ 941 grading reference marks unconfirmed (measure points, receptor lists,
matrices, look-back, …) and the 分级标准 thresholds are here; an administrator changes them
without a release, each change is a new version with a `RuleConfigurationChanged` event, and
every grading records the version it used.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from risk.entrypoints.http.common import (
    AUTH,
    ERRORS,
    MALFORMED,
    Admin,
    Reader,
    Services,
    who,
)
from risk.service_layer import rule_config as uc

router = APIRouter(prefix="/v1/admin/rules", tags=["admin 规则配置"], responses=AUTH)


class RuleConfigRead(BaseModel):
    """A configuration in force: its version (0: shipped defaults) and every setting."""

    name: str
    version: int
    body: dict[str, Any]
    provenance: dict[str, str]
    changed_by: str | None = None


class RuleChange(BaseModel):
    """Settings to change (top-level keys of `body`; the others stay as they are)."""

    changes: dict[str, Any] = Field(min_length=1)
    expected_version: int | None = Field(
        default=None, ge=0, description="the version the change was made on (409 if not current)"
    )


class RuleVersionRead(BaseModel):
    """One stored version."""

    version: int
    changed_by: str
    at: datetime
    body: dict[str, Any]


def _read(c: uc.RuleConfig) -> RuleConfigRead:
    return RuleConfigRead(
        name=c.name,
        version=c.version,
        body=c.body,
        provenance=dict(c.provenance),
        changed_by=c.changed_by,
    )


@router.get("/{name}", response_model=RuleConfigRead, responses=ERRORS)
async def get_rules(name: str, deps: Services, _: Reader) -> RuleConfigRead:
    """The configuration in force (`hj941` or `incident_grading`)."""
    return _read(uc.current(deps, name))


@router.put("/{name}", response_model=RuleConfigRead, responses=ERRORS | MALFORMED)
async def change_rules(name: str, body: RuleChange, deps: Services, user: Admin) -> RuleConfigRead:
    """Store the next version (422 naming the setting when the domain refuses it)."""
    changed = await uc.change(deps, name, body.changes, who(user), body.expected_version)
    return _read(changed)


@router.get("/{name}/versions", response_model=list[RuleVersionRead], responses=ERRORS)
async def rule_versions(name: str, deps: Services, _: Reader) -> list[RuleVersionRead]:
    """Every stored version, newest first."""
    return [
        RuleVersionRead(version=v.version, changed_by=v.changed_by, at=v.at, body=v.body)
        for v in await uc.versions(deps, name)
    ]
