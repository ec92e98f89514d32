"""The configuration read for every event is cached: two replicas on one store see each
other's changes within `config_cache_seconds`, a replica sees its own at once, and a run of
events of one type reads the rules once instead of once per event."""

from __future__ import annotations

from typing import Any

import pytest

from notify.adapters.repositories import MongoRules
from notify.domain.model import Channel, Rule, Target, TargetKind

from .events import incident
from .harness import Notify, running, settings_for
from .receivers import eventually

pytestmark = pytest.mark.integration
INCIDENT = "qingshan.risk.v1.IncidentReported"
TTL = 0.5
# No expiry by age during these tests: only the version document can make a replica reload.
NO_MAX_AGE = {"config_cache_seconds": TTL, "config_cache_max_age_seconds": 3600}


def rule_body(rule_id: str, **kw: object) -> dict[str, object]:
    body: dict[str, object] = {
        "id": rule_id,
        "name": "缓存测试",
        "event_type": INCIDENT,
        "channels": ["inbox"],
        "targets": [{"kind": "recipient", "ref": "zoe"}],
    }
    body.update(kw)
    return body


async def rule_ids(n: Notify) -> set[str]:
    return {r.id for r in await n.ctx.rules.for_event_type(INCIDENT)}


async def name_of(n: Notify, recipient_id: str) -> str | None:
    r = (await n.ctx.directory.snapshot()).recipients.get(recipient_id)
    return r.name if r else None


async def test_a_change_through_one_replica_reaches_the_other(
    infra, mongo_db, topics, receiver, smtp
):
    sa = settings_for(infra, mongo_db.name, topics, receiver, smtp, **NO_MAX_AGE)
    sb = settings_for(infra, mongo_db.name, topics, receiver, smtp, **NO_MAX_AGE)
    async with running(sa, topics) as a, running(sb, topics) as b:
        for n in (a, b):  # both replicas have the configuration cached
            assert "cache-1" not in await rule_ids(n)
            assert await name_of(n, "zoe") is None

        r = await a.post("/v1/recipients", {"id": "zoe", "name": "周舟", "phone": "13800000009"})
        assert r.status_code == 201, r.text
        r = await a.post("/v1/rules", rule_body("cache-1"))
        assert r.status_code == 201, r.text
        # The replica that wrote sees its change at once ...
        assert "cache-1" in await rule_ids(a)
        assert await name_of(a, "zoe") == "周舟"
        # ... the other one when it next looks at the version.
        await eventually(lambda: has_rule(b, "cache-1"), timeout=10 + TTL)
        await eventually(lambda: named(b, "zoe", "周舟"), timeout=10 + TTL)

        # Disabled and renamed through the other replica this time.
        r = await b.put("/v1/rules/cache-1", rule_body("cache-1", enabled=False))
        assert r.status_code == 200, r.text
        zoe = {"id": "zoe", "name": "周舟舟", "phone": "13800000009"}
        r = await b.put("/v1/recipients/zoe", zoe)
        assert r.status_code == 200, r.text
        assert "cache-1" not in await rule_ids(b)
        assert await name_of(b, "zoe") == "周舟舟"
        await eventually(lambda: lacks_rule(a, "cache-1"), timeout=10 + TTL)
        await eventually(lambda: named(a, "zoe", "周舟舟"), timeout=10 + TTL)

        # A repository object of another process (no cache of its own) is seen by both.
        other = MongoRules(mongo_db)
        rule = Rule(
            "cache-2",
            "另一进程",
            INCIDENT,
            (Channel.INBOX,),
            (Target(TargetKind.RECIPIENT, "zoe"),),
        )
        await other.save(rule, create=True)
        for n in (a, b):
            await eventually(lambda n=n: has_rule(n, "cache-2"), timeout=10 + TTL)
        assert await other.delete("cache-2")
        for n in (a, b):
            await eventually(lambda n=n: lacks_rule(n, "cache-2"), timeout=10 + TTL)


async def has_rule(n: Notify, rule_id: str) -> bool:
    return rule_id in await rule_ids(n)


async def lacks_rule(n: Notify, rule_id: str) -> bool:
    return rule_id not in await rule_ids(n)


async def named(n: Notify, recipient_id: str, name: str) -> bool:
    return await name_of(n, recipient_id) == name


async def test_callers_cannot_change_what_is_cached(infra, mongo_db, topics, receiver, smtp):
    s = settings_for(infra, mongo_db.name, topics, receiver, smtp, **NO_MAX_AGE)
    async with running(s, topics) as n:
        rules = await n.ctx.rules.for_event_type(INCIDENT)
        assert rules
        rules.clear()
        assert await n.ctx.rules.for_event_type(INCIDENT)
        templates = await n.ctx.templates.for_event_type(INCIDENT)
        assert templates
        templates.clear()
        assert await n.ctx.templates.for_event_type(INCIDENT)
        directory = await n.ctx.directory.snapshot()
        with pytest.raises(TypeError):
            directory.groups["intruder"] = directory.groups["emergency-office"]  # type: ignore[index]
        assert "intruder" not in (await n.ctx.directory.snapshot()).groups


class CountingCollection:
    """Passes everything to the real collection, noting the filter of every find."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.finds: list[dict[str, Any]] = []

    def find(self, *args: Any, **kwargs: Any) -> Any:
        self.finds.append(dict(args[0] if args else kwargs.get("filter") or {}))
        return self.inner.find(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


@pytest.mark.parametrize("seconds", [0.0, 1.0], ids=["no-cache", "cache"])
async def test_events_of_one_type_read_the_rules_once(
    infra, mongo_db, topics, receiver, smtp, seconds
):
    events = 12
    s = settings_for(infra, mongo_db.name, topics, receiver, smtp, config_cache_seconds=seconds)
    async with running(s, topics) as n:
        rules = n.ctx.rules
        counting = CountingCollection(rules.coll)  # type: ignore[attr-defined]
        rules.coll = counting  # type: ignore[attr-defined]
        for i in range(events):
            await n.publish(topics.risk, incident(f"inc-cache-{i}"), f"inc-cache-{i}")
        group = f"qingshan.notify.{s.consumer_name}"

        async def consumed() -> bool:
            return await mongo_db.processed_events.count_documents({"group": group}) >= events

        await eventually(consumed, timeout=60)
        per_event = [f for f in counting.finds if f == {"event_type": INCIDENT, "enabled": True}]
        if seconds:
            assert 1 <= len(per_event) <= 2, per_event
        else:
            assert len(per_event) >= events, per_event
