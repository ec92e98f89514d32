"""The fault suite (`make faults`, faults/run.py) as part of `make test`: under a steady intake
load it kills the broker (once more with the readiness probes polled) and two services with
SIGKILL, has complaints die between a case's write and its schedule's, and stops the store,
then counts. It runs
as its own process on its own stack (profile `faults`), as `make faults` does; this test reads
the counts it wrote and holds them to the rules: nothing accepted lost, nothing published or
delivered twice, every outage answer a 503 with Retry-After."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from qingshan_core.testing.pytest_plugin import ROOT

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

RESULT = ROOT / ".run" / "faults" / "faults-result.json"


@pytest.mark.timeout(1200)
def test_fault_suite_loses_nothing_and_repeats_nothing():
    RESULT.unlink(missing_ok=True)
    run = subprocess.run(
        [sys.executable, "-m", "faults.run", "--rate", "8", "--lead", "8", "--tail", "8"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1100,
    )
    report = run.stdout[-6000:] + run.stderr[-3000:]
    assert RESULT.exists(), report
    result = json.loads(RESULT.read_text())
    rows = {r["phase"]: r for r in result["rows"]}
    assert result["problems"] == [], report
    assert run.returncode == 0, report

    # The faults happened and the load went on through them.
    probes, killed = "broker down with probes", "killed between case and schedule write"
    phases = ("steady", "kafka", probes, "notify", "complaints", killed, "store", "settle")
    assert set(rows) >= {*phases, "city-down", "city-slow"}
    assert all(rows[p]["accepted"] > 0 for p in phases[:-2])
    # Readiness is the store's alone: through a broker outage, probed as a kubelet would,
    # every probe answered 200 and every intake request was accepted.
    assert rows[probes]["probes"] > 0 and rows[probes]["probes_not_ready"] == 0
    assert rows[probes]["accepted"] == rows[probes]["sent"] > 0
    # A crash between a case's write and its schedule's lost no alert (the repair scan).
    assert rows[killed]["alerts_due"] > 0 and rows[killed]["alerts_missing"] == 0
    assert rows["store"]["s503"] > 0, "the store outage produced no 503 at all"
    total = {k: sum(r[k] for r in rows.values()) for k in rows["steady"] if k != "phase"}
    # Everything accepted is stored and published, once; every message due arrived, once.
    assert total["accepted"] == total["stored"] == total["published"] > 0, total
    assert total["lost"] == total["event_dups"] == total["note_dups"] == 0, total
    assert total["expected_notes"] > 0 and total["delivered"] >= total["expected_notes"], total
    assert total["notes_missing"] == total["other_5xx"] == total["s503_no_retry_after"] == 0
    assert total["alerts_due"] > 0 and total["alerts_missing"] == 0, total
    # The city platform down, then slow: the district's steps went on, and every one of them
    # reached the city once, in order per case.
    assert rows["city-down"]["steps"] > 0 and rows["city-slow"]["steps"] > 0
    assert total["steps_lost"] == total["steps_twice"] == total["steps_disorder"] == 0, total
