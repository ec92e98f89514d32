"""complaints' unit registry as notify's source of unit heads and handlers, and the notices
nobody can receive: counted per rule and target, told once per Beijing day, listed while open."""

from datetime import UTC, datetime, timedelta

import pytest

from notify.domain.defaults import DEFAULT_RULES
from notify.domain.errors import ValidationFailed
from notify.domain.model import (
    Channel,
    EscalationChain,
    Group,
    Recipient,
    RegistryUnit,
    Target,
    TargetKind,
    UnitLevel,
)
from notify.domain.routing import Directory, GapKind, find_gaps, resolve
from notify.domain.unit_registry import effective_chains
from notify.service_layer import admin
from notify.service_layer.gaps import list_gaps
from notify.service_layer.planning import plan_event
from notify.service_layer.units import apply_unit_event
from qingshan.complaints.v1 import events_pb2 as complaints

from .fakes import Clock, FakeDirectory, FakeGaps, FakeRules, make_ctx
from .test_use_cases import event

pytestmark = pytest.mark.unit
DAY = datetime(2025, 3, 3, 2, 0, tzinfo=UTC)  # 10:00 Shanghai
HEAD = UnitLevel.UNIT_HEAD


def unit(version: int = 1, **over: object) -> RegistryUnit:
    values: dict[str, object] = {
        "id": "town-01",
        "name": "东城街道",
        "kind": "town",
        "head": "town-01-head",
        "contacts": ("town-01-a",),
        "version": version,
    }
    values.update(over)
    return RegistryUnit(**values)  # type: ignore[arg-type]


def overdue(eid: str, unit_id: str = "town-01") -> object:
    alert = complaints.DeadlineAlert(complaint_id="TS1", stage="reply", level="overdue")
    alert.unit_id = unit_id
    return event(complaints.DeadlineOverdue(alert=alert), eid)


def setup(at: datetime = DAY):  # type: ignore[no-untyped-def]
    clock = Clock(at)
    ctx = make_ctx(clock, {})
    d: FakeDirectory = ctx.directory  # type: ignore[assignment]
    d.recipients = {
        "town-01-head": Recipient("town-01-head", "李镇长", email="h@x.gov.cn"),
        "town-01-a": Recipient("town-01-a", "承办员"),
        "lead": Recipient("lead", "值班长", email="l@x.gov.cn"),
    }
    d.chains = {"*": EscalationChain("*", handlers=("lead",), bureau=("lead",))}
    rules: FakeRules = ctx.rules  # type: ignore[assignment]
    rules.rules = {r.id: r for r in DEFAULT_RULES}
    return ctx, clock, d, ctx.gaps


def test_registry_units_supply_handlers_and_heads_reachable_by_id_and_name() -> None:
    admin_chain = EscalationChain("town-01", ("old",), ("old-head",), ("bureau-1",))
    chains = effective_chains(
        [admin_chain], [unit(), unit(id="town-02", name="南城街道", active=False)]
    )
    assert chains["town-01"] == EscalationChain(
        "town-01", ("town-01-a",), ("town-01-head",), ("bureau-1",)
    )
    assert chains["东城街道"] is chains["town-01"]  # projects name lead units by name
    assert "town-02" not in chains and "南城街道" not in chains  # retired: no chain


async def test_unit_events_keep_the_newest_state_only() -> None:
    ctx, _, d, _ = setup()
    msg = complaints.UnitRegistered(
        unit=complaints.HandlingUnit(
            id="town-09",
            name="三泉镇",
            kind="town",
            head="h9",
            contacts=["a9"],
            active=True,
            version=2,
        )
    )
    assert await apply_unit_event(ctx, event(msg, "u-2"))
    older = complaints.UnitChanged(
        unit=complaints.HandlingUnit(id="town-09", name="旧名", head="h0", active=True, version=1)
    )
    assert not await apply_unit_event(ctx, event(older, "u-1"))
    assert d.units["town-09"] == RegistryUnit("town-09", "三泉镇", "town", "h9", ("a9",), True, 2)
    directory = await d.snapshot()
    assert directory.unit_level("town-09", HEAD) == ("h9",)


