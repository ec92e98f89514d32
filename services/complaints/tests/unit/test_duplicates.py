"""Duplicate detection and hotspots on normalised places."""

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from complaints.domain.complaint import Complaint
from complaints.domain.duplicates import (
    DuplicateProbe,
    duplicate_candidates,
    find_first_case,
    hotspot_reports,
    normalise_text,
    place_key,
)
from complaints.domain.model import Actor, Category, Role
from qingshan_core.workdays import SHANGHAI

pytestmark = pytest.mark.unit

MakeCase = Callable[..., Complaint]
PREFIXES = ("重庆市", "南川区")
DAY = timedelta(days=1)


def at(d: int, hh: int = 10) -> datetime:
    return datetime(2024, 9, d, hh, tzinfo=SHANGHAI)


def probe(
    cid: str,
    received: datetime,
    *,
    category: Category = Category.NOISE,
    town: str = "东城街道",
    address: str = "金山路12号",
    phone: str | None = None,
    open: bool = True,
) -> DuplicateProbe:
    return DuplicateProbe(cid, category, town, address, phone, received_at=received, open=open)


def test_normalisation_folds_width_case_blanks_and_punctuation() -> None:
    assert normalise_text(" 金山路１２号（北门）, A栋 ") == "金山路12号北门a栋"
    assert place_key("东城街道", "重庆市南川区东城街道金山路１２号", PREFIXES) == place_key(
        "东城街道 ", "金山路 12 号", PREFIXES
    )
    assert place_key("东城街道", "金山路12号") != place_key("西城街道", "金山路12号")
    assert place_key("东城街道", "金山路12号") != place_key("东城街道", "金山路14号")


def test_earliest_open_match_within_the_window_is_the_first_case() -> None:
    new = probe("new", at(10), address="南川区东城街道金山路１２号")
    existing = [
        probe("second", at(9)),
        probe("first", at(8)),
        probe("too-old", at(1)),  # outside a 7-day window
        probe("closed", at(7), open=False),
        probe("other-category", at(6), category=Category.AIR),
        probe("other-street", at(6), address="金山路14号"),
        probe("after-new", at(11)),
        new,  # the case itself, when the caller's query returns it
    ]
    first = find_first_case(new, existing, window=7 * DAY, strip_prefixes=PREFIXES)
    assert first is not None and first.complaint_id == "first"


def test_candidates_are_every_match_open_or_not_and_the_first_case_is_among_them() -> None:
    new = probe("new", at(10), phone="h-aaa")
    existing = [
        probe("closed", at(7), open=False),
        probe("open", at(8)),
        probe("other-caller", at(9), phone="h-bbb"),
        probe("other-category", at(9), category=Category.AIR),
        probe("too-old", at(1)),
    ]
    found = duplicate_candidates(new, existing, window=7 * DAY)
    assert [p.complaint_id for p in found] == ["closed", "open"]
    first = find_first_case(new, found, window=7 * DAY)
    assert first is not None and first.complaint_id == "open"  # the closed one is no target


def test_phone_hashes_narrow_the_match_only_when_both_are_known() -> None:
    new = probe("new", at(10), phone="h-aaa")
    assert find_first_case(new, [probe("x", at(9), phone="h-bbb")], 7 * DAY) is None
    same = find_first_case(new, [probe("x", at(9), phone="h-aaa")], 7 * DAY)
    assert same is not None and same.complaint_id == "x"
    anonymous_old = find_first_case(new, [probe("x", at(9))], 7 * DAY)
    assert anonymous_old is not None
    anonymous_new = find_first_case(probe("new", at(10)), [probe("x", at(9), phone="h")], 7 * DAY)
    assert anonymous_new is not None


def test_no_candidates() -> None:
    assert find_first_case(probe("new", at(10)), [], 7 * DAY) is None


def test_window_edges_are_inclusive() -> None:
    new = probe("new", at(10))
    edge = find_first_case(new, [probe("x", at(3))], window=7 * DAY)
    assert edge is not None
    assert find_first_case(new, [probe("x", at(3, 9))], window=7 * DAY) is None


def test_hotspot_needs_threshold_reports_about_one_place() -> None:
    new = probe("n", at(10, 12))
    others = [
        probe("a", at(10, 8), category=Category.AIR),  # any category counts
        probe("b", at(9, 20), open=False),  # closed ones count too: it is about the place
        probe("c", at(8, 9)),  # outside 24 h
        probe("d", at(10, 9), address="金山路14号"),
    ]
    reports = hotspot_reports(new, others, window=DAY, threshold=3)
    assert reports is not None
    assert [r.complaint_id for r in reports] == ["b", "a", "n"]
    assert hotspot_reports(new, others, window=DAY, threshold=4) is None


def test_probe_from_aggregate(make_case: MakeCase) -> None:
    first = make_case(received_at=at(2), phone_hash="h-1", category=Category.NOISE)
    dup = make_case(
        received_at=at(3), phone_hash="h-1", category=Category.NOISE, address=" 金山路１２号"
    )
    found = find_first_case(dup.duplicate_probe(), [first.duplicate_probe()], 7 * DAY)
    assert found is not None and found.complaint_id == first.id
    dup.merge_into(Actor("s", Role.SUPERVISOR), first, at(3, 11))
    assert dup.duplicate_probe().open is False
    assert "h-1" not in repr(dup.duplicate_probe())


def test_reports_within_the_radius_are_the_same_place_whatever_the_address():
    from datetime import datetime, timedelta

    from complaints.domain.duplicates import DuplicateProbe, distance_m, find_first_case
    from complaints.domain.model import Category
    from qingshan_core.workdays import SHANGHAI

    t0 = datetime(2026, 5, 6, 9, 0, tzinfo=SHANGHAI)
    first = DuplicateProbe(
        "c1", Category.AIR, "东城街道", "金山路化工厂", received_at=t0, lat=29.1580, lon=107.0990
    )
    near = DuplicateProbe(
        "c2",
        Category.AIR,
        "",
        "工厂旁边小区",
        received_at=t0 + timedelta(hours=2),
        lat=29.1590,
        lon=107.0995,
    )  # ~120 m away
    far = DuplicateProbe(
        "c3",
        Category.AIR,
        "",
        "工厂旁边小区",
        received_at=t0 + timedelta(hours=2),
        lat=29.1700,
        lon=107.0995,
    )  # ~1.3 km away
    assert 100 < distance_m(first, near) < 140
    assert find_first_case(near, [first], timedelta(hours=72)) == first
    assert find_first_case(far, [first], timedelta(hours=72)) is None
