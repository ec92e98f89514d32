"""Outbox against the real broker and store: exactly once per entry, nothing lost while down."""

from __future__ import annotations

import asyncio
from collections import Counter
from functools import partial

import pytest

from qingshan.testing.v1.testing_pb2 import SampleChanged
from qingshan_core import kafka
from qingshan_core.events import Envelope
from qingshan_core.outbox import OUTBOX, Change, ConcurrencyConflict, OutboxCollection
from qingshan_core.relay import OutboxRelay
from qingshan_core.testing.pytest_plugin import read_topic

pytestmark = pytest.mark.integration
SOURCE = "/qingshan/tests"


def event(agg: str, seq: int) -> Envelope:
    return Envelope.wrap(SampleChanged(aggregate_id=agg, seq=seq), source=SOURCE, subject=agg)


def relay_for(db, bootstrap: str, **kw) -> OutboxRelay:
    return OutboxRelay(
        db, ["samples"], lambda: kafka.create_producer(bootstrap, "test-relay", 3000), **kw
    )


async def test_aggregate_change_publishes_its_event_exactly_once(mongo_db, new_topic, infra):
    topic = await new_topic("outbox")
    samples = OutboxCollection(mongo_db.samples, topic=topic, source=SOURCE)
    first = event("agg-1", 1)
    await samples.insert({"_id": "agg-1", "state": "new"}, [first])
    second = event("agg-1", 2)
    version = await samples.update("agg-1", 1, {"state": "changed"}, [second])
    assert version == 2

    relay = relay_for(mongo_db, infra["bootstrap"])
    assert await relay.acquire_lease()
    assert await relay.drain() == 2
    assert await relay.drain() == 0  # nothing left: a second round publishes nothing
    await relay._drop_producer()

    doc = await mongo_db.samples.find_one({"_id": "agg-1"})
    assert doc["state"] == "changed" and doc[OUTBOX] == [] and doc["_version"] == 2

    records = await read_topic(infra["bootstrap"], topic, expect=2)
    assert [r.key for r in records] == [b"agg-1", b"agg-1"]
    envs = [Envelope.from_record(r.headers, r.value) for r in records]
    assert [e.id for e in envs] == [first.id, second.id]
    assert [e.decode().seq for e in envs] == [1, 2]
    assert envs[0].type == "qingshan.testing.v1.SampleChanged"
    assert envs[0].trace_id == first.trace_id and envs[0].source == SOURCE
    headers = dict(records[0].headers)
    assert (
        headers["ce_specversion"] == b"1.0" and headers["content-type"] == b"application/protobuf"
    )


async def test_stale_version_is_refused_and_writes_nothing(mongo_db, new_topic):
    topic = await new_topic("conflict")
    samples = OutboxCollection(mongo_db.samples, topic=topic, source=SOURCE)
    await samples.insert({"_id": "a", "state": "new"}, [event("a", 1)])
    await samples.update("a", 1, {"state": "one"}, [event("a", 2)])
    with pytest.raises(ConcurrencyConflict):
        await samples.update("a", 1, {"state": "lost update"}, [event("a", 3)])
    doc = await mongo_db.samples.find_one({"_id": "a"})
    assert doc["state"] == "one" and len(doc[OUTBOX]) == 2


async def test_bulk_guarded_updates_report_exactly_the_stale_ones(mongo_db, new_topic, infra):
    topic = await new_topic("outbox-bulk")
    samples = OutboxCollection(mongo_db.samples, topic=topic, source=SOURCE)
    ids = [f"bulk-{i}" for i in range(70)]  # more than one bulk command
    for agg in ids:
        await samples.insert({"_id": agg, "state": "new"}, [])
    await samples.update("bulk-3", 1, {"state": "moved on"}, [])  # now at version 2
    await samples.update("bulk-66", 1, {"state": "moved on"}, [])

    missed = await samples.update_all(
        [Change(agg, 1, {"state": "swept"}, [event(agg, 1)]) for agg in ids]
    )

    assert missed == {"bulk-3", "bulk-66"}
    docs = {d["_id"]: d for d in await mongo_db.samples.find({"_id": {"$in": ids}}).to_list()}
    for agg in ids:
        if agg in missed:  # nothing of the stale write landed
            assert (docs[agg]["state"], docs[agg]["_version"], docs[agg][OUTBOX]) == (
                "moved on",
                2,
                [],
            )
        else:
            assert (docs[agg]["state"], docs[agg]["_version"]) == ("swept", 2)
            assert len(docs[agg][OUTBOX]) == 1
    relay = relay_for(mongo_db, infra["bootstrap"])
    assert await relay.acquire_lease()
    assert await relay.drain() == len(ids) - 2  # the landed ones' events, through their markers
    await relay._drop_producer()
    assert await samples.update_all([Change("bulk-0", 2, {"state": "again"}, [])]) == set()


