"""The work index against the real store: what is due is found through `delivery_work` (not by
querying `deliveries`), stale entries are dropped or moved and never acted on, a lost entry is
restored by the repair scan, and the index holds only pending work."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from notify.adapters.deliveries import DELIVERIES, MongoDeliveries
from notify.adapters.work_index import ACK, ATTEMPT, DEADLETTER, DIGEST_WAIT, WORK, work_key
from notify.domain.delivery import Delivery
from notify.domain.model import Channel, Status
from notify.domain.resilience import RetryPolicy
from qingshan_core.outbox import OutboxCollection

from .events import incident
from .harness import running, settings_for, setup_office
from .receivers import eventually

pytestmark = pytest.mark.integration
T0 = datetime(2025, 3, 3, 2, 0, tzinfo=UTC)
LEASE = timedelta(seconds=60)
POLICY = RetryPolicy(max_attempts=3, base_seconds=10, factor=2, jitter=0)


@pytest.fixture
def repo(mongo_db: Any) -> MongoDeliveries:
    return MongoDeliveries(OutboxCollection(mongo_db[DELIVERIES], topic="t", source="/test"))


@pytest.fixture
def add(repo: MongoDeliveries, make_delivery: Any) -> Any:
    async def add(event_id: str, **kw: Any) -> Delivery:
        d: Delivery = make_delivery(event_id=event_id, **kw)
        assert await repo.add(d)
        return d

    return add


async def sent(repo: MongoDeliveries, d: Delivery, at: datetime = T0) -> None:
    d.claim(at, LEASE)
    assert await repo.save(d)
    d.succeeded(at, "HTTP 200", 200)
    assert await repo.save(d)


async def entries(mongo_db: Any) -> dict[str, datetime]:
    return {e["_id"]: e["at"] async for e in mongo_db[WORK].find({})}


def ids(found: list[Delivery]) -> list[str]:
    return [d.id for d in found]


async def test_due_is_found_through_the_index_and_a_lost_entry_is_repaired(mongo_db, repo, add):
    now = await add("ev-now")
    later = await add("ev-later", next_attempt_at=T0 + timedelta(minutes=10))
    done = await add("ev-done")
    await sent(repo, done)

    assert await entries(mongo_db) == {
        work_key(ATTEMPT, now.id): T0,
        work_key(ATTEMPT, later.id): T0 + timedelta(minutes=10),
    }
    assert ids(await repo.due(T0, 10)) == [now.id]
    assert ids(await repo.due(T0 + timedelta(minutes=10), 10)) == [now.id, later.id]
    assert await repo.next_due() == T0

    # The answer comes from the index: without its entry, a due delivery is not seen …
    await mongo_db[WORK].delete_one({"_id": work_key(ATTEMPT, now.id)})
    assert await repo.due(T0, 10) == []
    assert await repo.next_due() == T0 + timedelta(minutes=10)
    # … until the repair scan (at start and hourly) puts it back; nothing else is written.
    assert await repo.work.repair() == 1
    assert ids(await repo.due(T0, 10)) == [now.id]
    assert await repo.work.repair() == 0
    assert len(await entries(mongo_db)) == 2
    # An entry later than its delivery's time is moved back (never later) by the repair too.
    late = T0 + timedelta(hours=1)
    await mongo_db[WORK].update_one({"_id": work_key(ATTEMPT, now.id)}, {"$set": {"at": late}})
    assert await repo.due(T0, 10) == []
    assert await repo.work.repair() == 1
    assert (await entries(mongo_db))[work_key(ATTEMPT, now.id)] == T0


async def test_stale_entries_are_dropped_or_moved_never_returned(mongo_db, repo, add):
    work = mongo_db[WORK]
    early = T0 - timedelta(minutes=1)
    # Changed behind the index's back (as after a crash between the two writes).
    behind = await add("ev-behind")
    await mongo_db[DELIVERIES].update_one(
        {"_id": behind.id}, {"$set": {"status": "sent", "next_attempt_at": None}}
    )
    await work.update_one({"_id": work_key(ATTEMPT, behind.id)}, {"$set": {"at": early}})
    # An entry for a delivery that is already sent.
    done = await add("ev-done")
    await sent(repo, done)
    stale = {"kind": ATTEMPT, "at": early, "d": done.id}
    await work.insert_one({"_id": work_key(ATTEMPT, done.id), **stale})
    # An entry earlier than its delivery's time, and one for a delivery that does not exist.
    moved = await add("ev-moved", next_attempt_at=T0 + timedelta(hours=1))
    await work.update_one({"_id": work_key(ATTEMPT, moved.id)}, {"$set": {"at": early}})
    await work.insert_one(
        {"_id": work_key(ATTEMPT, "nope"), "kind": ATTEMPT, "at": early, "d": "nope"}
    )
    due = [await add(f"ev-due-{i}") for i in range(2)]

    # The four stale entries sort first; a page of two still comes back full of due ones.
    assert sorted(ids(await repo.due(T0, 2))) == sorted(d.id for d in due)
    assert await entries(mongo_db) == {
        work_key(ATTEMPT, moved.id): T0 + timedelta(hours=1),
        **{work_key(ATTEMPT, d.id): T0 for d in due},
    }
    assert await repo.next_due() == T0


async def test_acks_digests_and_dead_letters_come_from_the_index(mongo_db, repo, add):
    # An inbox item awaiting acknowledgement is overdue at its deadline, not before.
    inbox = await add("ev-ack", channel=Channel.INBOX, ack_within_minutes=15)
    await sent(repo, inbox)
    deadline = T0 + timedelta(minutes=15)
    assert await entries(mongo_db) == {work_key(ACK, inbox.id): deadline}
    assert await repo.ack_overdue(deadline - timedelta(seconds=1), 10) == []
    assert ids(await repo.ack_overdue(deadline, 10)) == [inbox.id]
    # Covered behind the index's back: the entry is dropped, the item not returned.
    await mongo_db[DELIVERIES].update_one({"_id": inbox.id}, {"$set": {"ack_state": "covered"}})
    assert await repo.ack_overdue(deadline, 10) == []
    assert await entries(mongo_db) == {}

    # A message waiting for its digest is due at the digest's time (and is no send).
    at = T0 + timedelta(hours=6)
    low = await add("ev-low", status=Status.DIGEST, next_attempt_at=at, digest_key="k")
    assert await repo.due_digests(at - timedelta(seconds=1), 10) == []
    assert ids(await repo.due_digests(at, 10)) == [low.id]
    assert await repo.due(at, 10) == []
    low.fold_into("digest-1")
    assert await repo.save(low)
    assert await repo.due_digests(at, 10) == []

    # A failed delivery waits for the dead-letter topic until that worked.
    bad = await add("ev-bad")
    bad.claim(T0, LEASE)
    assert await repo.save(bad)
    bad.failed(T0, "HTTP 400", permanent=True, policy=POLICY, rand=0.5)
    assert await repo.save(bad)
    assert await entries(mongo_db) == {work_key(DEADLETTER, bad.id): T0}
    assert ids(await repo.undead_lettered(10)) == [bad.id]
    await mongo_db[WORK].delete_many({})
    assert await repo.undead_lettered(10) == []
    assert await repo.work.repair() == 1
    assert ids(await repo.undead_lettered(10)) == [bad.id]
    bad.dead_lettered = True
    assert await repo.save(bad)
    assert await repo.undead_lettered(10) == []

    # A lost entry of each kind comes back with the repair scan.
    waiting = await add("ev-wait", status=Status.DIGEST, next_attempt_at=at)
    await mongo_db[WORK].delete_many({})
    assert await repo.work.repair() == 1
    assert await entries(mongo_db) == {work_key(DIGEST_WAIT, waiting.id): at}


async def test_the_index_holds_only_pending_work(infra, mongo_db, topics, receiver, smtp):
    s = settings_for(infra, mongo_db.name, topics, receiver, smtp)
    async with running(s, topics) as n:
        await setup_office(n, receiver)
        env = await n.publish(topics.risk, incident("inc-idx"), "inc-idx")

        async def all_sent() -> list[dict[str, Any]]:
            found = await n.deliveries(env.id)
            done = len(found) == 6 and {d["status"] for d in found} == {"sent"}
            return found if done else []

        deliveries = await eventually(all_sent, timeout=40)
        inbox = [d for d in deliveries if d["channel"] == "inbox"]
        # Robots and SMS are done; the two inbox items still wait for an acknowledgement.
        assert {e["kind"] async for e in mongo_db[WORK].find({})} == {ACK}
        assert await mongo_db[WORK].count_documents({}) == 2
        [alice] = [d for d in inbox if d["recipient"] == "person:alice"]
        r = await n.post(f"/v1/inbox/{alice['id']}/ack", {}, headers=n.token("alice", "operator"))
        assert r.status_code == 200, r.text
        # Acknowledged (and bob's covered): nothing is left to do, so nothing is indexed.
        assert await mongo_db[WORK].count_documents({}) == 0

        # A stale entry for a sent message is dropped by the dispatcher, never sent again.
        [wecom] = [d for d in deliveries if d["channel"] == "wecom"]
        key = work_key(ATTEMPT, wecom["id"])
        past = datetime.now(UTC) - timedelta(minutes=1)
        await mongo_db[WORK].insert_one({"_id": key, "kind": ATTEMPT, "at": past, "d": wecom["id"]})
        n.jobs.wake()

        async def dropped() -> bool:
            return await mongo_db[WORK].count_documents({"_id": key}) == 0

        await eventually(dropped, timeout=20)
        assert len(receiver.at("/wecom/eo")) == 1
        assert (await n.get(f"/v1/deliveries/{wecom['id']}")).json()["attempt_count"] == 1
