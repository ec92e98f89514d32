#!/usr/bin/env python3
"""Start and stop the four qingshan services and the console as local processes (used by
`make run`/`make stop`).

    python3 deploy/local/services.py [--profile dev] up|down|status

Each service runs from the project's virtualenv with its HTTP and gRPC ports, pointed at the
profile's Kafka and FerretDB; the console listens on the profile's HTTP base port (8000 for
dev) and calls the four services. `up` waits until every /readyz answers 200.
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
}
PYTHON = stack.ROOT / ".venv" / "bin" / "python"
CONSOLE = "console"  # no gRPC, no store: the pages, calling the services' HTTP APIs
PROCESSES = [*SERVICES, CONSOLE]


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
            "QINGSHAN_CONSOLE_ENVIRONMENT": "development" if profile.name == "dev" else "test",
            **{
                f"QINGSHAN_CONSOLE_{name.upper()}_URL": f"http://127.0.0.1:{port}"
                for name in SERVICES
                for port in [ports(profile, name)[0]]
            },
        }
    )
    return env


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
    return env


def ready(port: int) -> tuple[bool, str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as resp:
            return resp.status == 200, resp.read().decode()
    except urllib.error.HTTPError as exc:
        return False, exc.read().decode()
    except OSError as exc:
        return False, str(exc)


def up(profile: stack.Profile, timeout: float = 90) -> None:
    for name in PROCESSES:
        if stack._running(profile, name):
            continue
        env = console_env(profile) if name == CONSOLE else service_env(profile, name)
        stack._spawn(profile, name, [str(PYTHON), "-m", name], cwd=stack.ROOT, env=env)
    deadline = time.monotonic() + timeout
    pending = dict.fromkeys(PROCESSES, "")
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
    for name in reversed(PROCESSES):
        stack.stop(profile, name)


def describe(profile: stack.Profile) -> str:
    lines = ["qingshan is running:"]
    lines.append(
        f"  console    http://127.0.0.1:{ports(profile, CONSOLE)[0]}  (sign in as a demo person)"
    )
    for name in SERVICES:
        http, grpc = ports(profile, name)
        lines.append(
            f"  {name:<10} http://127.0.0.1:{http}  (API docs http://127.0.0.1:{http}/docs)"
            f"  gRPC 127.0.0.1:{grpc}"
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
        for name in PROCESSES:
            ok, body = ready(ports(profile, name)[0])
            print(f"{name:<10} {'ready' if ok else 'not ready'} {body}")


if __name__ == "__main__":
    main()
