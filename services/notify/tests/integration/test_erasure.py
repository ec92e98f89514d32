"""A complaint's erasure reaches notify (issue 18 item 1): `ComplaintErased` replaces the
rendered text of the case's deliveries and inbox items and drops the stored events about it;
the daily retention job does the same for deliveries past their retention."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from notify.domain.delivery import ERASED_TITLE
from notify.service_layer.erasure import erase_expired
from qingshan.complaints.v1 import events_pb2 as pb

from .harness import running, settings_for, setup_office
from .receivers import eventually

pytestmark = pytest.mark.integration
RETURNED = "qingshan.complaints.v1.ComplaintReturned"
QUOTE = "举报人张三（13812345678）家门口"


async def _returned_rule(n) -> None:  # type: ignore[no-untyped-def]
    rule = {
        "id": "returned-to-carol",
        "name": "退单告知",
        "event_type": RETURNED,
        "channels": ["inbox"],
        "targets": [{"kind": "recipient", "ref": "carol"}],
        "priority": "normal",
    }
    assert (await n.post("/v1/rules", rule)).status_code == 201
    tpl = {
        "event_type": RETURNED,
        "channel": "*",
        "title": "退单 {{ data.complaint_id }}",
        "body": "理由：{{ data.reason }}",
    }
    assert (await n.post("/v1/templates", tpl)).status_code == 201


async def test_an_erased_complaint_leaves_no_quoted_identity_in_deliveries_or_the_inbox(
    infra, mongo_db, topics, receiver, smtp
):
    s = settings_for(infra, mongo_db.name, topics, receiver, smtp)
    async with running(s, topics) as n:
        await setup_office(n, receiver)
        await _returned_rule(n)
        cid, other = f"TS{uuid.uuid4().hex[:10]}", f"TS{uuid.uuid4().hex[:10]}"
        carol = n.token("carol", "unit_handler", unit="town-a")
        for case in (cid, other):
            msg = pb.ComplaintReturned(complaint_id=case, unit_id="town-a", reason=QUOTE)
            await n.publish(topics.complaints, msg, case)

        async def inbox() -> list:  # type: ignore[type-arg]
            r = await n.get("/v1/inbox", headers=carol)
            assert r.status_code == 200, r.text
            items: list = r.json()  # type: ignore[type-arg]
            return items if len(items) == 2 else []

        assert QUOTE in str(await eventually(inbox))
        erased = pb.ComplaintErased(
            complaint_id=cid, basis="request", removed=["name", "phone"], erased_by="admin-1"
        )
        await n.publish(topics.complaints, erased, cid)

        async def quoted_once() -> list:  # type: ignore[type-arg]
            items = await inbox()
            return items if str(items).count("13812345678") == 1 else []

        items = await eventually(quoted_once)
        mine = [i for i in items if i["title"] == ERASED_TITLE]
        # The text quotes nothing of the case; the item still names its subject (the case id).
        text = [(i["title"], i["body"]) for i in mine]
        assert len(mine) == 1 and QUOTE not in str(mine) and cid not in str(text)
        assert mine[0]["subject"] == cid
        stored = await n.ctx.deliveries.about(cid, [])
        assert [d.title for d in stored] == [ERASED_TITLE] and stored[0].erased_at is not None
        db = n.app.state.runtime.db
        assert await db.events.count_documents({"subject": cid}) == 0
        assert await db.events.count_documents({"subject": other}) == 1
        # Seen again (a redelivered event), it erases nothing more and breaks nothing.
        await n.publish(topics.complaints, erased, cid)

        # The daily job: nothing is old enough yet; a year on, every delivery's text goes.
        assert await erase_expired(n.ctx, timedelta(days=365)) == 0
        assert await erase_expired(n.ctx, timedelta(seconds=0)) >= 1
        left = await n.ctx.deliveries.about(other, [])
        assert [d.title for d in left] == [ERASED_TITLE]
