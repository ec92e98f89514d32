"""Poison entries against the real broker and store: an outbox entry the broker refuses for
what it is (larger than a request may be) is tried a few times, quarantined with its error, an
ops alert is raised, and its aggregate's later events (and everyone else's) go out."""

from __future__ import annotations

import pytest

from qingshan.ops.v1.events_pb2 import OpsAlert
from qingshan.testing.v1.testing_pb2 import SampleChanged
from qingshan_core import kafka
from qingshan_core.events import Envelope
from qingshan_core.ops import OpsAlerts
from qingshan_core.outbox import MARKERS, OUTBOX, OutboxCollection
from qingshan_core.quarantine import FAILURES, QUARANTINE
from qingshan_core.relay import OutboxRelay
from qingshan_core.testing.pytest_plugin import read_topic

pytestmark = pytest.mark.integration
SOURCE = "/qingshan/tests"


def event(agg: str, seq: int, note: str = "") -> Envelope:
    msg = SampleChanged(aggregate_id=agg, seq=seq, note=note)
    return Envelope.wrap(msg, source=SOURCE, subject=agg)


async def test_refused_entry_is_quarantined_and_the_aggregate_goes_on(mongo_db, new_topic, infra):
    topic = await new_topic("poison")
    samples = OutboxCollection(mongo_db.samples, topic=topic, source=SOURCE)
    ops = OpsAlerts(OutboxCollection(mongo_db.ops_alerts, topic=topic, source=SOURCE), "tests")
    before, poison, after = event("p", 1), event("p", 2, "x" * (2 << 20)), event("p", 3)
    other = event("q", 1)
    await samples.insert({"_id": "p", "state": "new"}, [before, poison])
    await samples.update("p", 1, {"state": "later"}, [after])
    await samples.insert({"_id": "q", "state": "new"}, [other])
    alerts: list[str] = []

    async def quarantined(entry, collection, agg, error):
        alerts.append(entry["id"])
        await ops.raise_once("outbox_quarantined", entry["id"], "已隔离 / quarantined", error)

    relay = OutboxRelay(
        mongo_db,
        ["samples", "ops_alerts"],
        lambda: kafka.create_producer(infra["bootstrap"], "test-relay", 3000),
        poison_attempts=3,
        on_quarantine=quarantined,
    )
    assert await relay.acquire_lease()
    assert await relay.drain() == 2  # `before` and `other`; the poison refused (1 of 3)
    assert (await mongo_db[FAILURES].find_one({"_id": poison.id}))["n"] == 1
    assert await relay.drain() == 0  # refused again (2 of 3): `after` still waits behind it
    assert await relay.drain() == 0  # third refusal: quarantined
    assert await relay.drain() == 2  # `after`, and the ops alert
    assert await relay.drain() == 0
    await relay._drop_producer()

    assert alerts == [poison.id]
    held = await mongo_db[QUARANTINE].find_one({"_id": poison.id})
    assert held["collection"] == "samples" and held["aggregate"] == "p" and held["attempts"] == 3
    assert "MessageSizeTooLarge" in held["error"] and held["entry"]["id"] == poison.id
    assert await mongo_db[FAILURES].count_documents({}) == 0
    doc = await mongo_db.samples.find_one({"_id": "p"})
    assert doc[OUTBOX] == [] and doc["state"] == "later"
    assert await mongo_db[MARKERS].count_documents({}) == 0

    records = await read_topic(infra["bootstrap"], topic, expect=4)
    envs = [Envelope.from_record(r.headers, r.value) for r in records]
    (alert,) = [e for e in envs if e.type == "qingshan.ops.v1.OpsAlert"]
    assert sorted(e.id for e in envs) == sorted([before.id, other.id, after.id, alert.id])
    assert [e.id for e in envs if e.subject == "p"] == [before.id, after.id]
    message = alert.decode()
    assert isinstance(message, OpsAlert) and message.kind == "outbox_quarantined"
    assert message.subject == f"outbox-quarantined/{poison.id}" and message.service == "tests"
