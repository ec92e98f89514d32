"""Who may read what through intake and Open311 (issue 14): a public caller sees only its own
requests, learns nothing from another's order number, cannot back-date a report; abuse limits
answer 429 with Retry-After; an oversized chunked body is refused before the token is read."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest

from qingshan_core.workdays import SHANGHAI

from .conftest import running

pytestmark = pytest.mark.integration


def form(token: str, **over: str) -> dict[str, str]:
    body = {
        "api_key": token,
        "service_code": "noise",
        "lat": "29.158",
        "long": "107.099",
        "address_string": "南川区东城街道金山路18号",
        "description": "工地夜间施工",
    }
    body.update(over)
    return body


async def test_open311_shows_a_public_caller_only_its_own_requests(service):
    c = service.client
    alice = service.codec.issue("app-alice", "public")
    bob = service.codec.issue("app-bob", "public")
    shared = service.codec.issue("civic-app", "public")  # one app key on many phones
    [mine] = (await c.post("/open311/v2/requests.json", data=form(alice))).json()
    [theirs] = (
        await c.post(
            "/open311/v2/requests.json",
            data=form(bob, description="鲍勃家楼下的烧烤摊", lat="29.2001", long="107.1234"),
        )
    ).json()
    staff = await c.post(
        "/v1/complaints",
        json=service.body(
            location={"address": "某厂", "town": "东城街道", "lat": 29.3, "lon": 107.3}
        ),
        headers=service.auth("operator"),
    )
    assert staff.status_code == 201, staff.text
    [phone1] = (
        await c.post("/open311/v2/requests.json", data=form(shared, device_id="phone-1"))
    ).json()
    [phone2] = (
        await c.post(
            "/open311/v2/requests.json",
            data=form(shared, device_id="phone-2", description="二号手机的举报"),
        )
    ).json()

    listed = await c.get("/open311/v2/requests.json", params={"api_key": alice})
    assert [x["service_request_id"] for x in listed.json()] == [mine["service_request_id"]]
    assert (
        "烧烤摊" not in listed.text and "107.1234" not in listed.text and "某厂" not in listed.text
    )
    # Another caller's request by id is unknown to it, in the list and one by one.
    by_id = await c.get(
        "/open311/v2/requests.json",
        params={"api_key": alice, "service_request_id": theirs["service_request_id"]},
    )
    assert by_id.json() == []
    one = await c.get(f"/open311/v2/requests/{theirs['service_request_id']}.json?api_key={alice}")
    assert one.status_code == 404 and "烧烤摊" not in one.text
    own = await c.get(f"/open311/v2/requests/{mine['service_request_id']}.json?api_key={alice}")
    assert own.status_code == 200 and own.json()[0]["lat"] == 29.158

    # A shared app key: each phone sees what it sent, and without a device nothing of theirs.
    for device, expected in (("phone-1", phone1), ("phone-2", phone2)):
        r = await c.get(
            "/open311/v2/requests.json", params={"api_key": shared, "device_id": device}
        )
        assert [x["service_request_id"] for x in r.json()] == [expected["service_request_id"]]
    assert (await c.get("/open311/v2/requests.json", params={"api_key": shared})).json() == []
    r = await c.get(
        f"/open311/v2/requests/{phone2['service_request_id']}.json",
        params={"api_key": shared, "device_id": "phone-1"},
    )
    assert r.status_code == 404

    # Staff keep every request.
    everyone = await c.get(
        "/open311/v2/requests.json", headers={"Authorization": f"Bearer {_staff(service)}"}
    )
    assert len(everyone.json()) == 5 and "烧烤摊" in everyone.text


def _staff(service) -> str:  # type: ignore[no-untyped-def]
    return service.codec.issue("op-1", "operator")


async def test_an_order_number_lookup_comes_after_the_channel_check(service):
    c = service.client
    order = service.body()
    first = await c.post("/v1/complaints", json=order, headers=service.auth("integration"))
    assert first.status_code == 201
    case = first.json()
    # A public caller guessing a 12345 order number is refused, and learns nothing of the case.
    guess = await c.post("/v1/complaints", json=order, headers=service.auth("public", sub="x"))
    assert guess.status_code == 403
    assert case["id"] not in guess.text and case["tracking_code"] not in guess.text
    # Staff filing the same platform order still find the case the platform created.
    again = await c.post("/v1/complaints", json=order, headers=service.auth("operator"))
    assert again.status_code == 200 and again.json()["id"] == case["id"]


async def test_a_public_order_number_is_its_callers_own(service):
    c = service.client
    body = service.body(channel="app", external_id="APP-0001")
    a = await c.post("/v1/complaints", json=body, headers=service.auth("public", sub="app-a"))
    b = await c.post("/v1/complaints", json=body, headers=service.auth("public", sub="app-b"))
    assert a.status_code == 201 and b.status_code == 201, b.text
    assert a.json()["id"] != b.json()["id"]
    assert a.json()["tracking_code"] not in b.text
    retry = await c.post("/v1/complaints", json=body, headers=service.auth("public", sub="app-a"))
    assert retry.status_code == 200 and retry.json()["id"] == a.json()["id"]


async def test_a_public_submission_is_received_now(service):
    c = service.client
    years_ago = datetime(2021, 3, 1, 9, tzinfo=SHANGHAI).isoformat()
    before = datetime.now(SHANGHAI) - timedelta(seconds=5)
    r = await c.post(
        "/v1/complaints",
        json=service.body(channel="web", external_id=None, received_at=years_ago),
        headers=service.auth("public", sub="web-1"),
    )
    assert r.status_code == 201, r.text
    received = datetime.fromisoformat(r.json()["received_at"])
    assert before <= received <= datetime.now(SHANGHAI)
    doc = await service.ctx.repo.find_one({"_id": r.json()["id"]})
    assert doc is not None and doc["received_at"].year == datetime.now().year
    # Staff may still record when a report really came in (a call taken on paper).
    staff = await c.post(
        "/v1/complaints",
        json=service.body(channel="visit", external_id=None, received_at=years_ago),
        headers=service.auth("operator"),
    )
    assert datetime.fromisoformat(staff.json()["received_at"]).year == 2021


async def test_intake_open311_and_tracking_are_rate_limited(infra):
    limits = {
        "http_rate_limit_per_address": "6/minute",
        "http_rate_limit_per_public_client": "2/minute",
    }
    async with running(infra, **limits) as service:
        c = service.client
        h = service.auth("public", sub="flood")
        codes = []
        for i in range(3):
            body = service.body(channel="app", external_id=f"F{i}")
            codes.append((await c.post("/v1/complaints", json=body, headers=h)).status_code)
        assert codes == [201, 201, 429]
        # Open311 and tracking count against the same address (3 used so far, 6 allowed).
        statuses = [(await c.get("/v1/track/ABCDEFGHJKLMNP")).status_code for _ in range(3)]
        assert statuses == [404, 404, 404]
        refused = await c.get("/open311/v2/services.json")
        assert refused.status_code == 429
        assert int(refused.headers["Retry-After"]) >= 1 and "请求过于频繁" in refused.text


async def test_a_chunked_oversized_body_is_refused_before_the_token_is_read(service):
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(320):  # 20 MB, no Content-Length
            yield b" " * (64 * 1024)

    r = await service.client.post(
        "/v1/complaints", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 413 and "请求体过大" in r.text
