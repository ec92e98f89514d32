"""validate(code, on_date) against the catalogue in force: accepted, warned or refused."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from risk.domain.catalogue import CatalogueEntry, WasteCatalogue
from risk.domain.errors import ValidationError
from risk.domain.waste_codes import WasteCode


class CodeStatus(StrEnum):
    """Outcome of a catalogue check."""

    ACCEPTED = "accepted"
    ACCEPTED_WITH_WARNING = "accepted_with_warning"
    REFUSED = "refused"


@dataclass(frozen=True, slots=True)
class CodeCheck:
    """What the catalogue says about a code on a date, with the reason in both languages."""

    raw: str
    on_date: date
    status: CodeStatus
    code: WasteCode | None
    entry: CatalogueEntry | None
    in_force: str | None  # version in force on the date
    checked_against: str | None  # version whose table was actually consulted
    reason_zh: str
    reason_en: str

    @property
    def accepted(self) -> bool:
        """True for accepted and accepted-with-warning."""
        return self.status is not CodeStatus.REFUSED

    def require(self, field: str = "waste_code") -> WasteCode:
        """The code, or ValidationError when refused."""
        if self.code is None or self.status is CodeStatus.REFUSED:
            raise ValidationError(field, self.reason_zh, self.reason_en)
        return self.code


class WasteCatalogues:
    """All known versions; the one in force is the latest whose effective date has come."""

    def __init__(self, catalogues: Iterable[WasteCatalogue]) -> None:
        self._all = sorted(catalogues, key=lambda c: c.effective_from)
        dates = [c.effective_from for c in self._all]
        if len(set(dates)) != len(dates):
            raise ValidationError("catalogue", "两个版本生效日期相同", "two versions share a date")

    @property
    def versions(self) -> tuple[WasteCatalogue, ...]:
        """Every version, oldest first."""
        return tuple(self._all)

    def with_version(self, catalogue: WasteCatalogue) -> WasteCatalogues:
        """A new set where `catalogue` replaces the version of the same name (e.g. 2025 loaded)."""
        kept = [c for c in self._all if c.version != catalogue.version]
        return WasteCatalogues([*kept, catalogue])

    def in_force(self, on_date: date) -> WasteCatalogue | None:
        """The version in force on a date, or None before the first one."""
        current = None
        for catalogue in self._all:
            if catalogue.effective_from <= on_date:
                current = catalogue
        return current

    def _latest_loaded_before(self, catalogue: WasteCatalogue) -> WasteCatalogue | None:
        earlier = [c for c in self._all if c.effective_from < catalogue.effective_from and c.loaded]
        return earlier[-1] if earlier else None

    def validate(self, raw: str, on_date: date) -> CodeCheck:
        """Check a code as used on a date."""
        try:
            code = WasteCode.parse(raw)
        except ValidationError as exc:
            return CodeCheck(
                raw=raw,
                on_date=on_date,
                status=CodeStatus.REFUSED,
                code=None,
                entry=None,
                in_force=None,
                checked_against=None,
                reason_zh=exc.reason_zh,
                reason_en=exc.reason_en,
            )
        base = _Base(raw, on_date, code)
        current = self.in_force(on_date)
        if current is None:
            return base.result(
                CodeStatus.REFUSED,
                None,
                None,
                f"{on_date}没有已加载的危险废物名录（2021年版之前的名录未加载）",
                f"no hazardous waste list loaded for {on_date} (lists before 2021 are not loaded)",
            )
        if current.loaded:
            return _against(base, current, current)
        fallback = self._latest_loaded_before(current)
        if fallback is not None:
            found = _against(base, current, fallback)
            if found.status is not CodeStatus.REFUSED:
                return found
        older_zh = fallback.title if fallback else "已加载的名录"
        older_en = f"{fallback.version} list" if fallback else "loaded lists"
        return base.result(
            CodeStatus.ACCEPTED_WITH_WARNING,
            current,
            fallback,
            f"{code}不在{older_zh}中；{current.title}（{current.effective_from}起施行）"
            "的代码表尚未加载，暂予接受，请人工核对",
            f"{code} is not in the {older_en}; the {current.version} list in force since "
            f"{current.effective_from} is not loaded, so it is accepted with a warning: "
            "check it by hand",
        )


@dataclass(frozen=True, slots=True)
class _Base:
    raw: str
    on_date: date
    code: WasteCode

    def result(
        self,
        status: CodeStatus,
        current: WasteCatalogue | None,
        table: WasteCatalogue | None,
        reason_zh: str,
        reason_en: str,
        entry: CatalogueEntry | None = None,
    ) -> CodeCheck:
        return CodeCheck(
            raw=self.raw,
            on_date=self.on_date,
            status=status,
            code=self.code,
            entry=entry,
            in_force=current.version if current else None,
            checked_against=table.version if table else None,
            reason_zh=reason_zh,
            reason_en=reason_en,
        )


def _against(base: _Base, current: WasteCatalogue, table: WasteCatalogue) -> CodeCheck:
    """Look the code up in `table`, reporting `current` as the version in force."""
    code = base.code
    entry = table.get(code)
    provisional = table is not current
    note_zh = f"（{current.title}代码表未加载，按{table.title}核对）" if provisional else ""
    note_en = (
        f" ({current.version} table not loaded; checked against {table.version})"
        if provisional
        else ""
    )
    if entry is not None:
        return base.result(
            CodeStatus.ACCEPTED,
            current,
            table,
            f"{code}（{entry.category} {entry.category_name}）在{table.title}中{note_zh}",
            f"{code} ({entry.category}) is listed in the {table.version} list{note_en}",
            entry,
        )
    if code.is_identified_waste and current.accepts_identified_waste:
        return base.result(
            CodeStatus.ACCEPTED,
            current,
            table,
            f"{code}为经鉴别的危险废物归类代码（名录第六条，900-000-××）",
            f"{code} is the code for waste classified by identification (900-000-xx)",
        )
    return base.result(
        CodeStatus.REFUSED,
        current,
        table,
        f"{code}不在{base.on_date}施行的{table.title}中",
        f"{code} is not in the {table.version} list in force on {base.on_date}",
    )
