"""The REST and gRPC surface: bad input refused with the reason when saved (422), roles,
previews, direct messages once per key, deliveries over gRPC."""

from __future__ import annotations

import json

import grpc
import pytest

from qingshan.notify.v1 import notify_service_pb2 as pb
from qingshan.notify.v1 import notify_service_pb2_grpc as pb_grpc

from .harness import running, settings_for, setup_office
from .receivers import eventually

pytestmark = pytest.mark.integration
INCIDENT = "qingshan.risk.v1.IncidentReported"


def rule(**kw: object) -> dict[str, object]:
    body: dict[str, object] = {
        "id": "eo-grade-i",
        "name": "Ⅰ级事件另发督办",
        "event_type": "qingshan.risk.v1.IncidentGraded",
        "channels": ["inbox", "email"],
        "targets": [{"kind": "group", "ref": "supervisors"}],
        "conditions": [{"attr": "grade", "values": ["I", "II"]}],
        "priority": "critical",
    }
    body.update(kw)
    return body


def fields(resp) -> set[str]:  # type: ignore[no-untyped-def]
    assert resp.status_code == 422, resp.text
    return {d.get("field", "") for d in resp.json()["errors"]}


async def test_bad_input_is_refused_when_saved(infra, mongo_db, topics, receiver, smtp):
    s = settings_for(infra, mongo_db.name, topics, receiver, smtp)
    async with running(s, topics) as n:
        await setup_office(n, receiver)
        assert (await n.post("/v1/rules", rule())).status_code == 201
        assert "event_type" in fields(
            await n.post("/v1/rules", rule(id="x", event_type="qingshan.risk.v1.Nope"))
        )
        assert "channels.1" in fields(
            await n.post("/v1/rules", rule(id="x", channels=["inbox", "fax"]))
        )
        assert "targets.0.ref" in fields(
            await n.post("/v1/rules", rule(id="x", targets=[{"kind": "recipient", "ref": "ghost"}]))
        )
        assert "conditions.0.attr" in fields(
            await n.post(
                "/v1/rules", rule(id="x", conditions=[{"attr": "colour", "values": ["red"]}])
            )
        )
        r = await n.post("/v1/rules", rule(id="x", template_variant="broken"))
        assert r.status_code == 201  # no such variant: the default text is used
        bad_tpl = {
            "event_type": INCIDENT,
            "channel": "*",
            "title": "{{ data.no_such }}",
            "body": "",
        }
        r = await n.post("/v1/templates", bad_tpl)
        assert "body" in fields(r) and "no_such" in r.text
        bad_tpl = {"event_type": INCIDENT, "channel": "*", "title": "{% if %}", "body": ""}
        assert "body" in fields(await n.post("/v1/templates", bad_tpl))
        assert "email" in fields(
            await n.post("/v1/recipients", {"id": "x", "name": "X", "email": "x@"})
        )
        assert "phone" in fields(
            await n.post("/v1/recipients", {"id": "x", "name": "X", "phone": "12"})
        )
        robot = {"id": "g", "name": "G", "wecom": {"url": "ftp://nowhere"}}
        assert "wecom.url" in fields(await n.post("/v1/groups", robot))
        assert "members.0" in fields(
            await n.post("/v1/groups", {"id": "g", "name": "G", "members": ["ghost"]})
        )
        assert (await n.post("/v1/recipients", {"id": "alice", "name": "again"})).status_code == 409


