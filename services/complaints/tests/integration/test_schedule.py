"""The sweeper's minute schedule against the real store: entries spread over shards, read back
by minute in one query, the unsharded documents of older stores included, dropped after."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from complaints.adapters.schedule import SHARDS, AlertSchedule, bucket_key, minute_key
from qingshan_core.workdays import SHANGHAI

pytestmark = pytest.mark.integration

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=SHANGHAI)


async def test_cases_of_a_minute_spread_over_shards_and_come_back_together(mongo_db):
    schedule = AlertSchedule(mongo_db.alert_schedule)
    ids = [f"TS20261130{i:05d}" for i in range(200)]
    for case_id in ids:
        await schedule.add(T0 + timedelta(seconds=30), case_id, now=T0 - timedelta(hours=1))
    await schedule.add(T0 + timedelta(minutes=3), "LATER", now=T0 - timedelta(hours=1))
    # A store written before sharding holds one document per minute.
    await mongo_db.alert_schedule.insert_one({"_id": minute_key(T0), "ids": ["LEGACY"]})

    shards = await mongo_db.alert_schedule.distinct("_id", {"_id": {"$ne": minute_key(T0)}})
    assert len([s for s in shards if s.startswith(minute_key(T0))]) == SHARDS  # 200 spread
    assert bucket_key(minute_key(T0), ids[0]) == bucket_key(minute_key(T0), ids[0])  # stable

    due, keys = await schedule.due(T0 - timedelta(minutes=1), T0 + timedelta(minutes=1))
    assert sorted(due) == sorted([*ids, "LEGACY"])
    assert "LATER" not in due

    await schedule.drop(keys)
    again, _ = await schedule.due(T0 - timedelta(minutes=1), T0 + timedelta(minutes=1))
    assert again == []
    later, _ = await schedule.due(T0, T0 + timedelta(minutes=5))
    assert later == ["LATER"]
