#!/usr/bin/env python3
"""Fetch, start, wait for, stop and wipe qingshan's local servers (Kafka KRaft, FerretDB and
Keycloak, the OpenID Connect provider: deploy/local/idp.py). Kafka listens in plain text and,
on the next port but one, with SASL_SSL + SCRAM-SHA-512 (deploy/local/kafka_tls.py).

Standard library only: it runs before the project's virtualenv exists.

    python3 deploy/local/stack.py fetch               # Kafka jars, Keycloak (Maven), FerretDB (Go)
    python3 deploy/local/stack.py [--profile test] up  # start all three, wait until ready
    python3 deploy/local/stack.py [--profile test] down|wipe|status|versions
    python3 deploy/local/stack.py [--profile test] start-kafka|stop-kafka|...
    python3 deploy/local/stack.py [--profile test] token --role operator [--unit town-01]

Profiles keep ports and data apart so a test run never touches a running dev stack.
Everything lives under .cache/ (downloads, builds) and .run/<profile>/ (data, logs, pids).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import idp  # sibling module (Keycloak), imported after the path is set
import kafka_tls  # sibling module (the SASL_SSL listener)

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CACHE = Path(os.environ.get("QINGSHAN_CACHE", ROOT / ".cache"))
RUN = ROOT / ".run"
KAFKA_POM = HERE / "kafka" / "pom.xml"
FERRET_SRC = HERE / "ferretdb"


@dataclass(frozen=True)
class Profile:
    name: str
    kafka_port: int
    controller_port: int
    mongo_port: int
    keycloak_port: int

    @property
    def dir(self) -> Path:
        return RUN / self.name

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.kafka_port}"

    @property
    def secure_port(self) -> int:
        """The SASL_SSL (SCRAM-SHA-512) listener's port."""
        return self.kafka_port + 2

    @property
    def mongo_uri(self) -> str:
        return f"mongodb://127.0.0.1:{self.mongo_port}/"

    @property
    def issuer(self) -> str:
        return idp.issuer(self.keycloak_port)


# Ports below 32768 (the start of Linux's ephemeral range), so no client connection holds them.
PROFILES = {
    "dev": Profile("dev", 9092, 9093, 27017, 8080),
    "test": Profile("test", 19092, 19093, 27018, 18080),
    "bench": Profile("bench", 29092, 29093, 27019, 29080),
    "ci": Profile("ci", 22092, 22093, 27020, 22080),
    "faults": Profile("faults", 25092, 25093, 27021, 25080),
    # p1..p7: parallel checkouts (git worktrees) each running its own suite at once.
    **{
        f"p{i}": Profile(f"p{i}", 10092 + 1000 * i, 10093 + 1000 * i, 27030 + i, 10080 + 1000 * i)
        for i in range(1, 8)
    },
    "p8": Profile("p8", 9192, 9193, 27038, 9180),
}


def log(msg: str) -> None:
    print(f"[stack] {msg}", flush=True)


def kafka_version() -> str:
    text = KAFKA_POM.read_text()
    return text.split("<kafka.version>")[1].split("</kafka.version>")[0].strip()


def ferretdb_version() -> str:
    for line in (FERRET_SRC / "go.mod").read_text().splitlines():
        parts = line.split()
        if parts[:1] == ["require"]:
            parts = parts[1:]
        if len(parts) >= 2 and parts[0] == "github.com/FerretDB/FerretDB":
            return parts[1]
    raise SystemExit("FerretDB version not found in deploy/local/ferretdb/go.mod")


def _digest(*paths: Path) -> str:
    h = hashlib.sha256()
    for p in paths:
        h.update(p.read_bytes())
    return h.hexdigest()[:12]