async def test_only_the_lease_holder_relays(mongo_db, infra):
    a, b = relay_for(mongo_db, infra["bootstrap"]), relay_for(mongo_db, infra["bootstrap"])
    assert await a.acquire_lease()
    assert not await b.acquire_lease()
    assert await a.acquire_lease()  # renewal
    await a.release_lease()
    assert await b.acquire_lease()


@pytest.mark.slow
async def test_broker_down_writes_succeed_and_everything_goes_out_once_after(
    mongo_db, new_topic, infra
):
    from qingshan_core.testing.pytest_plugin import stack

    topic = await new_topic("outage", partitions=3)
    relay = relay_for(mongo_db, infra["bootstrap"], poll_seconds=0.2, stall_seconds=0.5)
    samples = OutboxCollection(mongo_db.samples, topic=topic, source=SOURCE, on_commit=relay.wake)
    task = asyncio.create_task(relay.run())
    sent: list[Envelope] = []
    try:
        for i in range(5):  # published normally before the outage
            e = event(f"agg-{i}", 1)
            sent.append(e)
            await samples.insert({"_id": f"agg-{i}", "seq": 1}, [e])
        await _wait_drained(mongo_db)

        stack("stop-kafka")
        try:
            for i in range(5):  # writes while the broker is down still succeed
                for seq in (2, 3):
                    e = event(f"agg-{i}", seq)
                    sent.append(e)
                    doc = await mongo_db.samples.find_one({"_id": f"agg-{i}"})
                    await samples.update(f"agg-{i}", doc["_version"], {"seq": seq}, [e])
            for i in range(5, 10):
                e = event(f"agg-{i}", 1)
                sent.append(e)
                await samples.insert({"_id": f"agg-{i}", "seq": 1}, [e])
            for _ in range(100):  # the relay tries, fails, and keeps everything pending
                if not relay.healthy:
                    break
                await asyncio.sleep(0.1)
            assert not relay.healthy
            assert await _pending(mongo_db) == 15
        finally:
            stack("start-kafka")
        await _wait_drained(mongo_db, timeout=60)
    finally:
        relay.stop()
        await task

    records = await read_topic(infra["bootstrap"], topic, expect=len(sent), timeout=60)
    ids = [Envelope.from_record(r.headers, r.value).id for r in records]
    assert Counter(ids) == Counter(e.id for e in sent)  # every event, none twice
    by_key: dict[bytes, list[int]] = {}
    for r in sorted(records, key=lambda r: (r.partition, r.offset)):
        by_key.setdefault(r.key, []).append(SampleChanged.FromString(r.value).seq)
    assert all(seqs == sorted(seqs) for seqs in by_key.values())  # per-aggregate order kept


async def _pending(db) -> int:
    return sum([len(d[OUTBOX]) async for d in db.samples.find({}, {OUTBOX: 1})])


async def _wait_drained(db, timeout: float = 20) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while await _pending(db):
        assert loop.time() < deadline, "outbox did not drain"
        await asyncio.sleep(0.2)


