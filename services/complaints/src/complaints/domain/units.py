"""The registry of handling units (承办单位): the towns and streets, the bureau's own sections
and other departments a case can be assigned to (交办). A unit has a stable id, a Chinese
name, a kind, a head and handlers (person ids, never contact data) and is active or retired.

Cases name their unit by id; assigning to an id the registry does not hold, or to a retired
unit, is refused. Every change is an event (UnitRegistered / UnitChanged / UnitRetired) that
carries the unit's whole new state, so a consumer (notify's directory) can apply it as is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from complaints.domain.errors import RULES_ZH, RuleViolation
from qingshan_core import errors as core

UNIT_ID = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
PERSON_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
MAX_NAME = 40
MAX_CONTACTS = 20


class UnitKind(StrEnum):
    """What sort of unit it is."""

    TOWN = "town"  # 镇/街道
    SECTION = "section"  # 局内科室 (and the 执法支队)
    DEPARTMENT = "department"  # 其他部门 (区城市管理局, 区水利局 ...)

    @property
    def label(self) -> str:
        return UNIT_KIND_LABELS[self]


UNIT_KIND_LABELS = {
    UnitKind.TOWN: "镇/街道",
    UnitKind.SECTION: "局内科室",
    UnitKind.DEPARTMENT: "其他部门",
}


@dataclass(frozen=True, slots=True)
class UnitRegistered:
    unit: HandlingUnit
    at: datetime
    by: str


@dataclass(frozen=True, slots=True)
class UnitChanged:
    unit: HandlingUnit
    at: datetime
    by: str
    fields: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class UnitRetired:
    unit: HandlingUnit
    at: datetime
    by: str


UnitEvent = UnitRegistered | UnitChanged | UnitRetired


def _name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise RuleViolation("name_required", "a unit needs a name")
    if len(name) > MAX_NAME:
        raise RuleViolation("unit_name_too_long", f"name longer than {MAX_NAME} characters")
    return name


def _person(pid: str | None, code: str) -> str | None:
    pid = (pid or "").strip() or None
    if pid is not None and not PERSON_ID.match(pid):
        raise RuleViolation(code, f"not a person id: {pid!r}")
    return pid


def _contacts(ids: tuple[str, ...]) -> tuple[str, ...]:
    if len(ids) > MAX_CONTACTS:
        raise RuleViolation("unit_contacts_invalid", f"more than {MAX_CONTACTS} contacts")
    out = tuple(dict.fromkeys(p for p in (_person(i, "unit_contacts_invalid") for i in ids) if p))
    return out


@dataclass(frozen=True, slots=True)
class HandlingUnit:
    """One unit of the registry; changes return a new unit and record their event."""

    id: str
    name: str
    kind: UnitKind
    head: str | None = None
    contacts: tuple[str, ...] = ()
    active: bool = True
    version: int = 1
    created_at: datetime | None = None
    updated_at: datetime | None = None
    retired_at: datetime | None = None
    events: tuple[UnitEvent, ...] = field(default=(), compare=False)

    @classmethod
    def register(
        cls,
        unit_id: str,
        name: str,
        kind: UnitKind,
        *,
        head: str | None,
        contacts: tuple[str, ...],
        by: str,
        at: datetime,
    ) -> HandlingUnit:
        """A new active unit (version 1); the id is lower-case words joined by '-'."""
        unit_id = (unit_id or "").strip()
        if not unit_id:
            raise RuleViolation("id_required", "a unit needs an id")
        if len(unit_id) > 64 or not UNIT_ID.match(unit_id):
            raise RuleViolation("unit_id_invalid", f"not a unit id: {unit_id!r}")
        unit = cls(
            unit_id,
            _name(name),
            kind,
            _person(head, "unit_head_invalid"),
            _contacts(contacts),
            created_at=at,
            updated_at=at,
        )
        return replace(unit, events=(UnitRegistered(unit, at, by),))

    def change(
        self,
        *,
        name: str | None = None,
        head: str | None = None,
        clear_head: bool = False,
        contacts: tuple[str, ...] | None = None,
        by: str,
        at: datetime,
    ) -> HandlingUnit:
        """Rename, or set its head or handlers; a retired unit cannot change. Unchanged
        values change nothing (no new version, no event)."""
        if not self.active:
            raise RuleViolation("unit_retired", f"unit {self.id} is retired")
        new_name = self.name if name is None else _name(name)
        new_head = (
            None
            if clear_head
            else (self.head if head is None else _person(head, "unit_head_invalid"))
        )
        new_contacts = self.contacts if contacts is None else _contacts(contacts)
        changed = tuple(
            f
            for f, old, new in (
                ("name", self.name, new_name),
                ("head", self.head, new_head),
                ("contacts", self.contacts, new_contacts),
            )
            if old != new
        )
        if not changed:
            return replace(self, events=())
        unit = replace(
            self,
            name=new_name,
            head=new_head,
            contacts=new_contacts,
            version=self.version + 1,
            updated_at=at,
            events=(),
        )
        return replace(unit, events=(UnitChanged(unit, at, by, changed),))

    def retire(self, *, by: str, at: datetime) -> HandlingUnit:
        """Takes no new cases from now on; retiring twice is refused."""
        if not self.active:
            raise RuleViolation("unit_retired", f"unit {self.id} is already retired")
        unit = replace(
            self, active=False, version=self.version + 1, updated_at=at, retired_at=at, events=()
        )
        return replace(unit, events=(UnitRetired(unit, at, by),))


def check_assignable(unit_id: str, unit: HandlingUnit | None) -> HandlingUnit:
    """The unit a case may be assigned to: it must be in the registry and active."""
    if unit is None:
        raise UnitRefused("unit_unknown", unit_id, f"unit {unit_id!r} is not in the registry")
    if not unit.active:
        raise UnitRefused("unit_retired", unit_id, f"unit {unit_id} ({unit.name}) is retired")
    return unit


class UnitRefused(RuleViolation):
    """An assignment to a unit the registry does not hold, or holds as retired (422)."""

    def __init__(self, code: str, unit_id: str, message: str) -> None:
        zh = f"{RULES_ZH[code]}：{unit_id}"
        core.QingshanError.__init__(
            self,
            zh,
            message,
            code=code,
            errors=[core.FieldProblem("unit_id", zh, message)],
            extra={"unit_id": unit_id},
        )
        self.message = message
        self.unit_id = unit_id


class UnitNotFound(core.NotFound):
    """No unit with that id in the registry (404)."""

    def __init__(self, unit_id: str) -> None:
        super().__init__(f"单位不存在：{unit_id}", f"no such unit: {unit_id}")
        self.unit_id = unit_id


class UnitExists(core.AlreadyExists):
    """A unit with this id is already registered (409 with the stored unit)."""

    def __init__(self, unit: HandlingUnit) -> None:
        super().__init__(
            f"单位编号已存在：{unit.id}（{unit.name}）",
            f"unit {unit.id} already exists",
            code="unit_exists",
            current={
                "id": unit.id,
                "name": unit.name,
                "kind": unit.kind.value,
                "active": unit.active,
            },
        )
        self.unit = unit