async def test_roles_templates_and_preview(infra, mongo_db, topics, receiver, smtp):
    s = settings_for(infra, mongo_db.name, topics, receiver, smtp)
    async with running(s, topics) as n:
        assert (await n.http.get("/v1/rules")).status_code == 401
        handler = n.token("carol", "unit_handler", unit="town-a")
        assert (await n.get("/v1/rules", headers=handler)).status_code == 403
        assert (await n.get("/v1/deliveries", headers=handler)).status_code == 403
        assert (await n.get("/v1/inbox", headers=handler)).json() == []
        defaults = (await n.get("/v1/rules")).json()
        assert any(r["event_type"] == INCIDENT and r["priority"] == "critical" for r in defaults)
        types = {t["name"] for t in (await n.get("/v1/event-types")).json()}
        assert INCIDENT in types and "qingshan.complaints.v1.DeadlineWarning" in types
        tpl = {
            "event_type": INCIDENT,
            "channel": "sms",
            "title": "【{{ data.report_kind }}】{{ data.incident_id }}",
            "body": "请{{ recipient.name }}立即处置",
        }
        created = await n.post("/v1/templates", tpl)
        assert created.status_code == 201, created.text
        tid = created.json()["id"]
        assert tid == f"{INCIDENT}:sms:default"
        preview = await n.post(
            "/v1/templates/preview", {"template_id": tid, "data": {"incident_id": "inc-9"}}
        )
        assert preview.json()["title"] == "【〈report_kind〉】inc-9"
        assert preview.json()["body"] == "请张三立即处置"
        unsaved = {"template": {**tpl, "title": "{{ data.nope }}"}}
        assert (await n.post("/v1/templates/preview", unsaved)).status_code == 422


async def test_direct_messages_over_rest_and_grpc(infra, mongo_db, topics, receiver, smtp):
    s = settings_for(infra, mongo_db.name, topics, receiver, smtp)
    async with running(s, topics) as n:
        await setup_office(n, receiver)
        body = {
            "idempotency_key": "meeting-0304",
            "recipient_ids": ["alice"],
            "group_ids": ["emergency-office"],
            "channels": ["email", "wecom"],
            "title": "应急演练通知",
            "body": "3月4日9:00 区局三楼",
        }
        first = await n.post("/v1/notifications", body)
        again = await n.post("/v1/notifications", body)
        assert first.status_code == 200, first.text
        ids = {d["id"] for d in first.json()["deliveries"]}
        assert ids == {d["id"] for d in again.json()["deliveries"]} and len(ids) == 2
        await eventually(lambda: smtp.messages and receiver.at("/wecom/eo"), timeout=20)
        assert len(smtp.messages) == 1 and "=?utf-8?" in smtp.messages[0]["data"].lower()
        assert len(receiver.at("/wecom/eo")) == 1

        token = n.token("duty-supervisor", "supervisor")["Authorization"]
        service = (("authorization", n.token("svc-risk", "integration")["Authorization"]),)
        async with grpc.aio.insecure_channel(f"127.0.0.1:{s.grpc_port}") as channel:
            stub = pb_grpc.NotifyServiceStub(channel)
            meta = (("authorization", token),)
            req = pb.SendDirectRequest(
                idempotency_key="grpc-1",
                recipient_ids=["bob"],
                channels=["sms"],
                title="测试",
                priority="critical",
            )
            # An integration reaches people through the rules only (issue 14).
            with pytest.raises(grpc.aio.AioRpcError) as refused:
                await stub.SendDirect(req, metadata=service)
            assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED
            sent = await stub.SendDirect(req, metadata=meta)
            assert sent.event_id == "direct:grpc-1" and len(sent.deliveries) == 1
            await eventually(
                lambda: [r for r in receiver.at("/sms/send") if r.body["to"] == "13800000002"],
                timeout=20,
            )
            listed = await stub.ListDeliveries(
                pb.ListDeliveriesRequest(event_id="direct:grpc-1"), metadata=service
            )
            [d] = listed.deliveries
            assert d.status == "sent" and d.attempts[0].outcome == "sent" and d.channel == "sms"
            with pytest.raises(grpc.aio.AioRpcError) as err:
                await stub.ListDeliveries(pb.ListDeliveriesRequest())
            assert err.value.code() == grpc.StatusCode.UNAUTHENTICATED
            bad = pb.SendDirectRequest(recipient_ids=["ghost"], channels=["fax"], title="x")
            with pytest.raises(grpc.aio.AioRpcError) as err:
                await stub.SendDirect(bad, metadata=meta)
            assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT


