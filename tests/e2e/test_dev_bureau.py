"""The working bureau `make run` shows (deploy/local/services.py --demo): the four services as
real processes with the demo data seeded through their APIs and the e-mail sink. A complaint
back-dated past its deadline and an incident registered through the API each reach an inbox,
and the overdue notice's e-mail lies in the sink's folder as an .eml file. Seeding again
changes nothing (`make wipe && make run` gives the same bureau)."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy

import httpx
import pytest

from qingshan_core.auth import TokenCodec
from qingshan_core.settings import DEV_JWT_SECRET
from qingshan_core.testing.pytest_plugin import ROOT, profile

from .test_services_ready import _local_script, local_services, local_stack

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
PROFILE = local_stack.PROFILES[profile()]
BASE = local_services.BASES[PROFILE.name][0]
SCRIPT = [sys.executable, str(ROOT / "deploy" / "local" / "services.py"), "--profile", profile()]
CODEC = TokenCodec(DEV_JWT_SECRET)
C, R = "qingshan.complaints.v1.", "qingshan.risk.v1."
BUREAU_UNITS = 45  # 31 towns and streets, 5 bureau sections, 9 departments
# The seeded ids; the suite's other tests register units of their own in the same store.
BUREAU_IDS = {u["id"] for u in _local_script("bureau").units()}
# Units other suites also register in the same store and on the same topics (town-01..12, for
# the console's journeys and the services' tests): notify may hold their registrations, as new
# as the bureau's (version 1), so their heads are checked only on units nobody else registers.
ONLY_SEEDED = BUREAU_IDS - {f"town-{i:02d}" for i in range(1, 13)}


def url(index: int, path: str) -> str:
    return f"http://127.0.0.1:{BASE + index}{path}"


def auth(role: str, sub: str | None = None) -> dict[str, str]:
    return {"Authorization": f"Bearer {CODEC.issue(sub or f'e2e-{role}', role)}"}


@pytest.fixture(scope="module")
def bureau(infra):  # type: ignore[no-untyped-def]
    # Services another suite left running (the browser journeys keep them up) were started
    # without the demo's settings (the mail sink, the quick sweeper): start them again with them.
    subprocess.run([*SCRIPT, "down"], check=True, timeout=60)
    done = subprocess.run(
        [*SCRIPT, "--demo", "up"], check=True, timeout=300, capture_output=True, text=True
    )
    yield done.stdout
    subprocess.run([*SCRIPT, "down"], check=True, timeout=60)


async def inbox_item(
    sub: str, text: str, event_type: str, timeout: float = 30
) -> tuple[dict, float]:  # type: ignore[type-arg]
    started = time.monotonic()
    async with httpx.AsyncClient(headers=auth("supervisor", sub)) as c:
        while time.monotonic() - started < timeout:
            for item in (await c.get(url(4, "/v1/inbox"))).json():
                if item["event_type"] == event_type and text in item["title"] + item["body"]:
                    return item, time.monotonic() - started
            await asyncio.sleep(0.2)
    raise AssertionError(f"no {event_type} about {text} in {sub}'s inbox within {timeout}s")


async def test_the_seeded_bureau_is_listed_and_reachable(bureau):  # type: ignore[no-untyped-def]
    assert "a working bureau" in bureau and "/mail/*.eml" in bureau
    async with httpx.AsyncClient() as c:
        units = (await c.get(url(1, "/v1/units?active=true"), headers=auth("operator"))).json()
        assert len(BUREAU_IDS) == BUREAU_UNITS
        by_id = {u["id"]: u for u in units["items"]}
        assert by_id.keys() >= BUREAU_IDS
        assert by_id["town-01"]["name"] == "东城街道" and by_id["town-01"]["kind"] == "town"
        assert by_id["sec-01"]["name"] == "执法支队" and by_id["dept-01"]["kind"] == "department"
        chains = (await c.get(url(4, "/v1/escalation-chains"), headers=auth("admin"))).json()
        registry = {ch["unit"]: ch for ch in chains if ch["source"] == "registry"}
        assert registry.keys() >= BUREAU_IDS
        for uid in ONLY_SEEDED:
            assert registry[uid]["unit_heads"] == [by_id[uid]["head"]], uid
        gaps = (await c.get(url(4, "/v1/admin/unreachable"), headers=auth("admin"))).json()
        # Every default rule reaches someone in the bureau (units other tests of the suite
        # registered in the same store may have gaps of their own).
        ours = [g for g in gaps["items"] if g["scope"] in ONLY_SEEDED | {"*"}]
        assert ours == [], ours
        risk_map = (await c.get(url(3, "/v1/map.geojson"), headers=auth("operator"))).json()
        points = [f["geometry"]["coordinates"] for f in risk_map["features"]]
        assert len(points) >= 6
        assert all(
            106.9 <= float(lon) <= 107.4 and 28.8 <= float(lat) <= 29.4 for lon, lat in points
        )


async def test_an_overdue_complaint_and_an_incident_reach_inboxes_and_mail(bureau):  # type: ignore[no-untyped-def]
    async with httpx.AsyncClient() as c:
        r = await c.post(
            url(1, "/v1/complaints"),
            headers=auth("operator"),
            json={
                "channel": "12345",
                "external_id": f"E2E-{uuid.uuid4().hex[:10]}",
                "category": "noise",
                "description": "夜间施工噪声扰民（演示）",
                "received_at": (datetime.now(UTC) - timedelta(days=4)).isoformat(),
                "location": {"address": "南川区东城街道金山路18号", "town": "东城街道"},
                "complainant": {"anonymous": True},
            },
        )
        assert r.status_code == 201, r.text
        case = r.json()["id"]
        r = await c.post(
            url(3, "/v1/incidents"),
            headers=auth("operator"),
            json={
                "title": f"演示：河道油污 {case}",
                "occurred_at": datetime.now(UTC).isoformat(),
                "grade": "IV",
                "media": ["water"],
            },
        )
        assert r.status_code == 201, r.text
        incident = r.json()["id"]
    # Not yet assigned: the overdue notice goes to the bureau-wide chain's head (the duty lead);
    # the incident to the emergency office (the duty officers).
    (overdue, overdue_s), (alarm, alarm_s) = await asyncio.gather(
        inbox_item("duty-lead", case, C + "DeadlineOverdue"),
        inbox_item("duty-01", incident, R + "IncidentRegistered"),
    )
    assert overdue["priority"] == "high" and alarm["priority"] == "critical"
    print(f"inbox delivery after {overdue_s:.1f} s (overdue case), {alarm_s:.1f} s (incident)")

    mail_dir = PROFILE.dir / "mail"
    deadline = time.monotonic() + 30
    mails: list = []  # type: ignore[type-arg]
    while not mails and time.monotonic() < deadline:
        mails = [
            message_from_bytes(p.read_bytes(), policy=policy.default)
            for p in sorted(mail_dir.glob("*.eml"))
        ]
        mails = [m for m in mails if case in m.get_content()]
        await asyncio.sleep(0.2)
    assert mails, f"no e-mail about {case} in {mail_dir}"
    assert mails[0]["To"] == "duty-lead@nanchuan-demo.example"
    assert "超期" in mails[0]["Subject"]


def test_seeding_again_changes_nothing(bureau):  # type: ignore[no-untyped-def]
    seed = [sys.executable, str(ROOT / "deploy" / "local" / "seed.py"), "--base", str(BASE)]
    out = subprocess.run([*seed, "--json"], check=True, capture_output=True, text=True, timeout=120)
    counts = json.loads(out.stdout)
    assert counts["units"] == {"created": 0, "changed": 0, "total": BUREAU_UNITS}
    assert counts["directory"]["created"] == 0 and counts["risk"]["graded"] == 0
