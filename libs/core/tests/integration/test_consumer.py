"""Consumer runner against the real broker: dead letters, redelivery, crash recovery."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import GroupCoordinatorNotAvailableError
from pymongo.errors import AutoReconnect

from qingshan.testing.v1.testing_pb2 import SampleChanged
from qingshan_core import kafka
from qingshan_core.consumer import ConsumerConfig, ConsumerRunner
from qingshan_core.events import Envelope, dead_letter_topic
from qingshan_core.testing.pytest_plugin import read_topic

pytestmark = pytest.mark.integration
TYPE = "qingshan.testing.v1.SampleChanged"


def event(agg: str, seq: int) -> Envelope:
    return Envelope.wrap(SampleChanged(aggregate_id=agg, seq=seq), source="/t", subject=agg)


async def produce(bootstrap: str, topic: str, envs: list[Envelope]) -> None:
    producer = kafka.create_producer(bootstrap, "test-producer")
    await producer.start()
    try:
        for e in envs:
            await kafka.publish(producer, topic, e)
    finally:
        await producer.stop()


async def committed(bootstrap: str, group: str, topic: str) -> int:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        offsets = await admin.list_consumer_group_offsets(group)
    except GroupCoordinatorNotAvailableError:
        return 0  # the offsets topic is still being created
    finally:
        await admin.close()
    return sum(m.offset for tp, m in offsets.items() if tp.topic == topic and m.offset > 0)


async def run_until(runner: ConsumerRunner, cond, timeout: float = 30) -> None:
    task = asyncio.create_task(runner.run())
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    try:
        while not await cond():
            assert loop.time() < deadline, "condition not reached"
            assert not task.done(), task
            await asyncio.sleep(0.1)
    finally:
        runner.stop()
        await asyncio.wait_for(task, 20)


async def test_failing_handler_lands_in_dead_letter_topic_with_the_error(
    mongo_db, new_topic, infra
):
    topic = await new_topic("dlt-src", partitions=1)
    group = f"{topic}.group"
    await kafka.ensure_topics(infra["bootstrap"], [dead_letter_topic(group)], partitions=1)
    calls = []

    async def always_fails(env, msg):
        calls.append(env.id)
        raise RuntimeError(f"cannot handle seq {msg.seq}")

    async def fine(env, msg):
        calls.append(env.id)

    bad, good = event("a", 1), event("b", 2)
    await produce(infra["bootstrap"], topic, [bad, good])
    handlers = {
        TYPE: lambda env, msg: always_fails(env, msg) if env.id == bad.id else fine(env, msg)
    }
    runner = ConsumerRunner(
        ConsumerConfig(group, [topic], infra["bootstrap"], max_attempts=3, backoff_seconds=0.01),
        handlers,
        mongo_db,
    )

    async def both_done() -> bool:
        return await committed(infra["bootstrap"], group, topic) == 2

    await run_until(runner, both_done)
    assert calls == [bad.id, bad.id, bad.id, good.id]  # 3 attempts, then move on

    dead = await read_topic(infra["bootstrap"], dead_letter_topic(group), expect=1)
    assert len(dead) == 1
    headers = dict(dead[0].headers)
    assert headers["dlt_error"] == b"RuntimeError: cannot handle seq 1"
    assert headers["dlt_attempts"] == b"3" and headers["dlt_original_topic"] == topic.encode()
    assert Envelope.from_record(dead[0].headers, dead[0].value).id == bad.id
    assert dead[0].key == b"a"


async def test_store_outage_in_a_handler_is_retried_not_dead_lettered(mongo_db, new_topic, infra):
    """A handler that fails because the store is unreachable fails for every record: the
    record is rewound and handled once the store answers, never put on the dead-letter topic."""
    topic = await new_topic("store-down", partitions=1)
    group = f"{topic}.group"
    await kafka.ensure_topics(infra["bootstrap"], [dead_letter_topic(group)], partitions=1)
    calls = []

    async def store_down_for_a_while(env, msg):
        calls.append(env.id)
        if len(calls) <= 5:  # more than max_attempts
            raise AutoReconnect("127.0.0.1:27017: connection closed")

    ev = event("s", 1)
    await produce(infra["bootstrap"], topic, [ev])
    runner = ConsumerRunner(
        ConsumerConfig(group, [topic], infra["bootstrap"], max_attempts=3, backoff_seconds=0.01),
        {TYPE: store_down_for_a_while},
        mongo_db,
    )

    async def done() -> bool:
        return await committed(infra["bootstrap"], group, topic) == 1

    await run_until(runner, done, timeout=60)
    assert calls == [ev.id] * 6  # 3 attempts, rewound, 2 more failures, then handled
    assert await runner.processed.seen(ev.id)
    assert await read_topic(infra["bootstrap"], dead_letter_topic(group), expect=0) == []


async def test_malformed_record_is_dead_lettered_not_retried(mongo_db, new_topic, infra):
    topic = await new_topic("poison", partitions=1)
    group = f"{topic}.group"
    await kafka.ensure_topics(infra["bootstrap"], [dead_letter_topic(group)], partitions=1)
    producer = kafka.create_producer(infra["bootstrap"], "poison")
    await producer.start()
    await producer.send_and_wait(topic, b"not an event", key=b"k")
    await producer.stop()
    runner = ConsumerRunner(ConsumerConfig(group, [topic], infra["bootstrap"]), {}, mongo_db)

    async def done() -> bool:
        return await committed(infra["bootstrap"], group, topic) == 1

    await run_until(runner, done)
    dead = await read_topic(infra["bootstrap"], dead_letter_topic(group), expect=1)
    assert dict(dead[0].headers)["dlt_error_type"] == b"EnvelopeError"


async def test_redelivered_event_is_handled_once(mongo_db, new_topic, infra):
    topic = await new_topic("dupes", partitions=1)
    group = f"{topic}.group"
    e, other = event("a", 1), event("a", 2)
    await produce(infra["bootstrap"], topic, [e, e, other, e])  # the same event id, thrice
    handled: list[str] = []

    async def handle(env, msg):
        handled.append(env.id)

    runner = ConsumerRunner(
        ConsumerConfig(group, [topic], infra["bootstrap"]), {TYPE: handle}, mongo_db
    )

    async def done() -> bool:
        return await committed(infra["bootstrap"], group, topic) == 4

    await run_until(runner, done)
    assert handled == [e.id, other.id]

    # A new runner of the same group after a restart does not handle them again either.
    await produce(infra["bootstrap"], topic, [e])
    runner2 = ConsumerRunner(
        ConsumerConfig(group, [topic], infra["bootstrap"]), {TYPE: handle}, mongo_db
    )

    async def done2() -> bool:
        return await committed(infra["bootstrap"], group, topic) == 5

    await run_until(runner2, done2)
    assert handled == [e.id, other.id]


async def test_partitions_are_handled_side_by_side_each_in_order(mongo_db, new_topic, infra):
    topic = await new_topic("parallel", partitions=2)
    group = f"{topic}.group"
    waits = [event("wait", i) for i in range(3)]  # partition 0, in this order
    go = event("go", 1)  # partition 1
    producer = kafka.create_producer(infra["bootstrap"], "test-producer")
    await producer.start()
    try:
        for partition, env in [*((0, w) for w in waits), (1, go)]:
            await producer.send_and_wait(
                topic, value=env.data, key=env.key, headers=env.headers(), partition=partition
            )
    finally:
        await producer.stop()
    went = asyncio.Event()
    handled: list[str] = []

    async def handle(env, msg):
        if env.id == waits[0].id:
            # Handled one partition after the other, this would wait for itself.
            await asyncio.wait_for(went.wait(), 15)
        if env.id == go.id:
            went.set()
        handled.append(env.id)

    runner = ConsumerRunner(
        ConsumerConfig(group, [topic], infra["bootstrap"]), {TYPE: handle}, mongo_db
    )

    async def done() -> bool:
        return await committed(infra["bootstrap"], group, topic) == 4

    await run_until(runner, done)
    assert handled.index(go.id) < handled.index(waits[0].id)
    assert [h for h in handled if h != go.id] == [w.id for w in waits]
    for env in [*waits, go]:
        assert await runner.processed.seen(env.id)


@pytest.mark.slow
async def test_consumer_killed_mid_batch_resumes_without_skipping(mongo_db, new_topic, infra):
    topic = await new_topic("kill", partitions=2)
    group = f"{topic}.group"
    envs = [event(f"agg-{i % 7}", i) for i in range(300)]
    await produce(infra["bootstrap"], topic, envs)
    args = [
        sys.executable,
        str(Path(__file__).with_name("consumer_child.py")),
        infra["bootstrap"],
        infra["mongo_uri"],
        mongo_db.name,
        topic,
        group,
    ]
    child = subprocess.Popen(args)
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 60
        while await mongo_db.handled.count_documents({}) < 60:
            assert loop.time() < deadline and child.poll() is None
            await asyncio.sleep(0.05)
        child.kill()  # SIGKILL: no shutdown, no final commit
        child.wait()
        at_kill = await mongo_db.handled.count_documents({})
        assert at_kill < len(envs)

        child = subprocess.Popen(args)
        deadline = loop.time() + 90
        while len(await mongo_db.handled.distinct("event_id")) < len(envs):
            assert loop.time() < deadline and child.poll() is None
            await asyncio.sleep(0.1)
        # The offsets are committed after the handling: wait for the last commit too (stopping
        # the child the moment the last record is handled would race it).
        while await committed(infra["bootstrap"], group, topic) < len(envs):
            assert loop.time() < deadline and child.poll() is None
            await asyncio.sleep(0.2)
    finally:
        child.terminate()
        child.wait(10)
    ids = set(await mongo_db.handled.distinct("event_id"))
    assert ids == {e.id for e in envs}  # nothing skipped
    assert await committed(infra["bootstrap"], group, topic) == len(envs)
