"""Risk counts working days too: a deadline in a year without holiday data raises the
stale-calendar alert once (issue 19), as complaints does."""

from __future__ import annotations

from datetime import datetime

import pytest

from qingshan_core.workdays import SHANGHAI

pytestmark = pytest.mark.integration


async def test_a_plan_filing_deadline_in_2027_raises_the_alert_once(service):
    service.deps.clock = lambda: datetime(2026, 12, 20, 10, tzinfo=SHANGHAI)
    source = await service.register()
    headers = service.auth("supervisor")
    for _ in range(2):
        r = await service.client.post(
            "/v1/emergency-plans",
            json={
                "credit_code": source["credit_code"],
                "title": "突发环境事件应急预案",
                "signed_at": "2026-12-18T10:00:00+08:00",  # 20 working days: into January 2027
            },
            headers=headers,
        )
        assert r.status_code == 201, r.text
    assert r.json()["file_by"].startswith("2027-01")
    await service.sweep()
    alerts = await service.watch.events("calendar/2027", "WorkCalendarStale", grace=1)
    assert len(alerts) == 1 and alerts[0][1].decode().year == 2027
    doc = await service.deps.ops_alerts.outbox.collection.find_one({"_id": "calendar/2027"})
    assert doc is not None and doc["type"] == "risk.calendar.stale"
