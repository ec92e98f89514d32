"""A consumer process for the kill-mid-batch test: records each handled event in the store.

Usage: python consumer_child.py BOOTSTRAP MONGO_URI DB TOPIC GROUP
"""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime

from qingshan.testing.v1 import testing_pb2  # noqa: F401 - registers the event type
from qingshan_core.consumer import ConsumerConfig, ConsumerRunner
from qingshan_core.mongo import create_client


async def main(bootstrap: str, uri: str, db_name: str, topic: str, group: str) -> None:
    client = create_client(uri, "consumer-child")
    db = client[db_name]

    async def handle(env, msg) -> None:
        # Slow enough that a kill lands in the middle of a batch.
        await db.handled.insert_one({"event_id": env.id, "seq": msg.seq, "at": datetime.now(UTC)})
        await asyncio.sleep(0.02)

    runner = ConsumerRunner(
        ConsumerConfig(group_id=group, topics=[topic], bootstrap=bootstrap, max_records=50),
        {"qingshan.testing.v1.SampleChanged": handle},
        db,
    )
    await runner.run()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:6]))