# Patches applied to a copy of the FerretDB module before it is built.
# 2. FerretDB 1.x pushes a filter down to SQLite only when it is exactly {_id: value}; any other
# filter -- including the {_id, _version} of an optimistic-concurrency update -- scans and
# decodes the whole collection. Pushing down the _id part of any filter is safe because the
# handler re-applies the full filter to what SQLite returns. Applied to a copy of the module.
FERRET_PATCHES = [
    # The unique index on _id is created on the expression _ferretdb_sjson->"_id", but lookups
    # are written as _ferretdb_sjson->'$._id': SQLite only uses an expression index for the very
    # same expression, so every update, delete and unlimited find by _id scanned the table
    # (12 ms at 5,000 documents, growing linearly). Same value, now the indexed spelling.
    (
        "internal/backends/sqlite/metadata/metadata.go",
        "\tIDColumn = DefaultColumn + \"->'$._id'\"",
        '\tIDColumn = DefaultColumn + `->"_id"`',
    ),
    (
        "internal/backends/sqlite/collection.go",
        """	// that logic should exist in one place
	// TODO https://github.com/FerretDB/FerretDB/issues/3235
	if params.Filter.Len() == 1 {
		v, _ := params.Filter.Get("_id")
		switch v.(type) {
		case string, types.ObjectID:
			whereClause = fmt.Sprintf(` WHERE %s = ?`, metadata.IDColumn)""",
        """	// that logic should exist in one place
	// TODO https://github.com/FerretDB/FerretDB/issues/3235
	// qingshan: push the _id equality down whatever else the filter holds.
	if params.Filter != nil && params.Filter.Has("_id") {
		v, _ := params.Filter.Get("_id")
		switch v.(type) {
		case string, types.ObjectID:
			whereClause = fmt.Sprintf(` WHERE %s = ?`, metadata.IDColumn)""",
    ),
    # Push `{_id: {$in: [...]}}` down as well (strings and ObjectIDs, up to 500): a relay round
    # reads its aggregates in one query instead of one round trip each. The handler still
    # applies the whole filter to what comes back, so a superset here would stay correct.
    (
        "internal/backends/sqlite/collection.go",
        """	// qingshan: push the _id equality down whatever else the filter holds.
	if params.Filter != nil && params.Filter.Has("_id") {
		v, _ := params.Filter.Get("_id")
		switch v.(type) {
		case string, types.ObjectID:
			whereClause = fmt.Sprintf(` WHERE %s = ?`, metadata.IDColumn)
			args = []any{string(must.NotFail(sjson.MarshalSingleValue(v)))}
		}
	}""",
        """	// qingshan: push the _id equality down whatever else the filter holds.
	if params.Filter != nil && params.Filter.Has("_id") {
		v, _ := params.Filter.Get("_id")
		switch v := v.(type) {
		case string, types.ObjectID:
			whereClause = fmt.Sprintf(` WHERE %s = ?`, metadata.IDColumn)
			args = []any{string(must.NotFail(sjson.MarshalSingleValue(v)))}
		case *types.Document:
			// qingshan: and {_id: {$in: [...]}} of strings or ObjectIDs.
			in, _ := v.Get("$in")
			arr, ok := in.(*types.Array)
			if ok && v.Len() == 1 && arr.Len() > 0 && arr.Len() <= 500 {
				marks := make([]string, 0, arr.Len())
				vals := make([]any, 0, arr.Len())
				for i := 0; i < arr.Len(); i++ {
					e, _ := arr.Get(i)
					switch e.(type) {
					case string, types.ObjectID:
						marks = append(marks, "?")
						vals = append(vals, string(must.NotFail(sjson.MarshalSingleValue(e))))
					}
				}
				if len(marks) == arr.Len() {
					list := strings.Join(marks, ", ")
					whereClause = fmt.Sprintf(` WHERE %s IN (%s)`, metadata.IDColumn, list)
					args = vals
				}
			}
		}
	}""",
    ),
    # An update command runs its statements in a loop that defers closing each statement's
    # query iterator (and so its SQLite connection) to the end of the whole command. A command
    # with more statements than the pool has connections (100) then waits for itself forever,
    # holding the write lock: the store hangs. Close each iterator when its statement is done.
    (
        "internal/handler/msg_update.go",
        """		closer := iterator.NewMultiCloser()
		defer closer.Close()

		closer.Add(res.Iter)

		iter := common.FilterIterator(res.Iter, closer, u.Filter)

		if !u.Multi {
			iter = common.LimitIterator(iter, closer, 1)
		}

		result, err := common.UpdateDocument(ctx, c, "update", iter, &u)
		if err != nil {""",
        """		closer := iterator.NewMultiCloser()
		closer.Add(res.Iter)

		iter := common.FilterIterator(res.Iter, closer, u.Filter)

		if !u.Multi {
			iter = common.LimitIterator(iter, closer, 1)
		}

		result, err := common.UpdateDocument(ctx, c, "update", iter, &u)
		closer.Close() // qingshan: per statement, not deferred to the end of the command
		if err != nil {""",
    ),
    # Lifetime tracking of iterators (a leak detector for FerretDB's own tests): every query
    # records a pprof stack (runtime.Callers) and sets a finalizer that panics the whole store
    # if an iterator is collected unclosed. Profiled under the intake load it took ~5 % of the
    # store's CPU; a local store should neither pay that nor crash on a leak it could survive.
    (
        "internal/util/resource/resource.go",
        """func Track(obj any, token *Token) {
	checkArgs(obj, token)
""",
        """func Track(obj any, token *Token) {
	checkArgs(obj, token)
	if !debugbuild.Enabled {
		return // qingshan: no tracking outside FerretDB's debug builds
	}
""",
    ),
    (
        "internal/util/resource/resource.go",
        """func Untrack(obj any, token *Token) {
	checkArgs(obj, token)
""",
        """func Untrack(obj any, token *Token) {
	checkArgs(obj, token)
	if !debugbuild.Enabled {
		return // qingshan: nothing was tracked (see Track)
	}
""",
    ),
]