async def test_robot_credentials_are_sealed_at_rest(infra, mongo_db, topics, receiver, smtp):
    s = settings_for(infra, mongo_db.name, topics, receiver, smtp)
    async with running(s, topics) as n:
        await setup_office(n, receiver)  # a WeCom key and a DingTalk token and secret
        raw = await mongo_db.groups.find_one({"_id": "emergency-office"})
        stored = json.dumps(raw, default=str)
        assert "SEC-eo" not in stored and "k-eo" not in stored and "t-eo" not in stored
        assert raw["dingtalk"]["secret"].startswith("v1.") and raw["wecom"]["secret"] == ""
        shown = (await n.get("/v1/groups/emergency-office")).json()
        assert shown["dingtalk"]["signed"] is True and "t-eo" not in shown["dingtalk"]["url"]
        assert shown["dingtalk"]["url"].startswith(receiver.url("/dingtalk/eo"))

        # A group written before credentials were sealed is still read (and resealed when saved).
        legacy = {"url": receiver.url("/wecom/old?key=k-old"), "secret": ""}
        await mongo_db.groups.update_one({"_id": "supervisors"}, {"$set": {"wecom": legacy}})
        old = (await n.get("/v1/groups/supervisors")).json()
        assert old["wecom"]["url"].startswith(receiver.url("/wecom/old"))
        r = await n.put("/v1/groups/supervisors", {**old, "wecom": legacy})
        assert r.status_code == 200, r.text
        raw = await mongo_db.groups.find_one({"_id": "supervisors"})
        assert raw["wecom"]["url"].startswith("v1.") and "k-old" not in json.dumps(raw)


async def test_a_group_saved_back_as_read_keeps_its_robots(infra, mongo_db, topics, receiver, smtp):
    """The console's forms send a group back with the masked webhook URLs they read: notify
    keeps the stored webhooks and secret (a new URL replaces them)."""
    s = settings_for(infra, mongo_db.name, topics, receiver, smtp)
    async with running(s, topics) as n:
        await setup_office(n, receiver)
        shown = (await n.get("/v1/groups/emergency-office")).json()
        assert "***" in shown["wecom"]["url"] and "***" in shown["dingtalk"]["url"]
        back = {
            "id": "emergency-office",
            "name": "应急办（改名）",
            "members": shown["members"],
            "wecom": {"url": shown["wecom"]["url"]},
            "dingtalk": {"url": shown["dingtalk"]["url"]},
        }
        r = await n.put("/v1/groups/emergency-office", back)
        assert r.status_code == 200, r.text
        again = (await n.get("/v1/groups/emergency-office")).json()
        assert again["name"] == "应急办（改名）" and again["dingtalk"]["signed"] is True
        body = {
            "idempotency_key": "kept-robots",
            "group_ids": ["emergency-office"],
            "channels": ["wecom", "dingtalk"],
            "priority": "critical",  # whatever the hour: no quiet hours in the way
            "title": "机器人保留",
        }
        assert (await n.post("/v1/notifications", body)).status_code == 200
        await eventually(lambda: receiver.at("/wecom/eo") and receiver.at("/dingtalk/eo"), 20)
        assert receiver.at("/wecom/eo")[0].query["key"] == ["k-eo"]
        assert receiver.at("/dingtalk/eo")[0].query["access_token"] == ["t-eo"]
        assert "sign" in receiver.at("/dingtalk/eo")[0].query  # the secret was kept

        back["wecom"] = {"url": receiver.url("/wecom/new?key=k-new")}
        assert (await n.put("/v1/groups/emergency-office", back)).status_code == 200
        raw = json.dumps(await mongo_db.groups.find_one({"_id": "emergency-office"}), default=str)
        assert "***" not in raw
