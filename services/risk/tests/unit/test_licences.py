"""危险废物经营许可证: validity, coverage, expiry warnings, the one-call check."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest

from risk.domain.clock import term_end
from risk.domain.credit_code import make_credit_code
from risk.domain.errors import InvalidTransition, ValidationError
from risk.domain.events import LicenceExpired, LicenceExpiringSoon, LicenceIssued, LicenceRevoked
from risk.domain.licences import (
    Licence,
    LicenceKind,
    LicenceRules,
    expiring_soon,
    may_receive,
)
from risk.domain.waste_codes import WasteCode

pytestmark = pytest.mark.unit

HOLDER = make_credit_code("91500119MA5YH0001")
OTHER = make_credit_code("91500119MA5YH0002")
OIL = WasteCode.parse("900-249-08")
MEDICAL = WasteCode.parse("841-001-01")
ACID = WasteCode.parse("900-300-34")


def issue(
    at: Callable[..., datetime],
    kind: LicenceKind = LicenceKind.COMPREHENSIVE,
    valid_from: date = date(2021, 3, 15),
    **kwargs: object,
) -> Licence:
    params: dict[str, object] = {
        "number": "渝危废第500119001号",
        "holder": HOLDER,
        "holder_name": "重庆某环保科技有限公司",
        "kind": kind,
        "valid_from": valid_from,
        "at": at(2021, 3, 15),
        "codes": ["841-001-01"],
        "categories": ["HW08"],
    }
    params.update(kwargs)
    return Licence.issue(**params)


def test_comprehensive_runs_five_years(at: Callable[..., datetime]) -> None:
    licence = issue(at)
    assert licence.valid_until == date(2026, 3, 14)
    event = licence.events[0]
    assert isinstance(event, LicenceIssued) and event.valid_until == date(2026, 3, 14)
    assert event.kind == "综合"
    assert licence.history[0].action == "issue"


def test_collection_runs_three_years(at: Callable[..., datetime]) -> None:
    assert issue(at, LicenceKind.COLLECTION).valid_until == date(2024, 3, 14)


def test_leap_day_start(at: Callable[..., datetime]) -> None:
    # Issue 19: the anniversary of 29 February in a common year is 1 March; the term ends the
    # day before, 28 February (it was capped a day early at 27 February).
    assert issue(at, valid_from=date(2024, 2, 29)).valid_until == date(2029, 2, 28)


def test_a_collection_licence_from_a_leap_day_runs_to_28_february(
    at: Callable[..., datetime],
) -> None:
    kind = LicenceKind.COLLECTION
    assert issue(at, kind=kind, valid_from=date(2024, 2, 29)).valid_until == date(2027, 2, 28)
    # The genuine licence (2024-02-29 to 2027-02-28) is accepted; one day more is refused.
    genuine = issue(at, kind=kind, valid_from=date(2024, 2, 29), valid_until=date(2027, 2, 28))
    assert genuine.valid_until == date(2027, 2, 28)
    with pytest.raises(ValidationError):
        issue(at, kind=kind, valid_from=date(2024, 2, 29), valid_until=date(2027, 3, 1))


@pytest.mark.parametrize(
    ("start", "years", "end"),
    [
        (date(2024, 3, 1), 3, date(2027, 2, 28)),
        (date(2023, 3, 1), 5, date(2028, 2, 29)),  # ends on a leap day
        (date(2024, 2, 29), 4, date(2028, 2, 28)),  # leap to leap: the day before 29 Feb
        (date(2024, 2, 29), 3, date(2027, 2, 28)),
        (date(2024, 1, 15), 5, date(2029, 1, 14)),
        (date(2024, 12, 31), 1, date(2025, 12, 30)),
    ],
)
def test_term_end(start: date, years: int, end: date) -> None:
    assert term_end(start, years) == end


def test_terms_are_configuration(at: Callable[..., datetime]) -> None:
    rules = LicenceRules(term_years={LicenceKind.COMPREHENSIVE: 1, LicenceKind.COLLECTION: 1})
    assert issue(at, rules=rules).valid_until == date(2022, 3, 14)


def test_printed_end_date_within_the_term_is_kept(at: Callable[..., datetime]) -> None:
    assert issue(at, valid_until=date(2023, 12, 31)).valid_until == date(2023, 12, 31)


@pytest.mark.parametrize("until", [date(2026, 3, 15), date(2021, 3, 14)])
def test_end_date_outside_the_term_is_refused(at: Callable[..., datetime], until: date) -> None:
    with pytest.raises(ValidationError) as caught:
        issue(at, valid_until=until)
    assert caught.value.field == "valid_until"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"codes": [], "categories": []},
        {"codes": ["900-249-8"]},
        {"categories": ["HW42"]},
        {"number": "  "},
        {"annual_capacity_t": Decimal(0)},
    ],
)
def test_bad_licences_are_refused(at: Callable[..., datetime], kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        issue(at, **kwargs)


def test_naive_time_is_refused() -> None:
    with pytest.raises(ValidationError):
        issue(lambda *a: datetime(2021, 3, 15))


@pytest.mark.parametrize(
    ("code", "on", "ok", "fragment"),
    [
        (MEDICAL, date(2021, 3, 15), True, "有效"),
        (OIL, date(2026, 3, 14), True, "有效"),  # a listed category covers all its codes
        (MEDICAL, date(2021, 3, 14), False, "起生效"),
        (MEDICAL, date(2026, 3, 15), False, "到期"),
        (ACID, date(2023, 1, 1), False, "不含900-300-34"),
        (WasteCode.parse("841-002-01"), date(2023, 1, 1), False, "不含"),
    ],
)
def test_check(
    at: Callable[..., datetime], code: WasteCode, on: date, ok: bool, fragment: str
) -> None:
    licence = issue(at)
    result = licence.check(code, on)
    assert result.ok is ok
    assert licence.is_valid_for(code, on) is ok
    assert fragment in result.reason_zh
    assert result.licence_number == licence.number


def test_revocation(at: Callable[..., datetime]) -> None:
    licence = issue(at)
    licence.revoke(date(2023, 6, 1), "违法经营", at(2023, 6, 1))
    assert licence.is_valid_for(OIL, date(2023, 5, 31))
    assert not licence.is_valid_for(OIL, date(2023, 6, 1))
    assert isinstance(licence.events[-1], LicenceRevoked)
    with pytest.raises(InvalidTransition):
        licence.revoke(date(2023, 7, 1), "again", at(2023, 7, 1))


def test_may_receive_is_one_call(at: Callable[..., datetime]) -> None:
    medical_only = issue(at, number="A", codes=["841-001-01"], categories=[])
    oil_only = issue(at, number="B", codes=[], categories=["HW08"])
    licences = [medical_only, oil_only]
    assert may_receive(licences, HOLDER, OIL, date(2022, 1, 1)).licence_number == "B"
    assert may_receive(licences, HOLDER, MEDICAL, date(2022, 1, 1)).licence_number == "A"
    refused = may_receive(licences, HOLDER, ACID, date(2022, 1, 1))
    assert not refused.ok and "A" in refused.reason_zh and "B" in refused.reason_zh
    nobody = may_receive(licences, OTHER, OIL, date(2022, 1, 1))
    assert not nobody.ok and "未持有" in nobody.reason_zh


def test_expiry_events_once_each(at: Callable[..., datetime]) -> None:
    licence = issue(at)  # last valid day 2026-03-14
    licence.events.clear()
    licence.check_expiry(at(2025, 12, 13))
    assert licence.events == []  # 91 days left
    licence.check_expiry(at(2025, 12, 14))
    licence.check_expiry(at(2025, 12, 15))
    assert [type(e) for e in licence.events] == [LicenceExpiringSoon]
    warning = licence.events[0]
    assert isinstance(warning, LicenceExpiringSoon) and warning.days_left == 90
    licence.check_expiry(at(2026, 3, 14))
    assert len(licence.events) == 1
    licence.check_expiry(at(2026, 3, 15))
    licence.check_expiry(at(2026, 3, 16))
    assert [type(e) for e in licence.events] == [LicenceExpiringSoon, LicenceExpired]


def test_expired_without_warning_first(at: Callable[..., datetime]) -> None:
    licence = issue(at)
    licence.events.clear()
    licence.check_expiry(at(2027, 1, 1))
    assert [type(e) for e in licence.events] == [LicenceExpired]


def test_revoked_licences_raise_no_expiry_events(at: Callable[..., datetime]) -> None:
    licence = issue(at)
    licence.revoke(date(2022, 1, 1), "注销", at(2022, 1, 1))
    licence.events.clear()
    licence.check_expiry(at(2026, 3, 1))
    assert licence.events == []
    assert expiring_soon([licence], date(2026, 3, 1)) == []


def test_expiring_soon_listing(at: Callable[..., datetime]) -> None:
    five = issue(at, number="5y")
    three = issue(at, LicenceKind.COLLECTION, number="3y")
    assert expiring_soon([five, three], date(2024, 1, 1)) == [three]
    assert expiring_soon([five, three], date(2024, 3, 15)) == []
    assert expiring_soon([five, three], date(2024, 1, 1), LicenceRules(expiry_warning_days=0)) == []
    assert three.days_left(date(2024, 3, 14)) == 0