def kafka_lib() -> Path:
    return CACHE / f"kafka-{kafka_version()}-{_digest(KAFKA_POM)}" / "lib"


def ferretdb_bin() -> Path:
    sources = [FERRET_SRC / "go.mod", FERRET_SRC / "go.sum", *sorted(FERRET_SRC.glob("*.go"))]
    key = _digest(*sources, HERE / "stack.py")
    return CACHE / f"ferretdb-{ferretdb_version()}-{key}" / "ferretdb"


def patched_ferretdb_source(build_dir: Path) -> Path:
    """A copy of the FerretDB module from the Go module cache with FERRET_PATCHES applied."""
    version = ferretdb_version()
    out = subprocess.run(
        ["go", "mod", "download", "-json", f"github.com/FerretDB/FerretDB@{version}"],
        cwd=FERRET_SRC,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    src = Path(json.loads(out)["Dir"])
    dst = build_dir / f"FerretDB-{version}"
    shutil.rmtree(dst, ignore_errors=True)
    shutil.copytree(src, dst)
    for path in dst.rglob("*"):
        path.chmod(path.stat().st_mode | 0o200)
    for rel, old, new in FERRET_PATCHES:
        target = dst / rel
        text = target.read_text()
        if old not in text:
            raise SystemExit(f"FerretDB patch no longer applies to {rel}")
        target.write_text(text.replace(old, new, 1))
    return dst


def fetch() -> None:
    """Download the Kafka jars and build FerretDB, each once per pinned version."""
    lib = kafka_lib()
    if not (lib / ".complete").exists():
        log(f"fetching Apache Kafka {kafka_version()} jars from Maven Central into {lib}")
        tmp = lib.with_name("lib.partial")
        shutil.rmtree(tmp, ignore_errors=True)
        subprocess.run(
            [
                "mvn",
                "-q",
                "-B",
                "-Dstyle.color=never",
                "-f",
                str(KAFKA_POM),
                "dependency:copy-dependencies",
                f"-DoutputDirectory={tmp}",
                "-DincludeScope=runtime",
            ],
            check=True,
        )
        shutil.rmtree(lib, ignore_errors=True)
        tmp.rename(lib)
        (lib / ".complete").touch()
    binary = ferretdb_bin()
    if not binary.exists():
        log(f"building FerretDB {ferretdb_version()} (SQLite backend) into {binary}")
        binary.parent.mkdir(parents=True, exist_ok=True)
        src = patched_ferretdb_source(binary.parent)
        work = binary.parent / "go.work"
        work.write_text(
            f"go 1.24\n\nuse {FERRET_SRC}\n\n"
            f"replace github.com/FerretDB/FerretDB {ferretdb_version()} => {src}\n"
        )
        env = dict(os.environ, CGO_ENABLED="0", GOWORK=str(work))
        subprocess.run(
            ["go", "build", "-trimpath", "-o", str(binary) + ".partial", "."],
            cwd=FERRET_SRC,
            env=env,
            check=True,
        )
        os.replace(str(binary) + ".partial", binary)
    keycloak = idp.fetch()
    log(
        f"ready: Kafka {kafka_version()} ({lib}), FerretDB {ferretdb_version()} ({binary}), "
        f"Keycloak {idp.VERSION} ({keycloak})"
    )


def _pid_file(p: Profile, name: str) -> Path:
    return p.dir / f"{name}.pid"


def _running(p: Profile, name: str) -> int | None:
    f = _pid_file(p, name)
    if not f.exists():
        return None
    pid = int(f.read_text().strip() or 0)
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):
        f.unlink(missing_ok=True)
        return None
    return pid


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _spawn(
    p: Profile, name: str, argv: list[str], cwd: Path, env: dict[str, str] | None = None
) -> None:
    logs = p.dir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    out = open(logs / f"{name}.out", "ab")  # noqa: SIM115 - handed to the child process
    proc = subprocess.Popen(
        argv,
        cwd=cwd,
        stdout=out,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
        env=env,
    )
    _pid_file(p, name).write_text(str(proc.pid))