async def test_single_document_writes_are_atomic_under_concurrency(mongo_db, new_topic, infra):
    """The store must not lose concurrent updates to one document (FerretDB 1.x alone does:
    deploy/local/ferretdb serialises writes). The outbox and optimistic concurrency rely on it."""
    await mongo_db.counters.insert_one({"_id": "c", "n": 0})
    await asyncio.gather(
        *[mongo_db.counters.update_one({"_id": "c"}, {"$inc": {"n": 1}}) for _ in range(100)]
    )
    assert (await mongo_db.counters.find_one({"_id": "c"}))["n"] == 100

    # Commands and the relay write the same aggregate at once: nothing lost, nothing doubled.
    topic = await new_topic("race", partitions=1)
    relay = relay_for(mongo_db, infra["bootstrap"], poll_seconds=0.05)
    samples = OutboxCollection(mongo_db.samples, topic=topic, source=SOURCE, on_commit=relay.wake)
    await samples.insert({"_id": "r", "seq": 0}, [event("r", 0)])
    task = asyncio.create_task(relay.run())
    sent = 1
    try:
        for seq in range(1, 40):
            doc = await mongo_db.samples.find_one({"_id": "r"})
            await samples.update("r", doc["_version"], {"seq": seq}, [event("r", seq)])
            sent += 1
        await _wait_drained(mongo_db)
    finally:
        relay.stop()
        await task
    doc = await mongo_db.samples.find_one({"_id": "r"})
    assert doc["seq"] == 39 and doc["_version"] == 40
    records = await read_topic(infra["bootstrap"], topic, expect=sent)
    assert [SampleChanged.FromString(r.value).seq for r in records] == list(range(40))


async def test_relay_finds_work_through_markers_and_rescan_restores_a_lost_one(
    mongo_db, new_topic, infra
):
    topic = await new_topic("markers", partitions=1)
    samples = OutboxCollection(mongo_db.samples, topic=topic, source=SOURCE)
    await samples.insert({"_id": "m1", "seq": 1}, [event("m1", 1)])
    await samples.insert({"_id": "m2", "seq": 1}, [event("m2", 1)])
    markers = await mongo_db.outbox_pending.find({}).to_list()
    assert {m["_id"] for m in markers} == {"samples/m1", "samples/m2"}
    # A process that died between the aggregate write and the marker write:
    await mongo_db.outbox_pending.delete_one({"_id": "samples/m2"})

    relay = relay_for(mongo_db, infra["bootstrap"])
    assert await relay.drain() == 1  # only what a marker points at
    assert await mongo_db.outbox_pending.count_documents({}) == 0
    assert await relay.rescan() == 1  # the full scan finds the unmarked aggregate
    assert await relay.drain() == 1
    await relay._drop_producer()
    assert await _pending(mongo_db) == 0
    records = await read_topic(infra["bootstrap"], topic, expect=2)
    assert sorted(r.key for r in records) == [b"m1", b"m2"]


async def test_entries_sent_but_never_removed_are_not_published_again(mongo_db, new_topic, infra):
    """A relay that died between the broker's ack and the $pullAll: the next one finds the
    entries in the topic and removes them instead of sending them a second time."""
    topic = await new_topic("lookback", partitions=2)
    samples = OutboxCollection(mongo_db.samples, topic=topic, source=SOURCE)
    for agg in ("x1", "x2"):
        await samples.insert({"_id": agg}, [event(agg, 1), event(agg, 2)])
    docs = {d["_id"]: d async for d in mongo_db.samples.find({})}
    sent = [docs["x1"][OUTBOX][0], docs["x1"][OUTBOX][1], docs["x2"][OUTBOX][0]]
    producer = kafka.create_producer(infra["bootstrap"], "test-dead-relay")
    await producer.start()
    for entry in sent:  # published and acknowledged, then the process died
        await kafka.publish(producer, topic, Envelope.from_outbox(entry))
    await producer.stop()

    published = partial(kafka.published_ids, infra["bootstrap"])
    relay = relay_for(mongo_db, infra["bootstrap"], published=published)
    assert await relay.acquire_lease()
    assert await relay.drain() == 1  # only x2's second entry was still to send
    await relay._drop_producer()
    assert await _pending(mongo_db) == 0 and await mongo_db.outbox_pending.count_documents({}) == 0
    records = await read_topic(infra["bootstrap"], topic, expect=4)
    ids = Counter(Envelope.from_record(r.headers, r.value).id for r in records)
    assert len(ids) == 4 and set(ids.values()) == {1}
