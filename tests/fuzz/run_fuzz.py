"""`make fuzz`: schemathesis against every service's OpenAPI, in process, with valid tokens.

Each service runs in this process (its lifespan on schemathesis' ASGI event loop) against the
test Kafka and FerretDB, in a database of its own. For every operation, the roles allowed to call
it are found first (a probe per role: anything but 401/403 means allowed); then a fixed number
of positive and negative examples (fixed seed) are sent, rotating over those roles. Checks: no
5xx and no unhandled exception, documented status codes, documented content types, responses
that match their schema. A total time budget is shared out over the operations still to go.

Real records are created first (tests/fuzz/seeds.py) and every other example aims at them, so
the generated input reaches existing cases and their state machines, not just 404s.

    python tests/fuzz/run_fuzz.py [--examples 50] [--negative 20] [--budget 540] [--seed N]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import sys
import time
import traceback
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, Phase, Verbosity, given, seed, settings
from hypothesis.errors import Unsatisfiable
from pymongo import MongoClient
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.generation.modes import GenerationMode
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from seeds import SEEDS, Pools
from targets import ROLES, TARGETS, UNIT

from qingshan_core.auth import Role, TokenCodec

ROOT = Path(__file__).resolve().parents[2]
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


class OutOfTime(BaseException):
    """This operation's share of the budget is spent (not an Exception: hypothesis lets it by)."""