def _kafka_config(p: Profile) -> Path:
    kdir = p.dir / "kafka"
    data = kdir / "data"
    cfg = kdir / "server.properties"
    kdir.mkdir(parents=True, exist_ok=True)
    secure = kafka_tls.listener_properties(p.dir, p.secure_port)
    listener = secure.pop("listener")
    cfg.write_text(
        "\n".join(
            [
                "process.roles=broker,controller",
                "node.id=1",
                f"controller.quorum.voters=1@127.0.0.1:{p.controller_port}",
                f"listeners=PLAINTEXT://127.0.0.1:{p.kafka_port},CONTROLLER://127.0.0.1:{p.controller_port},{listener}",
                f"advertised.listeners=PLAINTEXT://127.0.0.1:{p.kafka_port},{listener}",
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL",
                *(f"{k}={v}" for k, v in secure.items()),
                f"log.dirs={data}",
                "num.partitions=3",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=10",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                # Topics are created by the services (and the tests) with explicit settings.
                "auto.create.topics.enable=false",
                "",
            ]
        )
    )
    (kdir / "log4j2.xml").write_text((HERE / "kafka" / "log4j2.xml").read_text())
    if not (data / "meta.properties").exists():
        cluster_id = _java(["kafka.tools.StorageTool", "random-uuid"]).strip()
        fmt = ["kafka.tools.StorageTool", "format", "-t", cluster_id, "-c", str(cfg)]
        _java([*fmt, *kafka_tls.format_args()])
        kafka_tls.user_added(p.dir)
    return cfg


def _java(args: list[str]) -> str:
    cp = str(kafka_lib() / "*")
    res = subprocess.run(["java", "-cp", cp, *args], capture_output=True, text=True, check=True)
    return res.stdout


