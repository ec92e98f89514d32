#!/usr/bin/env python3
"""Start and stop the four qingshan services as local processes (used by `make run`/`make stop`).

    python3 deploy/local/services.py [--profile dev] up|down|status

Each service runs from the project's virtualenv with its HTTP and gRPC ports, pointed at the
profile's Kafka and FerretDB; `up` waits until every /readyz answers 200. In the `dev` profile
the city 12345 platform simulator (deploy/local/city12345) runs beside them on port 8090 and
complaints sends the district's steps on its orders there.
"""

from __future__ import annotations

import argparse
import json
import os
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
SIMULATOR = stack.ROOT / "deploy" / "local" / "city12345" / "simulator.py"
CITY = "city12345"
CITY_PORT_OFFSET = 90  # dev: 8090


def ports(profile: stack.Profile, name: str) -> tuple[int, int]:
    """(HTTP, gRPC) port of a service in a profile: complaints 1, projects 2, risk 3, notify 4."""
    index = list(SERVICES).index(name) + 1
    http_base, grpc_base = BASES[profile.name]
    return http_base + index, grpc_base + index


def service_env(profile: stack.Profile, name: str) -> dict[str, str]:
    http, grpc = ports(profile, name)
    prefix = f"QINGSHAN_{name.upper()}_"
    env = dict(os.environ)
    env.update(
        {
            prefix + "HTTP_PORT": str(http),
            prefix + "GRPC_PORT": str(grpc),
            prefix + "MONGO_URI": profile.mongo_uri,
            prefix + "KAFKA_BOOTSTRAP": profile.bootstrap,
            prefix + "ENVIRONMENT": "development" if profile.name == "dev" else "test",
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


def ready(port: int) -> tuple[bool, str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as resp:
            return resp.status == 200, resp.read().decode()
    except urllib.error.HTTPError as exc:
        return False, exc.read().decode()
    except OSError as exc:
        return False, str(exc)


def up(profile: stack.Profile, timeout: float = 90) -> None:
    start_city(profile)
    for name in SERVICES:
        if stack._running(profile, name):
            continue
        stack._spawn(
            profile, name, [str(PYTHON), "-m", name], cwd=stack.ROOT, env=service_env(profile, name)
        )
    deadline = time.monotonic() + timeout
    pending = dict.fromkeys(SERVICES, "")
    while pending:
        for name in list(pending):
            ok, body = ready(ports(profile, name)[0])
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
    for name in SERVICES:
        stack.stop(profile, name)
    stack.stop(profile, CITY)


def describe(profile: stack.Profile) -> str:
    lines = ["qingshan is running:"]
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
    lines.append(f"  logs       {profile.dir / 'logs'}")
    lines.append("  a token:   make token ROLE=operator    stop: make stop")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--profile", choices=sorted(stack.PROFILES), default="dev")
    ap.add_argument("command", choices=["up", "down", "status"])
    args = ap.parse_args()
    profile = stack.PROFILES[args.profile]
    if args.command == "up":
        up(profile)
        print(describe(profile))
    elif args.command == "down":
        down(profile)
    else:
        for name in SERVICES:
            ok, body = ready(ports(profile, name)[0])
            print(f"{name:<10} {'ready' if ok else 'not ready'} {body}")


if __name__ == "__main__":
    main()
