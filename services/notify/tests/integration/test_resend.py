"""An administrator resends a dead letter: a new delivery that the dispatcher sends (to the
robot that failed before and answers now), once per dead letter however often it is asked; the
dead letter records who resent it and when, and notify.delivery.resent goes out through the
outbox. Only administrators may, and only a dead letter can be resent."""

from __future__ import annotations

import pytest

from qingshan.notify.v1 import events_pb2 as notify_events

from .events import incident
from .harness import find_record, header, running, settings_for, setup_office
from .receivers import eventually

pytestmark = pytest.mark.integration


async def test_a_dead_letter_is_resent_once_by_an_administrator(
    infra, mongo_db, topics, receiver, smtp
):
    receiver.answers["/wecom/eo"] = (500, {"errcode": -1, "errmsg": "system busy"})
    s = settings_for(infra, mongo_db.name, topics, receiver, smtp, retry_max_attempts=1)
    async with running(s, topics) as n:
        await setup_office(n, receiver)
        env = await n.publish(topics.risk, incident("inc-resend"), "inc-resend")

        async def dead() -> dict | None:  # type: ignore[type-arg]
            for d in await n.deliveries(env.id):
                if d["channel"] == "wecom" and d["status"] == "failed" and d["dead_lettered"]:
                    return d
            return None

        letter = await eventually(dead, timeout=40)
        assert letter["resent_at"] is None
        sent = [d for d in await n.deliveries(env.id) if d["status"] == "sent"]
        r = await n.post(f"/v1/deliveries/{sent[0]['id']}/resend", {})
        assert r.status_code == 409, r.text  # only a dead letter
        assert r.json()["current"]["status"] == "sent"
        supervisor = n.token("sup-1", "supervisor")
        r = await n.post(f"/v1/deliveries/{letter['id']}/resend", {}, headers=supervisor)
        assert r.status_code == 403, r.text

        receiver.answers["/wecom/eo"] = (200, {"errcode": 0, "errmsg": "ok"})  # the robot is back
        first = await n.post(f"/v1/deliveries/{letter['id']}/resend", {})
        assert first.status_code == 200, first.text
        body = first.json()
        resend = body["resend"]
        assert resend["id"] != letter["id"] and resend["recipient"] == letter["recipient"]
        assert resend["title"] == letter["title"] and resend["channel"] == "wecom"
        assert body["dead_letter"]["resent_as"] == resend["id"]
        assert body["dead_letter"]["resent_by"] == "admin:admin-1"
        assert body["dead_letter"]["resent_at"]

        async def delivered() -> dict | None:  # type: ignore[type-arg]
            r = await n.get(f"/v1/deliveries/{resend['id']}")
            return r.json() if r.json()["status"] == "sent" else None

        done = await eventually(delivered, timeout=30)
        assert done["attempt_count"] == 1
        calls = len(receiver.at("/wecom/eo"))
        assert calls == 2  # the failed attempt and the resend

        again = await n.post(f"/v1/deliveries/{letter['id']}/resend", {})
        assert again.status_code == 200 and again.json()["resend"]["id"] == resend["id"]
        stored = (await n.get(f"/v1/deliveries/{letter['id']}")).json()
        assert again.json()["dead_letter"]["resent_at"] == stored["resent_at"]  # the first's
        assert stored["resent_at"][:23] == body["dead_letter"]["resent_at"][:23]  # ms stored
        assert stored["status"] == "failed" and stored["resent_as"] == resend["id"]

        record = await find_record(
            infra["bootstrap"],
            "qingshan.notify.v1",
            lambda r: (
                header(r, "ce_type") == "qingshan.notify.v1.DeliveryResent"
                and header(r, "ce_subject") == letter["id"]
            ),
        )
        msg = notify_events.DeliveryResent.FromString(record.value)
        assert msg.resent_as == resend["id"] and msg.resent_by == "admin:admin-1"
        assert msg.event_id == env.id and msg.channel == "wecom"
        # Asked twice, sent once: the robot saw no third message.
        assert len(receiver.at("/wecom/eo")) == calls
