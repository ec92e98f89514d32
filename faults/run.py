"""`make faults`: the fault suite. Under a steady intake load (complaints over HTTP at a fixed
rate, every tenth back-dated so the deadline sweeper raises DeadlineOverdue, and an incident
every twentieth), one fault after another:

  kafka       kill -9 the broker, 10 s down, restart it
  broker down with probes
              kill -9 the broker for 10 s and poll every service's /readyz each second, as a
              kubelet would: every probe must answer 200 and every intake request 201
  notify      kill -9 notify while it handles events and sends, restart it
  complaints  kill -9 complaints while it takes in complaints, restart it
  killed between case and schedule write
              complaints dies (its test-only crash point) right after storing a back-dated
              case, before the case's schedule entry; restarted, its repair scan must find
              the case so that its DeadlineOverdue is raised all the same
  store       stop FerretDB for 15 s, keep sending, start it (the services are not restarted)
  city-down   the city 12345 platform (simulator) down for 12 s: its connections refused
  city-slow   the city platform answers after 3 s (past complaints' 2 s timeout) for 12 s,
              with a few 503s (Retry-After) and dropped answers

Beside the intake load, the city platform dispatches an order a second and the district works
every open one through 签收, 回复 and 办结; each step must reach the city once, in order
(columns "city steps", "steps lost", "steps twice", "out of order").

Then a client that honours Retry-After resubmits whatever was refused or unanswered (same order
number / idempotency key), and the suite waits until everything accepted is published and every
message the default rules call for has arrived at the receiver (SMS gateway + WeCom robot).

Counts per fault: sent, accepted (200/201), 503 (and 503 without Retry-After), other 5xx, no
answer (connection refused or reset while a service was down), stored, published (creation
event in the topic, read from offset 0), dup events (one outbox entry published twice, by
CloudEvents id), lost (accepted but not stored or not published), messages due / delivered /
twice (a person would get it twice) / missing, SMS resent under the same Idempotency-Key
(a crash between the gateway's answer and notify's record of it: the gateway drops the repeat;
`--strict` fails on these too), readiness probes not 200, and back-dated cases whose
DeadlineOverdue never came. Exit 1 when anything accepted is lost, an event is published
twice, a message is delivered twice or never, an outage answers other than 503 with
Retry-After, a probe is not 200 or intake refused while only the broker is down, or a
back-dated case is never alerted. Details of any failure: .run/faults/faults-result.json.
`--faults kafka,store` (or `--only`) runs just those faults (between steady and settle).

Own stack (profile `faults` of deploy/local/stack.py and services.py, ports from there;
QINGSHAN_FAULTS_PROFILE picks another), stopped at the end whatever happens. Only 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import subprocess
import sys
import time
import uuid

import httpx

from faults.city import (
    UNIT,
    CityLoad,
    count,
    load_simulator,
    platform_down,
    platform_retries,
    platform_slow,
)
from faults.harness import Load, Phase, Receiver, TopicReader, complaint_body
from faults.report import build, evidence, expected_notifications, failures, hit_key, table
from faults.stackctl import (
    BOOTSTRAP,
    CITY_PORT,
    DUTY,
    HTTP,
    MONGO,
    RECEIVER_PORT,
    RUN,
    SERVICES,
    STACK,
    configure_notify,
    crash_ref,
    fault_crash_between_writes,
    fault_kafka,
    fault_kafka_with_probes,
    fault_service,
    fault_store,
    log,
    service_env,
    sh,
    stored_ids,
)
from qingshan_core.auth import TokenCodec
from qingshan_core.settings import DEV_JWT_SECRET

TOPICS = ["qingshan.complaints.v1", "qingshan.risk.v1"]
PROBES = "broker down with probes"
KILLED = "killed between case and schedule write"
PHASES = [
    "steady",
    "kafka",
    PROBES,
    "notify",
    "complaints",
    KILLED,
    "store",
    "city-down",
    "city-slow",
    "settle",
]


async def retry_refused(load: Load, budget: float) -> None:
    """A client that honours Retry-After: resubmit (same order number or idempotency key)
    everything answered 503 or not at all, until accepted; retries count in phase `settle`."""
    todo = {s.ref for s in load.sent if s.status in (0, 503)}
    todo -= {s.ref for s in load.sent if s.status in (200, 201)}
    deadline = time.monotonic() + budget
    gate = asyncio.Semaphore(16)
    left: set[str] = set()

    async def one(c: httpx.AsyncClient, ref: str) -> None:
        async with gate:
            while time.monotonic() < deadline:
                s = await load.post(c, "retry", ref, load.bodies[ref])
                if s.status in (200, 201):
                    return
                await asyncio.sleep(min(5.0, float(s.retry_after or 2)))
            left.add(ref)

    async with httpx.AsyncClient(timeout=30, headers=load.headers) as c:
        await asyncio.gather(*(one(c, ref) for ref in sorted(todo)))
    log(f"resubmitted {len(todo)} refused or unanswered requests; {len(left)} never accepted")


async def settle(
    load: Load, reader: TopicReader, receiver: Receiver, city: CityLoad, budget: float
) -> None:
    """Wait (bounded) until every accepted entity's creation event is in its topic, every
    message the rules call for has reached the receiver and every district step the city
    platform; then a little longer for late repeats."""
    deadline = time.monotonic() + budget
    backdated = {s.ref for s in load.sent if s.backdated}
    while time.monotonic() < deadline:
        steps_due = (await count(city)).pending()
        accepted = [s for s in load.sent if s.status in (200, 201)]
        phase_of = {s.entity_id: s.phase for s in accepted}
        unpublished = set(phase_of) - set(reader.by_subject)
        overdue = {r.subject for r in reader.records if r.type == "DeadlineOverdue"}
        unalerted = {s.entity_id for s in accepted if s.ref in backdated} - overdue
        expected = expected_notifications(list(reader.records), phase_of, DUTY)
        got = {hit_key(h) for h in receiver.hits}
        undelivered = set(expected) - got
        if not unpublished and not undelivered and not unalerted and not steps_due:
            log(
                f"settled: everything published, {len(expected)} expected messages received, "
                "every district step taken by the city platform"
            )
            await asyncio.sleep(10)
            return
        await asyncio.sleep(2)
    log(
        f"settle budget spent: {len(unpublished)} unpublished, {len(undelivered)} undelivered, "
        f"{len(unalerted)} back-dated cases without DeadlineOverdue, "
        f"{steps_due} district steps not at the city platform"
    )


async def run_phases(
    args: argparse.Namespace, load: Load, city: CityLoad, env: dict[str, str]
) -> dict[str, tuple[int, int]]:
    """Each fault in turn under the running load: `lead` s of load, the fault, `tail` s more.
    Returns the readiness probes (count, not 200) per phase that probed."""

    async def intake() -> int:
        async with httpx.AsyncClient(timeout=30, headers=load.headers) as c:
            ref = f"F{load.run_id}PROBE"
            return (await load.post(c, "complaint", ref, complaint_body(ref, 0, False))).status

    async def armed_order() -> int:
        async with httpx.AsyncClient(timeout=30, headers=load.headers) as c:
            ref = crash_ref(load.run_id)
            body = load.bodies.get(ref) or complaint_body(ref, 0, True)
            return (await load.post(c, "complaint", ref, body, backdated=True)).status

    probes: dict[str, tuple[int, int]] = {}

    async def with_probes() -> None:
        probes[PROBES] = await fault_kafka_with_probes()

    faults = {
        "kafka": fault_kafka,
        PROBES: with_probes,
        "notify": lambda: fault_service("notify", env),
        "complaints": lambda: fault_service("complaints", env),
        KILLED: lambda: fault_crash_between_writes(armed_order, env),
        "store": lambda: fault_store(intake),
        "city-down": lambda: platform_down(city.sim),
        "city-slow": lambda: platform_slow(city.sim),
    }
    load_task = asyncio.create_task(load.run())
    city_task = asyncio.create_task(city.run())
    try:
        for phase in phases(args)[:-1]:
            Phase.name = phase
            log(f"phase {phase}: load at {args.rate:g} complaints/s")
            await asyncio.sleep(args.lead)
            if phase in faults:
                await faults[phase]()
            await asyncio.sleep(args.tail)
    finally:
        load.stop()
        city.stop()
        await load_task
        await city_task
    return probes


def phases(args: argparse.Namespace) -> list[str]:
    """steady, the chosen faults (all by default) in their order, settle."""
    chosen = set(args.faults.split(",")) if args.faults else set(PHASES)
    return [p for p in PHASES if p in chosen or p in ("steady", "settle")]


async def suite(args: argparse.Namespace) -> int:
    main_task = asyncio.current_task()
    assert main_task is not None
    # Terminated (a cancelled CI job): unwind like Ctrl-C, so the stack is stopped all the same.
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, main_task.cancel)
    receiver_url = f"http://127.0.0.1:{RECEIVER_PORT}"
    run_id = uuid.uuid4().hex[:6].upper()
    env = service_env(receiver_url, run_id)
    receiver = Receiver(RECEIVER_PORT)
    reader = TopicReader(BOOTSTRAP, TOPICS)
    await receiver.start()
    codec = TokenCodec(os.environ.get("QINGSHAN_JWT_SECRET", DEV_JWT_SECRET))
    complaints_url = f"http://127.0.0.1:{HTTP['complaints']}"
    sim = load_simulator().Simulator(
        complaints_url, lambda: codec.issue("faults-city", "integration")
    )
    await sim.start(CITY_PORT)
    try:
        log(f"starting the faults stack (Kafka {BOOTSTRAP}, FerretDB {MONGO}) and the services")
        await sh([*STACK, "wipe"])
        await sh([*STACK, "up", "--no-keycloak"])  # development tokens only
        await sh([*SERVICES, "up"], env=env)
        await configure_notify(codec.issue("faults-admin", "admin"), receiver_url)
        await reader.start()
        load = Load(
            f"http://127.0.0.1:{HTTP['complaints']}",
            f"http://127.0.0.1:{HTTP['risk']}",
            codec.issue("faults-intake", "integration"),
            run_id,
            rate=args.rate,
        )
        city = CityLoad(
            sim,
            complaints_url,
            {
                "operator": {"Authorization": f"Bearer {codec.issue('faults-op', 'operator')}"},
                "handler": {
                    "Authorization": f"Bearer {codec.issue('faults-h', 'unit_handler', UNIT)}"
                },
                "supervisor": {"Authorization": f"Bearer {codec.issue('faults-s', 'supervisor')}"},
                "admin": {"Authorization": f"Bearer {codec.issue('faults-admin', 'admin')}"},
            },
        )
        started = time.monotonic()
        probes = await run_phases(args, load, city, env)
        Phase.name = "settle"
        log("load stopped; resubmitting what was refused, then waiting for everything to settle")
        await retry_refused(load, 90)
        await settle(load, reader, receiver, city, 120)
        elapsed = time.monotonic() - started
        steps = await count(city)
        retries = await platform_retries(complaints_url)
        log(
            f"city platform: {len(sim.requests)} step requests reached it for "
            f"{len(sim.book.keys)} steps taken (repeats answered as done); complaints retried "
            f"{retries:g} times while it was down, slow or busy"
        )
    finally:
        await reader.stop()
        await receiver.stop()
        await sim.stop()
    rows = build(phases(args), load.sent, await stored_ids(), reader.records, receiver.hits, DUTY)
    for r in rows:
        r.probes, r.probes_not_ready = probes.get(r.phase, (0, 0))
        r.steps, r.steps_lost = steps.steps[r.phase], steps.lost[r.phase]
        r.steps_twice, r.steps_disorder = steps.twice[r.phase], steps.disorder[r.phase]
    print(f"\n{table(rows)}\n\nload, faults and settling took {elapsed:.0f} s")
    outage = [x.took for x in load.sent if x.status == 503]
    if outage:
        print(f"store outage: {len(outage)} answers 503, the slowest after {max(outage):.1f} s")
    problems = failures(rows, strict=args.strict, broker_only={PROBES})
    details = {
        "rows": [{k: v for k, v in vars(r).items() if k != "lost_ids"} for r in rows],
        **evidence(load, reader, receiver, problems),
        "district_steps_never_taken_by_the_city": steps.lost_keys[:50],
    }
    (RUN / "faults-result.json").write_text(json.dumps(details, indent=1, ensure_ascii=False))
    for p in problems:
        log(f"FAIL {p}")
    log("PASS" if not problems else f"{len(problems)} problem(s); see {RUN / 'faults-result.json'}")
    return 1 if problems else 0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--rate", type=float, default=10.0, help="complaints per second")
    ap.add_argument("--lead", type=float, default=10.0, help="load before each fault (s)")
    ap.add_argument("--tail", type=float, default=10.0, help="load after each recovery (s)")
    ap.add_argument("--keep", action="store_true", help="leave the stack running at the end")
    ap.add_argument(
        "--faults",
        "--only",
        dest="faults",
        default="",
        help="only these faults, comma separated, run in their order (default all): "
        + ",".join(PHASES[1:-1]),
    )
    ap.add_argument(
        "--strict",
        action="store_true",
        help="also fail on an SMS re-sent under the same Idempotency-Key (a crash between the "
        "gateway's answer and notify's record of it)",
    )
    args = ap.parse_args()
    if unknown := {p for p in args.faults.split(",") if p} - set(PHASES[1:-1]):
        ap.error(f"--faults: no such fault {sorted(unknown)}")
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)  # the broker is down on purpose
    # Ctrl-C even when started in the background (SIGINT ignored); SIGTERM: see suite().
    signal.signal(signal.SIGINT, signal.default_int_handler)
    started = time.monotonic()
    status = 1
    try:
        status = asyncio.run(suite(args))
    except (KeyboardInterrupt, asyncio.CancelledError):
        log("interrupted")
        status = 130
    finally:
        if not args.keep:
            subprocess.run([*SERVICES, "down"], check=False, stdout=subprocess.DEVNULL)
            subprocess.run([*STACK, "down"], check=False, stdout=subprocess.DEVNULL)
        log(f"total {time.monotonic() - started:.0f} s; logs in {RUN / 'logs'}")
    sys.exit(status)


if __name__ == "__main__":
    main()
