#!/usr/bin/env python3
"""Start and stop the four qingshan services and the console as local processes (used by
`make run`/`make stop`).

    python3 deploy/local/services.py [--profile dev] [--demo | --no-demo] up|down|status

Each service runs from the project's virtualenv with its HTTP and gRPC ports, pointed at the
profile's Kafka and FerretDB; the console listens on the profile's HTTP base port (8000 for
dev) and calls the four services. `up` waits until every /readyz answers 200 and reports the
broker reachable (readiness itself depends on the store only).

The development profile (and only it, unless `--demo` asks for it, as the demo's e2e test
does) also gets a working bureau: an e-mail sink (deploy/local/mailsink.py) that notify sends
to, and the demonstration data (deploy/local/bureau.py) seeded through the services' APIs
(deploy/local/seed.py). Whether a profile is development decides it: the services run with
QINGSHAN_<SERVICE>_ENVIRONMENT=development there and `test` everywhere else.

In the `dev` profile the city 12345 platform simulator (deploy/local/city12345) runs beside
them on port 8090 and complaints sends the district's steps on its orders there.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import stack  # sibling script, imported after the path is set

SERVICES = {
    "complaints": (8001, 50051),
    "projects": (8002, 50052),
    "risk": (8003, 50053),
    "notify": (8004, 50054),
}
# Other profiles use other ports so a test or bench run never collides with `make run`. Apart
# from the dev defaults (fixed by the design), they stay below 32768: Linux hands out ports from
# 32768 up to outgoing connections, and a server port there can be taken by any client.
BASES = {
    "dev": (8000, 50050),
    "test": (18000, 18050),
    "ci": (21000, 21050),
    "faults": (24000, 24050),
    "bench": (28000, 28050),
    **{f"p{i}": (10000 + 1000 * i, 10050 + 1000 * i) for i in range(1, 8)},
    "p8": (9000, 9050),
}
PYTHON = stack.ROOT / ".venv" / "bin" / "python"
HERE = Path(__file__).resolve().parent
MAILSINK = "mailsink"
MAIL_PORT_OFFSET = 25  # the sink listens on the profile's HTTP base + 25 (8025 for dev)


def environment(profile: stack.Profile) -> str:
    return "development" if profile.name == "dev" else "test"


def mail_port(profile: stack.Profile) -> int:
    return BASES[profile.name][0] + MAIL_PORT_OFFSET


def mail_dir(profile: stack.Profile) -> Path:
    return profile.dir / "mail"


def demo_env(profile: stack.Profile) -> dict[str, str]:
    """What the demo bureau needs beyond the defaults: e-mail to the sink, and a deadline
    sweeper and dispatcher quick enough that a notice arrives within seconds."""
    return {
        "QINGSHAN_NOTIFY_SMTP_HOST": "127.0.0.1",
        "QINGSHAN_NOTIFY_SMTP_PORT": str(mail_port(profile)),
        "QINGSHAN_NOTIFY_SMTP_SECURITY": "none",
        "QINGSHAN_NOTIFY_SMTP_FROM": "qingshan-notify@nanchuan-demo.example",
        "QINGSHAN_COMPLAINTS_SWEEP_SECONDS": "5",
    }


CONSOLE = "console"  # no gRPC, no store: the pages, calling the services' HTTP APIs
PROCESSES = [*SERVICES, CONSOLE]
SIMULATOR = HERE / "city12345" / "simulator.py"
CITY = "city12345"
CITY_PORT_OFFSET = 90  # dev: 8090


def ports(profile: stack.Profile, name: str) -> tuple[int, int]:
    """(HTTP, gRPC) port of a service in a profile: complaints 1, projects 2, risk 3, notify 4;
    the console is the HTTP base port itself (and has no gRPC port: 0)."""
    http_base, grpc_base = BASES[profile.name]
    if name == CONSOLE:
        return http_base, 0
    index = list(SERVICES).index(name) + 1
    return http_base + index, grpc_base + index


def console_env(profile: stack.Profile) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "QINGSHAN_CONSOLE_HTTP_PORT": str(ports(profile, CONSOLE)[0]),
            "QINGSHAN_CONSOLE_ENVIRONMENT": environment(profile),
            "QINGSHAN_CONSOLE_OIDC_ISSUER": profile.issuer,  # sign-in at the profile's Keycloak
            **{
                f"QINGSHAN_CONSOLE_{name.upper()}_URL": f"http://127.0.0.1:{port}"
                for name in SERVICES
                for port in [ports(profile, name)[0]]
            },
        }
    )
    return env


def service_env(profile: stack.Profile, name: str, demo: bool = False) -> dict[str, str]:
    http, grpc = ports(profile, name)
    prefix = f"QINGSHAN_{name.upper()}_"
    env = dict(os.environ)
    if demo:
        env.update({k: v for k, v in demo_env(profile).items() if k.startswith(prefix)})
    env.update(
        {
            prefix + "HTTP_PORT": str(http),
            prefix + "GRPC_PORT": str(grpc),
            prefix + "MONGO_URI": profile.mongo_uri,
            prefix + "KAFKA_BOOTSTRAP": profile.bootstrap,
            prefix + "ENVIRONMENT": environment(profile),
            prefix + "OIDC_ISSUER": profile.issuer,  # the profile's Keycloak
        }
    )
    if name == "complaints" and profile.name == "dev":
        city = f"http://127.0.0.1:{city_port(profile)}"
        env.setdefault(prefix + "PLATFORMS", json.dumps({"12345": {"base_url": city}}))
    return env


def city_port(profile: stack.Profile) -> int:
    return BASES[profile.name][0] + CITY_PORT_OFFSET


def start_city(profile: stack.Profile) -> None:
    """The city 12345 platform simulator (dev only), dispatching to this profile's complaints."""
    if profile.name != "dev" or stack._running(profile, CITY):
        return
    complaints = f"http://127.0.0.1:{ports(profile, 'complaints')[0]}"
    argv = [str(PYTHON), str(SIMULATOR), "--port", str(city_port(profile)), "--complaints"]
    stack._spawn(profile, CITY, [*argv, complaints, "--mint-token"], cwd=stack.ROOT)


