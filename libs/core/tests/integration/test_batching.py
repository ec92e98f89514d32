"""Group commit against the real store: concurrent writes share commands, and each caller
still gets the outcome of its own write."""

from __future__ import annotations

import asyncio

import pytest
from pymongo import UpdateOne
from pymongo.errors import DuplicateKeyError

from qingshan_core.batching import BATCH_SIZES, SequenceBatcher, WriteBatcher

pytestmark = pytest.mark.integration


def _commands(collection: str) -> float:
    for metric in BATCH_SIZES.collect():
        for sample in metric.samples:
            if sample.name.endswith("_count") and sample.labels["collection"] == collection:
                return sample.value
    return 0.0


async def test_concurrent_inserts_share_commands_and_a_duplicate_fails_alone(mongo_db):
    coll = mongo_db.batched_inserts
    await coll.insert_one({"_id": "taken", "n": -1})
    batcher = WriteBatcher(coll)
    ids = [f"d{i}" for i in range(60)] + ["taken"]
    before = _commands(coll.name)

    results = await asyncio.gather(
        *(batcher.insert_one({"_id": i, "n": n}) for n, i in enumerate(ids)),
        return_exceptions=True,
    )

    failed = [i for i, r in zip(ids, results, strict=True) if isinstance(r, BaseException)]
    assert failed == ["taken"]
    assert isinstance(results[-1], DuplicateKeyError)
    assert await coll.count_documents({}) == 61
    assert (await coll.find_one({"_id": "taken"}))["n"] == -1  # the first one stays
    assert 1 <= _commands(coll.name) - before < len(ids)  # fewer commands than writes


async def test_upserts_to_one_document_all_land(mongo_db):
    coll = mongo_db.batched_upserts
    batcher = WriteBatcher(coll, max_batch=7)  # several commands, some of them racing upserts
    await asyncio.gather(
        *(
            batcher.update_one({"_id": "m"}, {"$inc": {"n": 1}, "$set": {"k": i}}, upsert=True)
            for i in range(40)
        ),
        *(
            batcher.update_one({"_id": f"s{i}"}, {"$addToSet": {"ids": i}}, upsert=True)
            for i in range(10)
        ),
    )
    assert (await coll.find_one({"_id": "m"}))["n"] == 40
    assert await coll.count_documents({}) == 11


async def test_a_cancelled_caller_does_not_strand_the_others(mongo_db):
    coll = mongo_db.batched_cancel
    batcher = WriteBatcher(coll)
    first = asyncio.ensure_future(batcher.insert_one({"_id": "a"}))
    others = [asyncio.ensure_future(batcher.insert_one({"_id": f"b{i}"})) for i in range(5)]
    first.cancel()
    await asyncio.gather(*others)
    # The cancelled caller's write went out with the rest; every other caller got its answer.
    assert await coll.count_documents({}) in (5, 6)
    assert all(o.done() and o.exception() is None for o in others)


async def test_one_update_command_with_more_statements_than_the_store_has_connections(mongo_db):
    """FerretDB 1.x held a pooled connection per update statement until the command ended:
    150 statements (pool of 100) waited for themselves forever, holding the write lock.
    The build patches that; this fails (timeout) instead of hanging on a store without it."""
    coll = mongo_db.many_statements
    await coll.insert_many([{"_id": i, "n": 0} for i in range(150)])
    ops = [UpdateOne({"_id": i}, {"$inc": {"n": 1}}) for i in range(150)]
    result = await asyncio.wait_for(coll.bulk_write(ops, ordered=False), timeout=60)
    assert result.modified_count == 150
    assert await coll.count_documents({"n": 1}) == 150


async def test_concurrent_callers_get_consecutive_numbers_from_shared_increments(mongo_db):
    coll = mongo_db.batched_sequences
    numbers = SequenceBatcher(coll)
    before = _commands(coll.name)

    first = await asyncio.gather(*(numbers.next("day-1") for _ in range(40)))
    other = await numbers.next("day-2")  # another counter starts at 1
    second = await asyncio.gather(*(numbers.next("day-1") for _ in range(25)))

    assert sorted(first) == list(range(1, 41))
    assert first == sorted(first)  # in the order the callers asked
    assert sorted(second) == list(range(41, 66))
    assert other == 1
    assert (await coll.find_one({"_id": "day-1"}))["seq"] == 65
    assert 3 <= _commands(coll.name) - before < 66  # fewer increments than numbers


async def test_two_batchers_on_one_counter_never_hand_out_a_number_twice(mongo_db):
    coll = mongo_db.batched_sequences_shared
    a, b = SequenceBatcher(coll), SequenceBatcher(coll)  # two processes' worth

    got = await asyncio.gather(*(x.next("day") for _ in range(30) for x in (a, b)))

    assert sorted(got) == list(range(1, 61))