@dataclass
class OpResult:
    label: str
    roles: list[str]
    examples: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    failures: dict[tuple[str, int], dict[str, str]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    cut_short: bool = False

    def as_json(self) -> dict[str, Any]:
        failures = [{"title": t, "status": s, **info} for (t, s), info in self.failures.items()]
        return {**asdict(self), "statuses": dict(self.statuses), "failures": failures}


def infra() -> dict[str, str]:
    return {
        "bootstrap": os.environ.get("QINGSHAN_TEST_KAFKA_BOOTSTRAP", "127.0.0.1:19092"),
        "mongo_uri": os.environ.get("QINGSHAN_TEST_MONGO_URI", "mongodb://127.0.0.1:27018/"),
    }


def allowed_roles(client: Any, method: str, path: str, tokens: dict[Role, str]) -> list[Role]:
    """The roles whose token gets anything but 401/403 from a bare request."""
    concrete = re.sub(r"\{[^}]+\}", "probe", path)
    found = []
    for role in ROLES:
        r = client.request(method, concrete, headers={"Authorization": f"Bearer {tokens[role]}"})
        if r.status_code not in (401, 403):
            found.append(role)
    return found


def _prepare(case: Any, token: str, index: int, pools: Pools) -> None:
    """The caller's token; and, in every other example, real ids for the path parameters."""
    if index % 2 and case.path_parameters:
        for name in case.path_parameters:
            if pools.get(name):
                case.path_parameters[name] = pools[name][(index // 2) % len(pools[name])]
    case.headers = {**(case.headers or {}), "Authorization": f"Bearer {token}"}
    # Open311 takes the token as `api_key`: one example in four keeps the generated value.
    if index % 4 != 3:
        if isinstance(case.query, dict) and "api_key" in case.query:
            case.query["api_key"] = token
        if isinstance(case.body, dict) and "api_key" in case.body:
            case.body["api_key"] = token


def send(case: Any, result: OpResult, mode: GenerationMode) -> None:
    """Send one example and run the checks on its answer; record what fails."""
    try:
        response = case.call()
    except Exception as exc:  # the app raised: the client saw a 500
        result.statuses[500] += 1
        tb = "".join(traceback.format_exception(exc)[-6:])
        result.failures.setdefault(
            ("Unhandled exception", 500),
            {"message": tb, "curl": case.as_curl_command(), "mode": mode.value},
        )
        return
    result.statuses[response.status_code] += 1
    try:
        case.validate_response(response, checks=CHECKS)
    except FailureGroup as group:
        for failure in group.exceptions:
            result.failures.setdefault(
                (failure.title, response.status_code),
                {
                    "message": (failure.message or "")[:1500],
                    "body": response.text[:500],
                    "curl": case.as_curl_command()[:1500],
                    "mode": mode.value,
                },
            )


def fuzz_operation(
    op: Any,
    roles: list[Role],
    tokens: dict[Role, str],
    pools: Pools,
    args: argparse.Namespace,
    until: float,
) -> OpResult:
    """Send the positive, then the negative examples of one operation."""
    result = OpResult(op.label, [r.value for r in roles])
    started = time.monotonic()
    use = roles or [Role.ADMIN]

    def run(mode: GenerationMode, count: int) -> None:
        def one(case: Any) -> None:
            if time.monotonic() > until:
                raise OutOfTime
            index = result.examples
            result.examples += 1
            _prepare(case, tokens[use[index % len(use)]], index, pools)
            send(case, result, mode)

        seed(args.seed)(
            settings(
                max_examples=count,
                deadline=None,
                database=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
                verbosity=Verbosity.quiet,
                print_blob=False,
            )(given(case=op.as_strategy(generation_mode=mode))(one))
        )()

    for mode, count in (
        (GenerationMode.POSITIVE, args.examples),
        (GenerationMode.NEGATIVE, args.negative),
    ):
        if count <= 0:
            continue
        try:
            run(mode, count)
        except OutOfTime:
            result.cut_short = True
            break
        except Unsatisfiable:  # nothing to get wrong (no parameters, no body): nothing to send
            continue
        except Exception as exc:  # generation problems: reported, not hidden
            result.errors.append(f"{mode.value}: {type(exc).__name__}: {str(exc)[:300]}")
    result.seconds = time.monotonic() - started
    return result


def run_service(name: str, args: argparse.Namespace, deadline: float, ops_left: int) -> list[Any]:
    app, s = TARGETS[name].build(infra())
    codec = TokenCodec(s.jwt_secret.get_secret_value())
    tokens = {
        r: codec.issue(f"fuzz-{r.value}", r, unit=UNIT if r is Role.UNIT_HANDLER else None)
        for r in ROLES
    }
    results: list[OpResult] = []
    try:
        schema = schemathesis.openapi.from_asgi("/openapi.json", app)
        with asgi.get_client(app) as client:

            def call(method: str, path: str, role: str, **kw: Any) -> Any:
                headers = {"Authorization": f"Bearer {tokens[Role(role)]}"}
                r = client.request(method.upper(), path, headers=headers, **kw)
                assert r.status_code < 300, f"seed {method} {path}: {r.status_code} {r.text}"
                return r.json()

            pools = SEEDS[name](call)
            operations = [r.ok() for r in schema.get_all_operations()]
            for op in operations:
                roles = allowed_roles(client, op.method.upper(), op.path, tokens)
                # A slow operation may take up to three times the average share still left.
                left = max(deadline - time.monotonic(), 0)
                until = time.monotonic() + min(left, 3 * left / max(ops_left, 1))
                results.append(fuzz_operation(op, roles, tokens, pools, args, until))
                ops_left -= 1
    finally:
        asgi.shutdown_lifespans()
        with MongoClient(s.mongo_uri, serverSelectionTimeoutMS=5000) as mongo:
            mongo.drop_database(s.mongo_db)
    return results


def count_operations(name: str) -> int:
    app, _ = TARGETS[name].build(infra())
    return sum(len(item) for item in app.openapi()["paths"].values())


def summary(all_results: dict[str, list[OpResult]], elapsed: float, args: Any) -> int:
    print(f"\nseed {args.seed}; per operation {args.examples} positive + {args.negative} negative")
    print("service      operations  examples  2xx    4xx    5xx   failures  cut short  seconds")
    total_failures = 0
    for name, results in all_results.items():
        statuses: Counter[int] = Counter()
        for r in results:
            statuses.update(r.statuses)
        ok = sum(n for s, n in statuses.items() if 200 <= s < 300)
        client = sum(n for s, n in statuses.items() if 400 <= s < 500)
        server = sum(n for s, n in statuses.items() if s >= 500)
        failures = sum(len(r.failures) + len(r.errors) for r in results)
        total_failures += failures
        print(
            f"{name:12} {len(results):10}  {sum(r.examples for r in results):8}  {ok:5}  "
            f"{client:5}  {server:5}  {failures:8}  {sum(r.cut_short for r in results):9}  "
            f"{sum(r.seconds for r in results):7.0f}"
        )
    print(f"total run time {elapsed:.0f} s; {total_failures} distinct failure(s)")
    for name, results in all_results.items():
        for r in results:
            if not r.roles:
                print(f"  note: {name} {r.label}: no role may call it (fuzzed as admin)")
            for (title, status), info in r.failures.items():
                print(f"\n--- {name} {r.label}: {title} [{status}] ({info['mode']})")
                print(textwrap_indent(info["message"]))
                if info.get("body"):
                    print(textwrap_indent("body: " + info["body"]))
                print(textwrap_indent(info["curl"]))
            for err in r.errors:
                print(f"\n--- {name} {r.label}: generation error: {err}")
    return 1 if total_failures else 0


def textwrap_indent(text: str) -> str:
    return "\n".join("    " + line for line in text.strip().splitlines())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--examples", type=int, default=50, help="positive examples per operation")
    ap.add_argument("--negative", type=int, default=20, help="negative examples per operation")
    ap.add_argument("--budget", type=float, default=540, help="total seconds for all services")
    ap.add_argument("--seed", type=int, default=20251129)
    ap.add_argument("--service", action="append", choices=sorted(TARGETS), help="repeatable")
    ap.add_argument("--report", type=Path, default=ROOT / ".run" / "fuzz" / "report.json")
    args = ap.parse_args()
    names = args.service or list(TARGETS)
    started = time.monotonic()
    deadline = started + args.budget
    ops_left = sum(count_operations(n) for n in names)
    args.report.parent.mkdir(parents=True, exist_ok=True)
    log_path = args.report.with_name("services.log")
    all_results: dict[str, list[OpResult]] = {}
    # Left open: objects collected after a service stopped may still log to it.
    log = open(log_path, "w")  # noqa: SIM115
    with contextlib.redirect_stderr(log):
        for name in names:
            print(f"fuzzing {name} … (service logs: {log_path})", flush=True)
            all_results[name] = run_service(name, args, deadline, ops_left)
            ops_left -= len(all_results[name])
    elapsed = time.monotonic() - started
    status = summary(all_results, elapsed, args)
    report = {name: [r.as_json() for r in results] for name, results in all_results.items()}
    args.report.write_text(json.dumps(report, ensure_ascii=False, indent=1))
    return status


if __name__ == "__main__":
    sys.exit(main())
