"""The fault suite's hands on the `faults` stack: ports and paths from deploy/local (stack.py,
services.py), the services' environment, readiness, kill -9, the faults themselves, and the
notify set-up that routes messages to the receiver."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from types import ModuleType

import httpx

from qingshan_core.mongo import create_client

ROOT = Path(__file__).resolve().parent.parent
LOCAL = ROOT / "deploy" / "local"
# Its own stack profile; another profile of deploy/local (QINGSHAN_FAULTS_PROFILE=p8, p5, ...)
# keeps a short run off a checkout's own ports.
PROFILE = os.environ.get("QINGSHAN_FAULTS_PROFILE", "faults")
STACK = [sys.executable, str(LOCAL / "stack.py"), "--profile", PROFILE]
SERVICES = [sys.executable, str(LOCAL / "services.py"), "--profile", PROFILE]
DUTY = "faults-duty"


def _local_script(name: str) -> ModuleType:
    """deploy/local/<name>.py (the scripts `make run` uses), for the profile's ports."""
    sys.path.insert(0, str(LOCAL))
    spec = importlib.util.spec_from_file_location(f"qingshan_local_{name}", LOCAL / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


_stack, _services = _local_script("stack"), _local_script("services")
_profile = _stack.PROFILES[PROFILE]
RUN: Path = _profile.dir
BOOTSTRAP: str = _profile.bootstrap
MONGO: str = _profile.mongo_uri
HTTP: dict[str, int] = {n: _services.ports(_profile, n)[0] for n in _services.SERVICES}
# The receiver and the city platform listen next to the profile's service ports (below the
# ephemeral range).
RECEIVER_PORT = HTTP["notify"] + 86
CITY_PORT = HTTP["notify"] + 87


def log(msg: str) -> None:
    print(f"[faults {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def crash_ref(run_id: str) -> str:
    """The order number whose intake complaints dies on, between the case and its schedule."""
    return f"F{run_id}KILL"


def service_env(receiver: str, run_id: str) -> dict[str, str]:
    """Short intervals, notify's channels pointed at the receiver, and complaints armed to
    die (SIGKILL, by itself) right after storing the case `crash_ref(run_id)`, before its
    schedule entry: the test environment's crash point (qingshan_core.crashpoints)."""
    env = dict(os.environ)
    env.update(
        {
            "QINGSHAN_COMPLAINTS_SWEEP_SECONDS": "2",
            "QINGSHAN_COMPLAINTS_SCHEDULE_REPAIR_SECONDS": "5",
            "QINGSHAN_COMPLAINTS_CRASH_AT": f"case-written:{crash_ref(run_id)}",
            "QINGSHAN_NOTIFY_SMS_GATEWAY_URL": f"{receiver}/sms",
            "QINGSHAN_NOTIFY_RATE_LIMITS": json.dumps(
                {"sms": 100000, "wecom": 100000, "dingtalk": 100000, "email": 100000}
            ),
            "QINGSHAN_NOTIFY_SEND_LEASE_SECONDS": "15",
            "QINGSHAN_NOTIFY_RETRY_BASE_SECONDS": "1",
            "QINGSHAN_NOTIFY_RETRY_CAP_SECONDS": "5",
            "QINGSHAN_NOTIFY_RETRY_MAX_ATTEMPTS": "10",
            # New deliveries go out at once (fast path); the poll only finds retries and
            # expired leases, and each poll scans the deliveries on FerretDB.
            "QINGSHAN_NOTIFY_DISPATCH_POLL_SECONDS": "5",
            "QINGSHAN_NOTIFY_JOBS_POLL_SECONDS": "30",
            # complaints sends the district's steps to the city platform simulator; a step
            # slower than 2 s counts as not answered (the "slow" fault), retries 0.5..3 s.
            "QINGSHAN_COMPLAINTS_PLATFORMS": json.dumps(
                {"12345": {"base_url": f"http://127.0.0.1:{CITY_PORT}", "timeout_seconds": 2}}
            ),
            "QINGSHAN_COMPLAINTS_PLATFORM_RETRY_BASE_SECONDS": "0.5",
            "QINGSHAN_COMPLAINTS_PLATFORM_RETRY_CAP_SECONDS": "3",
            "QINGSHAN_COMPLAINTS_PLATFORM_POLL_SECONDS": "1",
            "QINGSHAN_COMPLAINTS_PLATFORM_LEASE_SECONDS": "15",
            # The load is on purpose: no abuse limits (qingshan_core.ratelimit).
            **{
                f"QINGSHAN_{name}_HTTP_RATE_LIMIT_ENABLED": "false"
                for name in ("COMPLAINTS", "PROJECTS", "RISK", "NOTIFY")
            },
        }
    )
    return env


async def sh(cmd: list[str], env: dict[str, str] | None = None, timeout: float = 240) -> None:
    def go() -> None:
        subprocess.run(cmd, check=True, env=env, timeout=timeout, stdout=subprocess.DEVNULL)

    await asyncio.to_thread(go)


async def ready(names: list[str], timeout: float, broker: bool = True) -> float:
    """Seconds until every named service's /readyz answers 200 (with `broker`: and reports the
    broker reachable, which readiness itself does not wait for); raises after `timeout`."""
    start = time.monotonic()
    async with httpx.AsyncClient(timeout=5) as c:
        pending = set(names)
        while pending:
            for n in list(pending):
                try:
                    r = await c.get(f"http://127.0.0.1:{HTTP[n]}/readyz")
                    if r.status_code == 200 and (
                        not broker or r.json().get("broker", {}).get("reachable") is True
                    ):
                        pending.discard(n)
                except httpx.HTTPError:
                    pass
            if pending and time.monotonic() - start > timeout:
                raise RuntimeError(f"not ready after {timeout}s: {sorted(pending)}")
            if pending:
                await asyncio.sleep(0.5)
    return time.monotonic() - start


def _gone(pid: int) -> bool:
    """True once the process has exited (a zombie nobody reaped yet counts as exited)."""
    try:
        os.kill(pid, 0)
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] == "Z"
    except (ProcessLookupError, FileNotFoundError):
        return True


async def kill9(name: str) -> int:
    """SIGKILL the process in the profile's pid file and wait until it is gone. Nothing here
    reaps orphans at once, so its pid file goes too (stack.py would take a zombie for alive)."""
    pidfile = RUN / f"{name}.pid"
    pid = int(pidfile.read_text())
    os.kill(pid, signal.SIGKILL)
    for _ in range(100):
        if _gone(pid):
            break
        await asyncio.sleep(0.1)
    pidfile.unlink(missing_ok=True)
    return pid


async def configure_notify(token: str, receiver: str) -> None:
    """The duty officer (SMS, no quiet hours) in the emergency office, whose WeCom robot posts
    to the receiver; the same officer heads every unit (DeadlineOverdue goes to unit heads)."""
    base = f"http://127.0.0.1:{HTTP['notify']}/v1"
    h = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(timeout=10, headers=h) as c:
        r = await c.post(
            f"{base}/recipients",
            json={
                "id": DUTY,
                "name": "值班员",
                "phone": "13800000000",
                "quiet_hours": {"enabled": False},
            },
        )
        r.raise_for_status()
        g = (await c.get(f"{base}/groups/emergency-office")).json()
        g.update(members=[DUTY], wecom={"url": f"{receiver}/wecom/emergency-office"})
        g["quiet_hours"] = {"enabled": False}
        (await c.put(f"{base}/groups/emergency-office", json=g)).raise_for_status()
        r = await c.put(f"{base}/escalation-chains/*", json={"unit_heads": [DUTY]})
        r.raise_for_status()


async def fault_kafka() -> None:
    log(f"kill -9 kafka (pid {await kill9('kafka')}), broker down for 10 s")
    await asyncio.sleep(10)
    await sh([*STACK, "start-kafka"])
    log(f"kafka back; services ready again after {await ready(list(HTTP), 90):.1f} s")


async def fault_kafka_with_probes() -> tuple[int, int]:
    """kill -9 the broker for 10 s while polling every service's /readyz each second, as a
    kubelet's readiness probe would (the manifests probe every 10 s); returns (probes, probes
    that were not 200). Intake goes on meanwhile: the load keeps running."""
    log(f"kill -9 kafka (pid {await kill9('kafka')}), broker down for 10 s, probing /readyz")
    probes = not_ready = 0
    async with httpx.AsyncClient(timeout=5) as c:
        until = time.monotonic() + 10
        while time.monotonic() < until:
            for n in HTTP:
                probes += 1
                try:
                    r = await c.get(f"http://127.0.0.1:{HTTP[n]}/readyz")
                    not_ready += r.status_code != 200
                except httpx.HTTPError:
                    not_ready += 1
            await asyncio.sleep(1)
    await sh([*STACK, "start-kafka"])
    log(f"kafka back; {not_ready} of {probes} readiness probes were not 200 during the outage")
    log(f"services see the broker again after {await ready(list(HTTP), 90):.1f} s")
    return probes, not_ready


async def fault_crash_between_writes(
    post: Callable[[], Awaitable[int]], env: dict[str, str]
) -> None:
    """Post the armed order: complaints stores the case and dies before its schedule entry.
    Restart it and post the order again (answered with the stored case); the repair scan must
    schedule it so that its alerts are raised all the same."""
    pidfile = RUN / "complaints.pid"
    pid = int(pidfile.read_text())
    status = await post()
    for _ in range(100):
        if _gone(pid):
            break
        await asyncio.sleep(0.1)
    else:
        raise RuntimeError(f"complaints (pid {pid}) did not die at its crash point ({status})")
    pidfile.unlink(missing_ok=True)
    log(f"complaints died between the case's write and the schedule's (answer {status})")
    await asyncio.sleep(2)
    await sh([*SERVICES, "up"], env=env)
    status = await post()
    if status not in (200, 201):
        raise RuntimeError(f"the order posted again answered {status}, not 200")
    log("complaints restarted; the order posted again is the stored case")


async def fault_service(name: str, env: dict[str, str]) -> None:
    log(f"kill -9 {name} (pid {await kill9(name)}), restarting in 3 s")
    await asyncio.sleep(3)
    await sh([*SERVICES, "up"], env=env)
    log(f"{name} restarted and ready")


async def fault_store(intake: Callable[[], Awaitable[int]]) -> None:
    """Stop the store, start it again; the services must come back by themselves (same
    processes, /readyz 200) and take in a complaint again."""
    pids = {n: (RUN / f"{n}.pid").read_text() for n in HTTP}
    log("stopping the store (FerretDB) for 15 s")
    await sh([*STACK, "stop-ferretdb"])
    await asyncio.sleep(15)
    await sh([*STACK, "start-ferretdb"])
    took = await ready(list(HTTP), 90)
    restarted = [n for n in HTTP if (RUN / f"{n}.pid").read_text() != pids[n]]
    if restarted:
        raise RuntimeError(f"services restarted during the store outage: {restarted}")
    status = await intake()
    if status != 201:
        raise RuntimeError(f"intake after the store came back answered {status}, not 201")
    log(f"store back; every service ready again after {took:.1f} s (none restarted), intake 201")


async def stored_ids() -> set[str]:
    client = create_client(MONGO, "faults-check")
    try:
        out: set[str] = set()
        for db, coll in (("qingshan_complaints", "complaints"), ("qingshan_risk", "incidents")):
            out |= {d["_id"] async for d in client[db][coll].find({}, {"_id": 1})}
        return out
    finally:
        await client.close()
