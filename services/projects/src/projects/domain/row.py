"""One sub-item as a value (a row of the reserve table) and the stable ids derived from it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal

from projects.domain.stages import Stage
from projects.domain.values import Field, FundingMix, SourceClass, YearSpan, classify_source


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


def project_id(field: Field, project: str) -> str:
    """Stable project id: field code + hash of the project name, e.g. 'F2-1a2b3c4d'."""
    return f"{field.code}-{_digest(project.strip())}"


def subitem_id(project_id_: str, name: str, ordinal: int) -> str:
    """Stable sub-item id: project id + hash of the sub-item name + its ordinal among namesakes.

    The plan merges cells, so one sub-item name covers several rows (饮用水源保护项目 ×2,
    工业园区污水治理工程 ×4 ...). The ordinal (by 序号 among rows of the same project and name)
    tells them apart. Content is deliberately left out: an approved adjustment rewrites it, and
    the adjusted export must still re-import onto the same ids. Row numbers are left out too, so
    inserting a row elsewhere does not renumber everyone else.
    """
    return f"{project_id_}-{_digest(name.strip())}-{ordinal}"


@dataclass(frozen=True, kw_only=True)
class ReserveRow:
    """A sub-item's state: one row of the table plus lifecycle stage and reserve membership."""

    subitem_id: str
    project_id: str
    no: int
    field: Field
    project: str
    name: str
    content: str
    investment_wan: Decimal
    years: YearSpan
    lead_units: tuple[str, ...]
    source: str
    location: str | None = None
    funding: FundingMix | None = None
    stage: Stage = Stage.RESERVE
    in_reserve: bool = True

    @property
    def source_class(self) -> SourceClass:
        """District-confirmed or planned by the plan, from the source."""
        return classify_source(self.source)

    @property
    def field_code(self) -> str:
        """The field's stable id."""
        return self.field.code
