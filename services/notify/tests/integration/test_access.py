"""Who may read and change what in notify (issue 14): the inbox is staff-only and the token's
subject's own; the configuration is the administrators'; integrations send through the rules,
never directly."""

from __future__ import annotations

import pytest

from .harness import running, settings_for, setup_office
from .receivers import eventually

pytestmark = pytest.mark.integration


async def test_the_inbox_is_staff_only_and_its_owners(infra, mongo_db, topics, receiver, smtp):
    s = settings_for(infra, mongo_db.name, topics, receiver, smtp)
    async with running(s, topics) as n:
        await setup_office(n, receiver)
        sent = await n.post(
            "/v1/notifications",
            {
                "idempotency_key": "inbox-1",
                "recipient_ids": ["alice"],
                "channels": ["inbox"],
                "title": "请查收",
            },
        )
        assert sent.status_code == 200, sent.text
        alice = n.token("alice", "operator")

        async def items(headers: dict[str, str]) -> list:  # type: ignore[type-arg]
            return (await n.get("/v1/inbox", headers=headers)).json()

        [item] = await eventually(lambda: items(alice), timeout=20)
        # A public (app) or service token naming alice's login reads and acknowledges nothing.
        for role in ("public", "integration"):
            impostor = n.token("alice", role)
            assert (await n.get("/v1/inbox", headers=impostor)).status_code == 403
            ack = await n.post(f"/v1/inbox/{item['id']}/ack", {}, headers=impostor)
            assert ack.status_code == 403
        # Another staff member does not see it and cannot acknowledge it.
        bob = n.token("bob", "supervisor")
        assert await items(bob) == []
        assert (await n.post(f"/v1/inbox/{item['id']}/ack", {}, headers=bob)).status_code == 404
        mine = await n.post(f"/v1/inbox/{item['id']}/ack", {}, headers=alice)
        assert mine.status_code == 200 and mine.json()["acknowledged_at"]


async def test_configuration_is_admin_only(infra, mongo_db, topics, receiver, smtp):
    s = settings_for(infra, mongo_db.name, topics, receiver, smtp)
    async with running(s, topics) as n:
        await setup_office(n, receiver)
        supervisor = n.token("dave", "supervisor")
        robot = {"id": "x", "name": "X", "wecom": {"url": receiver.url("/wecom/x?key=evil")}}
        writes = [
            ("POST", "/v1/recipients", {"id": "eve", "name": "夏娃", "phone": "13800000009"}),
            (
                "PUT",
                "/v1/recipients/alice",
                {"id": "alice", "name": "王丽", "phone": "13900000000"},
            ),
            ("POST", "/v1/groups", robot),
            ("PUT", "/v1/escalation-chains/town-a", {"handlers": ["dave"], "unit_heads": []}),
            ("DELETE", "/v1/rules/x", None),
            (
                "POST",
                "/v1/templates",
                {"event_type": "x", "channel": "*", "title": "t", "body": ""},
            ),
        ]
        for method, path, body in writes:
            r = await n.http.request(method, path, json=body, headers=supervisor)
            assert r.status_code == 403, f"{method} {path}: {r.status_code}"
        for path in ("/v1/recipients", "/v1/groups/emergency-office", "/v1/rules", "/v1/templates"):
            r = await n.get(path, headers=supervisor)
            assert r.status_code == 403 and "13800000001" not in r.text and "k-eo" not in r.text
        # Nothing changed, and the administrator still manages it all.
        alice = (await n.get("/v1/recipients/alice")).json()
        assert alice["phone"] == "13800000001"
        assert (await n.get("/v1/recipients/eve")).status_code == 404


async def test_integrations_send_only_through_rules(infra, mongo_db, topics, receiver, smtp):
    s = settings_for(infra, mongo_db.name, topics, receiver, smtp)
    async with running(s, topics) as n:
        await setup_office(n, receiver)
        direct = {
            "idempotency_key": "spam-1",
            "recipient_ids": ["alice", "bob"],
            "channels": ["sms"],
            "title": "中奖通知",
        }
        r = await n.post("/v1/notifications", direct, headers=n.token("city-12345", "integration"))
        assert r.status_code == 403
        assert (await n.get("/v1/deliveries", event_id="direct:spam-1")).json() == []
        ok = await n.post("/v1/notifications", direct, headers=n.token("dave", "supervisor"))
        assert ok.status_code == 200, ok.text