def start_kafka(p: Profile) -> None:
    if _running(p, "kafka"):
        return
    if _port_open(p.kafka_port):
        raise SystemExit(f"port {p.kafka_port} is taken by another process")
    cfg = _kafka_config(p)
    logs = p.dir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    server_log = logs / "server.log"
    # Only log lines written after this start count for readiness (the log survives restarts).
    offset = server_log.stat().st_size if server_log.exists() else 0
    (p.dir / "kafka.logoffset").write_text(str(offset))
    heap = os.environ.get("QINGSHAN_KAFKA_HEAP", "512m")
    _spawn(
        p,
        "kafka",
        [
            "java",
            "-Xms256m",
            f"-Xmx{heap}",
            "-XX:+UseG1GC",
            "-XX:TieredStopAtLevel=1",
            f"-Dlog4j2.configurationFile={cfg.parent / 'log4j2.xml'}",
            f"-Dkafka.logs.dir={logs}",
            "-cp",
            str(kafka_lib() / "*"),
            "kafka.Kafka",
            str(cfg),
        ],
        cwd=p.dir,
    )
    log(f"Kafka {kafka_version()} starting on {p.bootstrap}")


def start_ferretdb(p: Profile) -> None:
    if _running(p, "ferretdb"):
        return
    if _port_open(p.mongo_port):
        raise SystemExit(f"port {p.mongo_port} is taken by another process")
    data = p.dir / "ferretdb"
    data.mkdir(parents=True, exist_ok=True)
    _spawn(
        p,
        "ferretdb",
        [
            str(ferretdb_bin()),
            "-listen",
            f"127.0.0.1:{p.mongo_port}",
            "-data",
            str(data),
            # QINGSHAN_FERRETDB_PPROF=127.0.0.1:6060 serves Go's profiler (profiling the store).
            *(["-pprof", pprof] if (pprof := os.environ.get("QINGSHAN_FERRETDB_PPROF")) else []),
            # QINGSHAN_FERRETDB_STATS=10s logs what each command shape cost the store.
            *(["-stats", st] if (st := os.environ.get("QINGSHAN_FERRETDB_STATS")) else []),
        ],
        cwd=p.dir,
    )
    log(f"FerretDB {ferretdb_version()} (SQLite) starting on {p.mongo_uri}")


def start_keycloak(p: Profile) -> None:
    if _running(p, "keycloak"):
        return
    if _port_open(p.keycloak_port):
        raise SystemExit(f"port {p.keycloak_port} is taken by another process")
    argv, env = idp.command(p.dir, p.keycloak_port)
    (p.dir / "keycloak.started").write_text(str(time.time()))
    _spawn(p, "keycloak", argv, cwd=p.dir, env=env)
    log(f"Keycloak {idp.VERSION} starting on {p.issuer}")


def _kafka_ready(p: Profile) -> bool:
    """The broker answers metadata once KRaft has elected itself; the log says so first."""
    server_log = p.dir / "logs" / "server.log"
    if not _port_open(p.kafka_port) or not server_log.exists():
        return False
    offset_file = p.dir / "kafka.logoffset"
    offset = int(offset_file.read_text()) if offset_file.exists() else 0
    with server_log.open("rb") as f:
        f.seek(offset)
        return b"Kafka Server started" in f.read()


SERVERS = ("kafka", "ferretdb", "keycloak")


