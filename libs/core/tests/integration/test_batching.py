"""Group commit against the real store: concurrent writes share commands, and each caller
still gets the outcome of its own write."""

from __future__ import annotations

import asyncio

import pytest
from pymongo.errors import DuplicateKeyError

from qingshan_core.batching import BATCH_SIZES, WriteBatcher

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
