"""危险废物经营许可证: who may take which waste, and until when."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType

from risk.domain.aggregate import Aggregate
from risk.domain.clock import china_date, days_between, require_aware, term_end
from risk.domain.credit_code import CreditCode
from risk.domain.errors import InvalidTransition, ValidationError
from risk.domain.events import LicenceExpired, LicenceExpiringSoon, LicenceIssued, LicenceRevoked
from risk.domain.waste_codes import WasteCode, parse_category


class LicenceKind(StrEnum):
    """综合经营许可证 (collect, store, use, dispose) or 收集经营许可证 (collect only)."""

    COMPREHENSIVE = "综合"
    COLLECTION = "收集"


@dataclass(frozen=True)
class LicenceRules:
    """Validity terms (危险废物经营许可证管理办法 第十二条) and the warning lead time."""

    term_years: Mapping[LicenceKind, int] = field(
        default_factory=lambda: MappingProxyType(
            {LicenceKind.COMPREHENSIVE: 5, LicenceKind.COLLECTION: 3}
        )
    )
    # 许可证有效期届满需继续经营的，应当于届满30个工作日前申请换证: warn well before that.
    expiry_warning_days: int = 90


DEFAULT_LICENCE_RULES = LicenceRules()


@dataclass(frozen=True, slots=True)
class LicenceCheck:
    """Answer to "may this receiver take this waste on this date", with the reason."""

    ok: bool
    licence_number: str | None
    reason_zh: str
    reason_en: str


class Licence(Aggregate):
    """One licence; coverage is a set of codes and/or whole categories."""

    def __init__(
        self,
        *,
        number: str,
        holder: CreditCode,
        holder_name: str,
        kind: LicenceKind,
        valid_from: date,
        valid_until: date,
        codes: frozenset[str],
        categories: frozenset[str],
        annual_capacity_t: Decimal | None = None,
    ) -> None:
        super().__init__()
        self.number = number
        self.holder = holder
        self.holder_name = holder_name
        self.kind = kind
        self.valid_from = valid_from
        self.valid_until = valid_until
        self.codes = codes
        self.categories = categories
        self.annual_capacity_t = annual_capacity_t
        self.revoked_on: date | None = None
        self.warned_expiry = False
        self.reported_expired = False

    @classmethod
    def issue(
        cls,
        *,
        number: str,
        holder: CreditCode,
        holder_name: str,
        kind: LicenceKind,
        valid_from: date,
        at: datetime,
        codes: Iterable[str] = (),
        categories: Iterable[str] = (),
        valid_until: date | None = None,
        annual_capacity_t: Decimal | None = None,
        rules: LicenceRules = DEFAULT_LICENCE_RULES,
    ) -> Licence:
        """Record a licence; the end date defaults to the statutory term less one day."""
        require_aware("at", at)
        if not number.strip():
            raise ValidationError("number", "许可证编号不能为空", "licence number is required")
        parsed_codes = frozenset(WasteCode.parse(c, "codes").value for c in codes)
        parsed_categories = frozenset(parse_category(c) for c in categories)
        if not parsed_codes and not parsed_categories:
            raise ValidationError(
                "codes", "许可证须载明经营的危险废物代码或类别", "a licence must cover some waste"
            )
        longest = term_end(valid_from, rules.term_years[kind])
        until = longest if valid_until is None else valid_until
        if until < valid_from or until > longest:
            raise ValidationError(
                "valid_until",
                f"{kind.value}经营许可证有效期最长{rules.term_years[kind]}年（至{longest}）",
                f"a {kind.name.lower()} licence runs at most "
                f"{rules.term_years[kind]} years (until {longest})",
            )
        if annual_capacity_t is not None and annual_capacity_t <= 0:
            raise ValidationError("annual_capacity_t", "经营规模必须大于零", "must be positive")
        licence = cls(
            number=number.strip(),
            holder=holder,
            holder_name=holder_name,
            kind=kind,
            valid_from=valid_from,
            valid_until=until,
            codes=parsed_codes,
            categories=parsed_categories,
            annual_capacity_t=annual_capacity_t,
        )
        licence._record(
            at,
            "issue",
            LicenceIssued(
                at=at,
                licence_number=licence.number,
                holder_credit_code=holder.value,
                kind=kind.value,
                valid_from=valid_from,
                valid_until=until,
            ),
        )
        return licence

    def covers(self, code: WasteCode) -> bool:
        """Whether the licence lists the code or its whole category."""
        return code.value in self.codes or code.category in self.categories

    def check(self, code: WasteCode, on_date: date) -> LicenceCheck:
        """Whether this licence allows taking `code` on `on_date`, and why not."""
        if self.revoked_on is not None and on_date >= self.revoked_on:
            return self._no(
                f"许可证已于{self.revoked_on}吊销/注销", f"revoked on {self.revoked_on}"
            )
        if on_date < self.valid_from:
            return self._no(f"许可证{self.valid_from}起生效", f"not valid before {self.valid_from}")
        if on_date > self.valid_until:
            return self._no(f"许可证已于{self.valid_until}到期", f"expired on {self.valid_until}")
        if not self.covers(code):
            return self._no(f"许可证经营范围不含{code}", f"does not cover {code}")
        return LicenceCheck(True, self.number, f"许可证{self.number}有效且涵盖{code}", "ok")

    def _no(self, zh: str, en: str) -> LicenceCheck:
        return LicenceCheck(
            False, self.number, f"许可证{self.number}：{zh}", f"{self.number}: {en}"
        )

    def is_valid_for(self, code: WasteCode, on_date: date) -> bool:
        """Shorthand for `check(...).ok`."""
        return self.check(code, on_date).ok

    def revoke(self, effective_on: date, reason: str, at: datetime) -> None:
        """Revoke (吊销) or cancel (注销) from a date on."""
        require_aware("at", at)
        if self.revoked_on is not None:
            raise InvalidTransition("已吊销 revoked", "revoke")
        self.revoked_on = effective_on
        event = LicenceRevoked(
            at=at,
            licence_number=self.number,
            holder_credit_code=self.holder.value,
            effective_on=effective_on,
            reason=reason,
        )
        self._record(at, "revoke", event, detail=reason)

    def days_left(self, today: date) -> int:
        """Days until the last valid day (0 on that day, negative after)."""
        return days_between(today, self.valid_until)

    def check_expiry(self, at: datetime, rules: LicenceRules = DEFAULT_LICENCE_RULES) -> None:
        """Record "expiring soon" and "expired" once each; a scheduled job calls this daily."""
        today = china_date(at)  # validity is counted in Beijing dates
        if self.revoked_on is not None:
            return
        left = self.days_left(today)
        holder = self.holder.value
        if left < 0 and not self.reported_expired:
            self.reported_expired = True
            event = LicenceExpired(
                at=at,
                licence_number=self.number,
                holder_credit_code=holder,
                valid_until=self.valid_until,
            )
            self._record(at, "expired", event)
        elif 0 <= left <= rules.expiry_warning_days and not self.warned_expiry:
            self.warned_expiry = True
            warning = LicenceExpiringSoon(
                at=at,
                licence_number=self.number,
                holder_credit_code=holder,
                valid_until=self.valid_until,
                days_left=left,
            )
            self._record(at, "expiring_soon", warning)


def may_receive(
    licences: Iterable[Licence], receiver: CreditCode, code: WasteCode, on_date: date
) -> LicenceCheck:
    """One call: does `receiver` hold a licence valid for `code` on `on_date`?"""
    held = [lic for lic in licences if lic.holder == receiver]
    if not held:
        return LicenceCheck(
            False,
            None,
            f"接收单位{receiver}未持有危险废物经营许可证",
            f"receiver {receiver} holds no hazardous waste licence",
        )
    checks = [lic.check(code, on_date) for lic in held]
    for result in checks:
        if result.ok:
            return result
    return LicenceCheck(
        False,
        None,
        "；".join(c.reason_zh for c in checks),
        "; ".join(c.reason_en for c in checks),
    )


def expiring_soon(
    licences: Iterable[Licence], today: date, rules: LicenceRules = DEFAULT_LICENCE_RULES
) -> list[Licence]:
    """Licences (not revoked) whose last valid day is within the warning window."""
    return [
        lic
        for lic in licences
        if lic.revoked_on is None and 0 <= lic.days_left(today) <= rules.expiry_warning_days
    ]