def wait(p: Profile, what: tuple[str, ...] = SERVERS, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    checks = {
        "kafka": lambda: _kafka_ready(p),
        "ferretdb": lambda: _port_open(p.mongo_port),
        "keycloak": lambda: idp.ready(p.keycloak_port),
    }
    pending = list(what)
    while pending:
        for name in list(pending):
            if checks[name]():
                pending.remove(name)
            elif not _running(p, name):
                tail = _tail(p.dir / "logs" / f"{name}.out")
                raise SystemExit(f"{name} exited during start-up:\n{tail}")
        if pending and time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {pending}")
        if pending:
            time.sleep(0.2)
    if "kafka" in what:
        kafka_tls.ensure_user(p.dir, p.bootstrap, _java)
    started = p.dir / "keycloak.started"
    if "keycloak" in what and started.exists():
        took = time.time() - float(started.read_text())
        log(f"Keycloak answered after {took:.1f} s ({p.issuer})")
        started.unlink()
    log(f"ready: {', '.join(what)} ({p.name})")


def _tail(path: Path, n: int = 30) -> str:
    if not path.exists():
        return "(no log)"
    return "\n".join(path.read_text(errors="replace").splitlines()[-n:])


def stop(p: Profile, name: str, timeout: float = 30) -> None:
    pid = _running(p, name)
    if not pid:
        return
    os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        _reap(pid)
        time.sleep(0.1)
    else:
        os.killpg(pid, signal.SIGKILL)
    _pid_file(p, name).unlink(missing_ok=True)
    log(f"stopped {name} ({p.name})")


def _reap(pid: int) -> None:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def up(p: Profile, keycloak: bool = True) -> None:
    fetch()
    start_ferretdb(p)
    start_kafka(p)
    if keycloak:
        start_keycloak(p)
    wait(p, SERVERS if keycloak else ("kafka", "ferretdb"))


def down(p: Profile) -> None:
    for name in SERVERS:
        stop(p, name)


def wipe(p: Profile) -> None:
    """Stop and delete the profile's data; the broker's certificates stay (kafka_tls)."""
    down(p)
    keep = kafka_tls.tls_dir(p.dir)
    for path in p.dir.iterdir() if p.dir.exists() else ():
        if path != keep:
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    log(f"wiped {p.dir} (kept {keep.name}/)")


def status(p: Profile) -> None:
    for name in SERVERS:
        pid = _running(p, name)
        print(f"{name:9} {'running pid ' + str(pid) if pid else 'stopped'}")


# One flat case per command is the plainest dispatcher.
def main() -> None:  # noqa: C901, PLR0912
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--profile", choices=sorted(PROFILES), default="dev")
    ap.add_argument("--role", help="token: the role to get a token for")
    ap.add_argument("--unit", default=None, help="token: the unit of a unit_handler")
    ap.add_argument(
        "--no-keycloak",
        action="store_true",
        help="up: without Keycloak (bench and faults use development tokens only)",
    )
    ap.add_argument(
        "command",
        choices=[
            "fetch",
            "up",
            "down",
            "wipe",
            "status",
            "versions",
            "env",
            "start-kafka",
            "stop-kafka",
            "start-ferretdb",
            "stop-ferretdb",
            "start-keycloak",
            "stop-keycloak",
            "token",
            "describe-idp",
            "wait",
        ],
    )
    args = ap.parse_args()
    p = PROFILES[args.profile]
    match args.command:
        case "fetch":
            fetch()
        case "up":
            up(p, keycloak=not args.no_keycloak)
        case "down":
            down(p)
        case "wipe":
            wipe(p)
        case "status":
            status(p)
        case "versions":
            print(
                f"Apache Kafka {kafka_version()} (KRaft), FerretDB {ferretdb_version()} (SQLite), "
                f"Keycloak {idp.VERSION}"
            )
        case "env":
            print(f"QINGSHAN_KAFKA_BOOTSTRAP={p.bootstrap}\nQINGSHAN_MONGO_URI={p.mongo_uri}")
            for key, value in kafka_tls.env(p.dir, p.secure_port).items():
                print(f"{key}={value}")
            print(f"QINGSHAN_OIDC_ISSUER={p.issuer}")
        case "start-kafka":
            start_kafka(p)
            wait(p, ("kafka",))
        case "stop-kafka":
            stop(p, "kafka")
        case "start-ferretdb":
            start_ferretdb(p)
            wait(p, ("ferretdb",))
        case "stop-ferretdb":
            stop(p, "ferretdb")
        case "start-keycloak":
            start_keycloak(p)
            wait(p, ("keycloak",))
        case "stop-keycloak":
            stop(p, "keycloak")
        case "token":
            if not args.role:
                ap.error("token needs --role")
            print(idp.token(p.keycloak_port, args.role, args.unit or None))
        case "describe-idp":
            print(idp.describe(p.keycloak_port))
        case "wait":
            wait(p)


if __name__ == "__main__":
    sys.exit(main())
