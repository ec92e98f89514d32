"""Real records for the fuzzer to reach: a few of each, created through each service's own API
before fuzzing starts. Each seed returns values by path parameter name; the fuzzer puts them
into every other example of an operation with that parameter, so the generated bodies hit
existing complaints, sub-items, manifests … (and their state machines) instead of 404s."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

Call = Callable[..., Any]  # call(method, path, role, json=...) -> parsed JSON (asserts 2xx)
Pools = dict[str, list[Any]]


def today() -> date:
    """The bureau's date (Beijing time): from 16:00 UTC on, UTC's date is a day behind it."""
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


def complaints(call: Call) -> Pools:
    from complaints.domain.model import Category
    from complaints.entrypoints.http.complaints import ACTIONS

    ids, codes = [], []
    people = [{"name": "测试人", "phone": "13900001111"}, {"anonymous": True}]
    for i, person in enumerate(people * 2):
        body = {
            "channel": "12345",
            "external_id": f"FZ{uuid.uuid4().hex[:10]}",
            "category": "noise",
            "description": f"夜间施工噪声 {i}",
            "location": {"address": f"南川区东城街道金山路{i + 1}号", "town": "东城街道"},
            "complainant": person,
        }
        made = call("post", "/v1/complaints", "operator", json=body)
        ids.append(made["id"])
        codes.append(made["tracking_code"])
    units = ["town-01", "town-02"]
    for uid, name in zip(units, ("东城街道", "南城街道"), strict=True):
        call("post", "/v1/units", "admin", json={"id": uid, "name": name, "kind": "town"})
    call("post", f"/v1/complaints/{ids[0]}/assign", "operator", json={"unit_id": "town-01"})
    return {
        # Not town-01: the fuzzer's unit handler token names it, and a retired unit refuses it.
        "unit_id": units[1:],
        "complaint_id": ids,
        "service_request_id": ids,
        "tracking_code": codes,
        "action": ACTIONS,
        "service_code": [c.value for c in Category],
        "day": ["2026-10-01", "2026-10-10"],
        "year": [2026],
    }


def projects(call: Call) -> Pools:
    items = call("get", "/v1/subitems?limit=4", "admin")["items"]
    sub_ids = [i["id"] for i in items]
    adjustment = call(
        "post",
        f"/v1/subitems/{sub_ids[0]}/adjustments",
        "admin",
        json={"kind": "scale", "reason": "规模调整", "content": "调整建设内容"},
    )
    return {
        "subitem_id": sub_ids,
        "project_id": sorted({i["project_id"] for i in items}),
        "no": [i["no"] for i in call("get", "/v1/indicators", "admin")[:4]],
        "adjustment_id": [adjustment["id"]],
    }


def _credit_code() -> str:
    from risk.domain.credit_code import CHARSET, make_credit_code

    body = "".join(random.choices(CHARSET, k=9))
    return make_credit_code(f"91500119{body}").value


def risk(call: Call) -> Pools:
    now = datetime.now(UTC)
    holder, producer = _credit_code(), _credit_code()
    source = call(
        "post", "/v1/risk-sources", "admin", json={"name": "模糊测试企业", "credit_code": producer}
    )
    licence = f"渝危废经{holder[-8:]}"
    call(
        "post",
        "/v1/licences",
        "admin",
        json={
            "number": licence,
            "holder_credit_code": holder,
            "holder_name": "某处置公司",
            "kind": "综合",
            "valid_from": str(today() - timedelta(days=100)),
            "valid_until": str(today() + timedelta(days=700)),
            "categories": ["HW08", "HW49"],
        },
    )
    manifest = f"202450{random.randint(1, 99):02d}{random.randint(1, 999_999):06d}"
    call(
        "post",
        "/v1/manifests",
        "operator",
        json={
            "number": manifest,
            "producer": {"credit_code": producer, "name": "模糊测试企业"},
            "receiver": {"credit_code": holder, "name": "某处置公司"},
            "vehicle_plate": "渝A12345",
            "lines": [{"waste_code": "900-249-08", "quantity": "1.5"}],
            "planned_ship_date": str(today()),
        },
    )
    call(
        "post",
        "/v1/storage-ledgers",
        "operator",
        json={"holder_credit_code": holder, "kind": "producer"},
    )
    incident = call(
        "post",
        "/v1/incidents",
        "operator",
        json={"title": "河道异味", "occurred_at": now.isoformat()},
    )
    plan = call(
        "post",
        "/v1/emergency-plans",
        "admin",
        json={
            "credit_code": producer,
            "title": "突发环境事件应急预案",
            "signed_at": now.isoformat(),
        },
    )
    sources = [s["id"] for s in call("get", "/v1/risk-sources?limit=3", "admin")["items"]]
    return {
        "source_id": [source["id"], *sources],
        "number": [licence, manifest],
        "holder": [holder],
        "incident_id": [incident["id"]],
        "neighbour": ["武隆区"],
        "plan_id": [plan["id"]],
        "code": ["900-249-08", "HW08", "841-001-01"],
    }


def notify(call: Call) -> Pools:
    call(
        "post",
        "/v1/recipients",
        "admin",
        json={"id": "fuzz-person", "name": "模糊测试", "subject": "fuzz-admin", "unit": "town-01"},
    )
    sent = call(
        "post",
        "/v1/notifications",
        "admin",
        json={"recipient_ids": ["fuzz-person"], "channels": ["inbox"], "title": "测试通知"},
    )
    return {
        "recipient_id": ["fuzz-person"],
        "group_id": [g["id"] for g in call("get", "/v1/groups", "admin")[:2]],
        "unit": ["*", "town-01"],
        "rule_id": [r["id"] for r in call("get", "/v1/rules", "admin")[:3]],
        "template_id": [t["id"] for t in call("get", "/v1/templates", "admin")[:3]],
        "delivery_id": [d["id"] for d in sent["deliveries"]],
    }


SEEDS: dict[str, Callable[[Call], Pools]] = {
    "complaints": complaints,
    "projects": projects,
    "risk": risk,
    "notify": notify,
}