async def test_an_admin_may_not_set_a_registry_units_head_in_notify() -> None:
    ctx, _, d, _ = setup()
    d.units = {"town-01": unit()}
    with pytest.raises(ValidationFailed) as refused:
        await admin.save_chain(ctx, EscalationChain("town-01", unit_heads=("lead",)))
    assert [p.field for p in refused.value.problems] == ["unit_heads"]
    assert "东城街道" in refused.value.problems[0].message
    # The bureau level stays the administrator's.
    await admin.save_chain(ctx, EscalationChain("town-01", bureau=("lead",)))
    assert (await d.snapshot()).unit_level("town-01", UnitLevel.BUREAU) == ("lead",)


def test_gaps_are_targets_that_reach_nobody_on_any_channel() -> None:
    d = Directory(
        recipients={"x": Recipient("x", "无邮箱"), "y": Recipient("y", "有邮箱", email="y@x.cn")},
        groups={"empty": Group("empty", "空组"), "g": Group("g", "组", ("x",))},
        chains={"*": EscalationChain("*")},
    )
    targets = [
        Target(TargetKind.UNIT, "unit_head"),
        Target(TargetKind.GROUP, "empty"),
        Target(TargetKind.GROUP, "missing"),
        Target(TargetKind.GROUP, "g"),
        Target(TargetKind.RECIPIENT, "y"),
        Target(TargetKind.RECIPIENT, "ghost"),
    ]
    gaps = find_gaps(targets, [Channel.EMAIL], d, {"unit_id": ("town-07",)})
    assert [(g.kind, g.scope, g.role) for g in gaps] == [
        (GapKind.UNIT_LEVEL, "town-07", "unit_head"),
        (GapKind.GROUP, "empty", ""),
        (GapKind.GROUP, "missing", ""),
        (GapKind.GROUP, "g", ""),  # its only member has no e-mail address
        (GapKind.RECIPIENT, "ghost", ""),
    ]
    assert "town-07" in gaps[0].reason and "unit_head" in gaps[0].reason
    # With the inbox among the channels everyone in the directory can be reached.
    res = resolve(targets[3:5], [Channel.EMAIL, Channel.INBOX], d, {})
    assert res.gaps == [] and len(res.addressees) == 3


async def test_a_notice_nobody_can_receive_is_counted_and_told_once_a_day() -> None:
    ctx, clock, d, gaps = setup()
    assert isinstance(gaps, FakeGaps)
    outcome = await plan_event(ctx, overdue("ev-1", "town-07"))  # no such unit, * has no head
    key = "default.complaints.DeadlineOverdue/town-07/unit_head"
    assert outcome.gaps == [key] and outcome.created == []
    await plan_event(ctx, overdue("ev-1", "town-07"))  # redelivered: not counted again
    await plan_event(ctx, overdue("ev-2", "town-07"))
    assert gaps.records[key].notices == 2 and gaps.published == [(key, "2025-03-03")]
    clock.at = DAY + timedelta(days=1)
    await plan_event(ctx, overdue("ev-3", "town-07"))
    assert gaps.published == [(key, "2025-03-03"), (key, "2025-03-04")]
    assert gaps.records[key].first_seen == DAY and gaps.records[key].notices == 3

    [open_gap] = await list_gaps(ctx)
    assert open_gap.open and open_gap.record.key == key
    # The registry names the unit and its head: the gap closes, the next notice arrives.
    d.units = {"town-07": unit(id="town-07", name="白沙镇", head="town-01-head")}
    assert await list_gaps(ctx) == []
    [closed] = await list_gaps(ctx, include_closed=True)
    assert not closed.open and closed.scope_name == "白沙镇"
    reached = await plan_event(ctx, overdue("ev-4", "town-07"))
    assert reached.gaps == [] and reached.created