def ready(port: int, broker: bool = True) -> tuple[bool, str]:
    """Ready (/readyz 200) with the broker reachable: everything is up, not just intake. The
    console (``broker=False``) has no broker of its own: its 200 is enough."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as resp:
            body = resp.read().decode()
            state = json.loads(body).get("broker") or {}
            return resp.status == 200 and (not broker or state.get("reachable") is True), body
    except urllib.error.HTTPError as exc:
        return False, exc.read().decode()
    except OSError as exc:
        return False, str(exc)


def start_mailsink(profile: stack.Profile) -> None:
    if stack._running(profile, MAILSINK):
        return
    argv = [str(PYTHON), str(HERE / "mailsink.py"), "--port", str(mail_port(profile))]
    stack._spawn(profile, MAILSINK, [*argv, "--dir", str(mail_dir(profile))], cwd=stack.ROOT)
    deadline = time.monotonic() + 15
    while not stack._port_open(mail_port(profile)):
        if not stack._running(profile, MAILSINK) or time.monotonic() > deadline:
            log = stack._tail(profile.dir / "logs" / f"{MAILSINK}.out")
            raise SystemExit(f"the mail sink did not start:\n{log}")
        time.sleep(0.1)


def seed(profile: stack.Profile) -> str:
    """Seed the demo bureau through the APIs; returns the summary line."""
    argv = [str(PYTHON), str(HERE / "seed.py"), "--base", str(BASES[profile.name][0])]
    done = subprocess.run(argv, cwd=stack.ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"seeding the demo bureau failed:\n{done.stdout}{done.stderr}")
    return done.stdout.rstrip()


def up(profile: stack.Profile, timeout: float = 90, demo: bool = False) -> None:
    start_city(profile)
    if demo:
        start_mailsink(profile)
    for name in PROCESSES:
        if stack._running(profile, name):
            continue
        env = console_env(profile) if name == CONSOLE else service_env(profile, name, demo)
        stack._spawn(profile, name, [str(PYTHON), "-m", name], cwd=stack.ROOT, env=env)
    deadline = time.monotonic() + timeout
    pending = dict.fromkeys(PROCESSES, "")
    while pending:
        for name in list(pending):
            ok, body = ready(ports(profile, name)[0], broker=name != CONSOLE)
            if ok:
                del pending[name]
            elif not stack._running(profile, name):
                log = stack._tail(profile.dir / "logs" / f"{name}.out")
                raise SystemExit(f"{name} exited during start-up:\n{log}")
            else:
                pending[name] = body
        if pending and time.monotonic() > deadline:
            raise SystemExit(f"not ready after {timeout}s: {json.dumps(pending)}")
        time.sleep(0.3)


def down(profile: stack.Profile) -> None:
    for name in [*reversed(PROCESSES), MAILSINK]:
        stack.stop(profile, name)
    stack.stop(profile, CITY)


def describe(profile: stack.Profile, seeded: str = "") -> str:
    lines = ["qingshan is running:"]
    lines.append(
        f"  console    http://127.0.0.1:{ports(profile, CONSOLE)[0]}  (sign in as a demo user)"
    )
    for name in SERVICES:
        http, grpc = ports(profile, name)
        lines.append(
            f"  {name:<10} http://127.0.0.1:{http}  (API docs http://127.0.0.1:{http}/docs)"
            f"  gRPC 127.0.0.1:{grpc}"
        )
    if profile.name == "dev":
        lines.append(
            f"  city12345  http://127.0.0.1:{city_port(profile)}/_sim/orders  (the platform "
            "simulator: POST an order to dispatch it)"
        )
    lines.append(f"  Kafka      {profile.bootstrap}    FerretDB {profile.mongo_uri}")
    lines.append(stack.idp.describe(profile.keycloak_port))
    lines.append(f"  logs       {profile.dir / 'logs'}")
    lines.append("  a token:   make token ROLE=operator (UNIT=town-01)    stop: make stop")
    if seeded:
        c, r, n = (
            f"http://127.0.0.1:{ports(profile, s)[0]}" for s in ("complaints", "risk", "notify")
        )
        lines += [
            "a working bureau (development data, deploy/local/bureau.py):",
            seeded,
            f"  units      {c}/v1/units   (make token ROLE=operator)",
            f"  risk map   {r}/v1/map.geojson",
            f"  inboxes    {n}/v1/inbox   with make token ROLE=supervisor SUB=duty-lead "
            "(or SUB=duty-01, town-01-head ...)",
            f"  gaps       {n}/v1/admin/unreachable   (ROLE=admin)",
            f"  e-mail     {mail_dir(profile)}/*.eml   "
            f"(SMTP sink on 127.0.0.1:{mail_port(profile)})",
        ]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--profile", choices=sorted(stack.PROFILES), default="dev")
    ap.add_argument(
        "--demo",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="the demo bureau and mail sink (default: only for the development profile)",
    )
    ap.add_argument("command", choices=["up", "down", "status"])
    args = ap.parse_args()
    profile = stack.PROFILES[args.profile]
    if args.command == "up":
        demo = environment(profile) == "development" if args.demo is None else args.demo
        up(profile, demo=demo)
        print(describe(profile, seed(profile) if demo else ""))
    elif args.command == "down":
        down(profile)
    else:
        for name in PROCESSES:
            ok, body = ready(ports(profile, name)[0], broker=name != CONSOLE)
            print(f"{name:<10} {'ready' if ok else 'not ready'} {body}")


if __name__ == "__main__":
    main()
